package io.spicegate.protocol;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The CA file the agents and the {@code spicegate} command trust (attack review of 3 Dec): a PEM certificate is
 * trusted; a file that is missing, not regular (a directory, a FIFO, {@code /dev/zero}: these hung both clients
 * forever), too large, changeable by other users, owned by another user, empty or not PEM is refused at once with
 * the reason. Needs root (it hands a file to another owner): CI runs as root.
 */
class PortalHttpTest {

    static Path dir;
    static Path pem;

    @BeforeAll
    static void certificate() throws Exception {
        assertEquals("root", System.getProperty("user.name"), "this test needs root (CI runs as root)");
        dir = Files.createTempDirectory("sgt-portal-http-");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path store = dir.resolve("ca.p12");
        run(keytool, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-dname", "CN=Test CA", "-validity", "2",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit");
        pem = dir.resolve("ca.pem");
        run(keytool, "-exportcert", "-rfc", "-alias", "ca", "-keystore", store.toString(), "-storepass", "changeit",
                "-file", pem.toString());
        Files.setPosixFilePermissions(pem, PosixFilePermissions.fromString("rw-r--r--"));
    }

    @AfterAll
    static void remove() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    @Test
    void aPemCertificateIsTrusted() throws Exception {
        assertNotNull(PortalHttp.trusting(pem));
        assertNotNull(PortalHttp.client(Duration.ofSeconds(1), pem));
    }

    @Test
    void aFifoOrADeviceIsRefusedAtOnceInsteadOfBlocking() throws Exception {
        Path fifo = dir.resolve("ca.fifo");
        run("mkfifo", fifo.toString());
        // a guard against the hang it was (no writer ever comes; /dev/zero never ends), not a measure of speed
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            assertEquals("is not a regular file: it should be the PEM file of the portal's CA", reason(fifo));
            assertEquals("is not a regular file: it should be the PEM file of the portal's CA", reason(Path.of("/dev/zero")));
        });
    }

    @Test
    void whatIsNotATrustworthyPemFileIsRefusedWithItsReason() throws Exception {
        assertEquals("does not exist", reason(dir.resolve("missing.pem")));
        assertEquals("is not a regular file: it should be the PEM file of the portal's CA", reason(dir));

        Path large = dir.resolve("large.pem");
        try (RandomAccessFile f = new RandomAccessFile(large.toFile(), "rw")) {
            f.setLength(PortalHttp.MAX_CA_BYTES + 1L);
        }
        assertEquals("is larger than 1 MiB: it should be the PEM file of the portal's CA", reason(large));

        Path shared = Files.copy(pem, dir.resolve("shared.pem"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-rw-r--"));
        assertEquals("can be changed by other users (rw-rw-r--): run chmod go-w on it", reason(shared));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-r--rw-"));
        assertEquals("can be changed by other users (rw-r--rw-): run chmod go-w on it", reason(shared));

        Path foreign = Files.copy(pem, dir.resolve("foreign.pem"));
        UserPrincipal nobody = foreign.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(foreign, nobody);
        assertEquals("belongs to nobody, who could change it: use a copy that belongs to root", reason(foreign));

        assertEquals("holds no certificate: it should hold the PEM certificate of the portal's CA",
                reason(Files.writeString(dir.resolve("empty.pem"), "")));
        String notPem = reason(Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n"
                + "-----END CERTIFICATE-----\n"));
        assertEquals("is not a PEM certificate file (it could not be read as one)", notPem);
    }

    static String reason(Path ca) {
        return assertThrows(PortalHttp.UnusableCa.class, () -> PortalHttp.trusting(ca)).getMessage();
    }

    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }
}
