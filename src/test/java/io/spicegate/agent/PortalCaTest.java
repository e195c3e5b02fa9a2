package io.spicegate.agent;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.spicegate.protocol.EnrollResponse;
import io.spicegate.protocol.ProtocolJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Properties;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code portal.ca}: https to the portal trusts exactly that CA; without it the JDK's CAs (which do not know it). */
class PortalCaTest {

    private static final char[] PASSWORD = "changeit".toCharArray();
    private static Path dir;
    private static HttpsServer server;

    @BeforeAll
    static void startHttpsPortal() throws Exception {
        dir = Files.createTempDirectory("sgt-ca-");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path keystore = dir.resolve("portal.p12");
        Sh.run(keytool, "-genkeypair", "-alias", "portal", "-keyalg", "EC", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1",
                "-validity", "2", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit");
        Sh.run(keytool, "-exportcert", "-rfc", "-alias", "portal", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", dir.resolve("ca.pem").toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/api/agent/v1/enroll", exchange -> {
            byte[] body = "{\"secret\": \"s\", \"name\": \"mylap\", \"mode\": \"workstation\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.stop(0);
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }

    private static PortalClient client(String ca) throws IOException {
        Properties p = new Properties();
        p.setProperty("portal.url", "https://127.0.0.1:" + server.getAddress().getPort());
        if (ca != null) {
            p.setProperty("portal.ca", ca);
        }
        return new PortalClient(AgentConfig.parse(p, "test"), ProtocolJson.mapper());
    }

    @Test
    void trustsThePortalSignedByTheConfiguredCa() throws Exception {
        EnrollResponse enrolled = client(dir.resolve("ca.pem").toString()).enroll("t", "mylap");
        assertEquals("mylap", enrolled.name());
    }

    @Test
    void withoutTheCaTheHandshakeFails() {
        assertThrows(SSLHandshakeException.class, () -> client(null).enroll("t", "mylap"));
    }

    @Test
    void aFileWithoutACertificateIsASentence() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");
        IOException e = assertThrows(IOException.class, () -> client(empty.toString()));
        assertTrue(e.getMessage().startsWith("portal.ca " + empty), e.getMessage());
    }
}
