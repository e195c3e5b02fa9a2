package io.spicegate.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged portal ({@code target/quarkus-app/quarkus-run.jar}) as a child process, for Failsafe tests:
 * started with an environment, ready when /q/health/ready answers 200 on its management port, stopped by its own
 * PID only. Health and metrics are on the management interface ({@link #management}), never on {@link #base}.
 */
public final class PortalProcess implements AutoCloseable {

    /** A first start (embedded PostgreSQL, migrations, demo data) takes minutes on a loaded build machine. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(Long.getLong("spicegate.portal.ready-seconds", 300));

    private final Process process;
    private final Path log;
    public final int port;
    public final String base;
    /** The management interface ({@code QUARKUS_MANAGEMENT_PORT}): {@code /q/health/*} and {@code /q/metrics}. */
    public final String management;

    private PortalProcess(Process process, Path log, int port, int managementPort) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.base = "http://127.0.0.1:" + port;
        this.management = "http://127.0.0.1:" + managementPort;
    }

    public static Path buildDir() {
        return Path.of(System.getProperty("spicegate.build-dir", "target")).toAbsolutePath();
    }

    /**
     * Starts the portal on a free port and a free management port with these variables (plus QUARKUS_HTTP_PORT and
     * QUARKUS_MANAGEMENT_PORT) and waits until it is ready.
     */
    public static PortalProcess start(String name, Map<String, String> env) throws IOException, InterruptedException {
        int port = freePort();
        int managementPort = freePort();
        Path jar = buildDir().resolve("quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run the package phase first (./mvnw verify)");
        }
        Path log = buildDir().resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(List.of(javaBin(), "-jar", jar.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("SPICEGATE_"));
        pb.environment().putAll(env);
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        pb.environment().put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
        PortalProcess p = new PortalProcess(pb.start(), log, port, managementPort);
        p.awaitReady(READY_TIMEOUT);
        return p;
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the portal exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(management + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        close();
        throw new IllegalStateException("the portal was not ready within " + timeout + ":\n" + tail());
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills this process only, at once (a crash). */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    /** The last lines of the portal's log. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public String logText() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
