package io.spicegate.security;

import io.spicegate.testing.PortalProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packaged portal's embedded PostgreSQL lets no other local account in: as {@code nobody}, psql over TCP without
 * a password or with a wrong one is refused, the Unix socket is out of reach (private directory), and the passwords
 * live in a 0600 file. Needs root (to act as nobody) and psql (Debian postgresql-client).
 */
class EmbeddedDatabaseIT {

    @Test
    void anotherLocalAccountCannotGetIntoTheEmbeddedDatabase() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            fail("EmbeddedDatabaseIT acts as the account nobody (setpriv), which needs root");
        }
        if (!Files.isExecutable(Path.of("/usr/bin/psql"))) {
            fail("EmbeddedDatabaseIT needs psql: apt-get install postgresql-client");
        }
        Path work = Files.createTempDirectory("sg-embedded-db-");
        // the way in for nobody: only the database's own protections may stop it, not this test's directory
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path data = work.resolve("data");
        try (PortalProcess portal = PortalProcess.start("embedded-db", Map.of("SPICEGATE_DATA_DIR", data.toString()))) {
            Path pgData = data.resolve("postgres");
            String port = Files.readAllLines(pgData.resolve("postmaster.pid")).get(3).strip();
            Properties secrets = new Properties();
            try (var in = Files.newBufferedReader(data.resolve("secrets.properties"))) {
                secrets.load(in);
            }
            assertEquals("rw-------", mode(data.resolve("secrets.properties")), "the passwords and the audit key");
            assertEquals("rwx------", mode(data.resolve("socket")), "the Unix socket's directory");
            // the PostgreSQL binaries the portal runs: nobody else may plant a PG-<hash> directory there
            assertEquals("rwx------", mode(data.resolve("runtime")), "the PostgreSQL binaries' directory");
            Result plant = Result.of(new ProcessBuilder("setpriv", "--reuid", "nobody", "--regid", "nogroup",
                    "--clear-groups", "mkdir", data.resolve("runtime/PG-planted").toString()));
            assertNotEquals(0, plant.exit, "nobody created a directory among the PostgreSQL binaries: " + plant.output);
            String hba = Files.readString(pgData.resolve("pg_hba.conf"));
            assertFalse(hba.lines().anyMatch(l -> !l.startsWith("#") && l.contains("trust")), hba);

            for (String host : List.of("127.0.0.1", "localhost")) {
                for (String role : List.of("postgres", "spicegate")) {
                    Result none = psqlAsNobody(host, port, role, null);
                    assertNotEquals(0, none.exit, role + "@" + host + " without a password: " + none.output);
                    assertTrue(none.output.contains("no password supplied") || none.output.contains("password authentication failed"),
                            none.output);
                    Result wrong = psqlAsNobody(host, port, role, "wrong-password");
                    assertNotEquals(0, wrong.exit, role + "@" + host + " with a wrong password: " + wrong.output);
                    assertTrue(wrong.output.contains("password authentication failed"), wrong.output);
                }
            }
            // the control: the same command with the right password gets in over TCP, so what refused above is the password
            Result right = psqlAsNobody("127.0.0.1", port, "spicegate", secrets.getProperty("runtime-password"));
            assertEquals(0, right.exit, right.output);
            assertTrue(right.output.contains("spicegate"), right.output);
            // the socket: out of reach even with the right password
            Result socket = psqlAsNobody(data.resolve("socket").toString(), port, "postgres", secrets.getProperty("owner-password"));
            assertNotEquals(0, socket.exit, socket.output);
            assertTrue(socket.output.contains("Permission denied"), socket.output);
            assertTrue(portal.isAlive());
        } finally {
            deleteRecursively(work);
        }
    }

    record Result(int exit, String output) {
        static Result of(ProcessBuilder pb) throws IOException, InterruptedException {
            Process p = pb.redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("did not finish: " + pb.command() + "\n" + out);
            }
            return new Result(p.exitValue(), out);
        }
    }

    /** psql as nobody:nogroup without supplementary groups, never prompting, printing current_user. */
    static Result psqlAsNobody(String host, String port, String role, String password) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups",
                "/usr/bin/psql", "-w", "-X", "-h", host, "-p", port, "-U", role, "-d", "postgres", "-tAc", "select current_user"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Path.of("/").toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        pb.environment().put("PGCONNECT_TIMEOUT", "10");
        if (password != null) {
            pb.environment().put("PGPASSWORD", password);
        }
        return Result.of(pb);
    }

    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
