package io.spicegate.cli;

import io.spicegate.testing.PortalProcess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packaged {@code target/spicegate-cli.jar} as a child process ({@code java -jar}), with an environment of the
 * test's choosing only, as root or as another Unix user (an argv prefix such as {@code setpriv}); the jar is copied
 * to a temporary directory any user may read, removed on close.
 */
public final class CliJar implements AutoCloseable {

    public static final Path BUILT = PortalProcess.buildDir().resolve("spicegate-cli.jar");

    /** A temporary directory (0755) holding the jar (0644). */
    public final Path dir;
    public final Path jar;

    /** What one run printed and returned. */
    public record Result(int code, String out, String err) {
    }

    public CliJar() throws IOException {
        assertTrue(Files.isRegularFile(BUILT), BUILT + " is missing: run the package phase first (./mvnw verify)");
        dir = Files.createTempDirectory("sg-cli-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        jar = dir.resolve("spicegate-cli.jar");
        Files.copy(BUILT, jar);
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** The java launcher: /usr/bin/java (what /usr/bin/spicegate runs), else this JVM's. */
    public static String java() {
        Path usr = Path.of("/usr/bin/java");
        return Files.isExecutable(usr) ? usr.toString() : Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Starts {@code prefix... java -jar spicegate-cli.jar args...} with exactly {@code env}. */
    public Process start(List<String> prefix, Map<String, String> env, String... args) throws IOException {
        List<String> argv = new ArrayList<>(prefix);
        argv.addAll(List.of(java(), "-jar", jar.toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().clear();
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Runs the command to its end (at most two minutes). */
    public Result run(List<String> prefix, Map<String, String> env, String... args) throws IOException, InterruptedException {
        Process p = start(prefix, env, args);
        p.getOutputStream().close();
        CompletableFuture<String> out = read(p.getInputStream());
        CompletableFuture<String> err = read(p.getErrorStream());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("spicegate " + String.join(" ", args) + " did not end within 120 s");
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    /** A stream read to its end in the background. */
    public static CompletableFuture<String> read(java.io.InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(" + e.getMessage() + ")";
            }
        });
    }

    /** Deletes a directory tree (null or missing: nothing). */
    public static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    @Override
    public void close() throws IOException {
        deleteTree(dir);
    }
}
