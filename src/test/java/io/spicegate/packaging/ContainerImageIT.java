package io.spicegate.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.ExternalPostgres;
import io.spicegate.testing.PortalProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OCI image built by {@code -Pimage} (only then: {@code ./mvnw -Pimage verify -Dit.test=ContainerImageIT}):
 * its config (user 185, the entrypoint, /deployments), Quarkus' fast-jar layout in it, and that it runs — its
 * layers unpacked into a root filesystem, which is then mounted read-only with a tmpfs on /tmp (as the
 * Deployment's readOnlyRootFilesystem + emptyDir), and the entrypoint started in it as user 185 by chroot in a
 * private mount namespace, against an external PostgreSQL. Needs root (mounts, chroot), as the agent tests do.
 */
@EnabledIfSystemProperty(named = "spicegate.image-tar", matches = ".+")
class ContainerImageIT {

    @Test
    void theImageRunsThePortalAsUser185OnAReadOnlyRoot() throws Exception {
        Path tar = Path.of(System.getProperty("spicegate.image-tar"));
        assertTrue(Files.isRegularFile(tar), tar + " was not built");
        Path work = Files.createTempDirectory("sg-image-");
        try {
            Path oci = Files.createDirectories(work.resolve("oci"));
            sh("tar", "-xf", tar.toString(), "-C", oci.toString());
            JsonNode index = json(oci.resolve("index.json"));
            JsonNode manifest = json(blob(oci, index.get("manifests").get(0).get("digest").asText()));
            JsonNode config = json(blob(oci, manifest.get("config").get("digest").asText())).get("config");

            assertEquals("185", config.get("User").asText());
            assertEquals(List.of("java", "-XX:MaxRAMPercentage=75", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                    "-jar", "/deployments/quarkus-run.jar"), strings(config.get("Entrypoint")));
            assertEquals("/deployments", config.get("WorkingDir").asText());
            assertTrue(config.get("ExposedPorts").has("8080/tcp"));
            assertTrue(config.get("ExposedPorts").has("9000/tcp"), "the management interface");

            Path root = Files.createDirectories(work.resolve("rootfs"));
            System.out.println("image " + index.get("manifests").get(0).get("annotations") + ", layers:");
            for (JsonNode layer : manifest.get("layers")) {
                String digest = layer.get("digest").asText();
                sh("tar", "-xzf", blob(oci, digest).toString(), "-C", root.toString());
                System.out.printf("  %s %,d bytes%n", digest.substring(0, 19), layer.get("size").asLong());
            }
            for (String path : List.of("deployments/quarkus-run.jar", "deployments/lib/boot", "deployments/lib/main",
                    "deployments/app", "deployments/quarkus/quarkus-application.dat", "opt/java/bin/java", "etc/passwd")) {
                assertTrue(Files.exists(root.resolve(path)), path + " is in the image");
            }
            assertFalse(Files.exists(root.resolve("app")), "no jib /app layout");
            assertTrue(Files.readString(root.resolve("etc/passwd")).contains(":185:"), "user 185 has an entry");
            assertEquals(0, Files.getAttribute(root.resolve("deployments/quarkus-run.jar"), "unix:uid"),
                    "the application files belong to root: the portal cannot change them");
            assertEquals(01777, (int) Files.getAttribute(root.resolve("tmp"), "unix:mode") & 07777);

            try (ExternalPostgres pg = ExternalPostgres.start()) {
                Map<String, String> env = new HashMap<>(pg.portalEnv(pg.database("spicegate")));
                for (JsonNode e : config.get("Env")) {
                    String[] kv = e.asText().split("=", 2);
                    env.put(kv[0], kv[1]);
                }
                int port = PortalProcess.freePort();
                env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
                int managementPort = PortalProcess.freePort();
                env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
                Process portal = runInImage(root, strings(config.get("Entrypoint")), env, work.resolve("portal.log"));
                try {
                    String base = "http://127.0.0.1:" + port;
                    String management = "http://127.0.0.1:" + managementPort;
                    awaitReady(management, portal, work.resolve("portal.log"));
                    String uid = Files.readAllLines(Path.of("/proc/" + portal.pid() + "/status")).stream()
                            .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow();
                    assertEquals(List.of("185", "185", "185", "185"), List.of(uid.substring(4).strip().split("\\s+")));
                    assertEquals(1, Api.basic(base, "admin", "first-admin-pw").get("/api/v1/admin/users").expect(200).json().size());
                    Api.anonymous(management).get("/q/metrics").expect(200);
                    Api.anonymous(base).get("/q/metrics").expect(404);
                    System.out.println("the image's portal answered on " + base + " as uid 185 on a read-only root");
                } finally {
                    portal.destroy();
                    if (!portal.waitFor(30, TimeUnit.SECONDS)) {
                        portal.destroyForcibly();
                    }
                }
                assertFalse(Files.readString(work.resolve("portal.log")).contains("Read-only file system"),
                        "the portal wrote outside /tmp");
            }
        } finally {
            sh("rm", "-rf", work.toString());
        }
    }

    /**
     * The entrypoint in the unpacked image: a private mount namespace in which the root is read-only, /tmp a
     * tmpfs, /proc mounted and /dev holds only null, zero, random and urandom; then chroot as 185:185. unshare,
     * sh, chroot and java replace each other (exec), so the Process is the portal itself.
     */
    static Process runInImage(Path root, List<String> entrypoint, Map<String, String> env, Path log) throws IOException {
        String script = """
                set -e
                r=$1; shift
                mount --bind "$r" "$r"
                mount -o remount,bind,ro "$r"
                mount -t tmpfs -o mode=1777,size=256m tmpfs "$r/tmp"
                mount -t proc proc "$r/proc"
                mount -t tmpfs -o mode=0755,size=1m tmpfs "$r/dev"
                for d in null zero random urandom; do touch "$r/dev/$d"; mount --bind "/dev/$d" "$r/dev/$d"; done
                exec /usr/sbin/chroot --userspec=185:185 "$r" "$@"
                """;
        List<String> command = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--propagation", "private",
                "/bin/sh", "-c", script, "sh", root.toString()));
        command.addAll(entrypoint);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Waits for /q/health/ready on the portal's management interface. */
    static void awaitReady(String management, Process p, Path log) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("the image's portal exited with " + p.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(management + "/q/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the image's portal was not ready:\n" + Files.readString(log));
    }

    static Path blob(Path oci, String digest) {
        return oci.resolve("blobs").resolve(digest.replace(':', '/'));
    }

    static JsonNode json(Path p) throws IOException {
        return Api.JSON.readTree(p.toFile());
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static void sh(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
