package io.spicegate.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a program (no shell) with optional standard input and collects its exit code and output. */
public interface CommandRunner {

    /** Runs {@code argv}; {@code stdin} may be null. Throws when the program cannot be started or hangs. */
    Result run(List<String> argv, String stdin) throws IOException;

    /** What a program did. */
    record Result(int exitCode, String stdout, String stderr) {

        /** True when the program exited 0. */
        public boolean ok() {
            return exitCode == 0;
        }

        /** The first line of stderr (or stdout), for a log line or an error message. */
        public String firstErrorLine() {
            String text = stderr.isBlank() ? stdout : stderr;
            String line = text.strip().lines().findFirst().orElse("");
            return line.isEmpty() ? "exit code " + exitCode : line;
        }
    }

    /** Runs real processes; a program name without a slash is looked up in PATH and the sbin directories. */
    static CommandRunner system() {
        return (argv, stdin) -> {
            List<String> command = new ArrayList<>(argv);
            command.set(0, locate(command.get(0)));
            Process process = new ProcessBuilder(command).start();
            CompletableFuture<String> out = drain(process.getInputStream());
            CompletableFuture<String> err = drain(process.getErrorStream());
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IOException(argv.get(0) + " did not finish within 30 s");
                }
                return new Result(process.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + argv.get(0), e);
            } catch (Exception e) {
                throw new IOException("could not read the output of " + argv.get(0), e);
            }
        };
    }

    /** The absolute path of a program: PATH first, then the usual system directories (systemd and sudo trim PATH). */
    static String locate(String program) {
        if (program.contains("/")) {
            return program;
        }
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return program;
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
