package io.spicegate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Keycloak (keycloak-quarkus-dist from Maven Central, unpacked by the build into target/keycloak) on a free
 * loopback port, with the realm {@code office} imported from {@code sso/office-realm.json}; stopped by its own PID.
 */
public final class Keycloak implements AutoCloseable {

    public static final String CLIENT_ID = "spicegate";
    public static final String SECRET = "spicegate-test-secret-at-least-32-characters";
    static final Duration READY = Duration.ofSeconds(480); // a first start on a busy machine builds Keycloak first

    private final Process process;
    public final String issuer;

    private Keycloak(Process process, String issuer) {
        this.process = process;
        this.issuer = issuer;
    }

    /** Starts it and waits until the realm's discovery document answers. */
    public static Keycloak start(Path log) throws IOException, InterruptedException {
        Path home = Path.of(System.getProperty("keycloak.test.home", "target/keycloak/keycloak-26.7.3"));
        Path kc = home.resolve("bin/kc.sh");
        if (!Files.isRegularFile(kc)) {
            throw new IllegalStateException(kc + " is missing: the build unpacks org.keycloak:keycloak-quarkus-dist "
                    + "into target/keycloak in generate-test-resources (run ./mvnw test, not the IDE alone)");
        }
        Path imports = Files.createDirectories(home.resolve("data/import"));
        try (InputStream realm = Keycloak.class.getResourceAsStream("/sso/office-realm.json")) {
            Files.copy(realm, imports.resolve("office-realm.json"), StandardCopyOption.REPLACE_EXISTING);
        }
        int port = freePort();
        int management = freePort();
        ProcessBuilder pb = new ProcessBuilder("bash", kc.toString(), "start-dev", "--http-host=127.0.0.1",
                "--http-port=" + port, "--http-management-port=" + management, "--db=dev-mem", "--import-realm",
                "--cache=local")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", "kcadmin");
        pb.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", "kcadmin-test-pass");
        long started = System.nanoTime();
        Keycloak k = new Keycloak(pb.start(), "http://127.0.0.1:" + port + "/realms/office");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + READY.toNanos();
        while (true) {
            if (!k.process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with " + k.process.exitValue() + ": see " + log.toAbsolutePath());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(k.issuer + "/.well-known/openid-configuration"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (System.nanoTime() > deadline) {
                k.close();
                throw new IllegalStateException("Keycloak was not ready within " + READY.toSeconds() + " s: see "
                        + log.toAbsolutePath());
            }
            Thread.sleep(250);
        }
        System.out.printf("Keycloak ready at %s after %d s%n", k.issuer,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        return k;
    }

    /** Stops this Keycloak (and the JVM kc.sh started) by PID. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
