package io.spicegate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** The packaged portal in its embedded default (a fresh data directory, demo data), removed again on close. */
public final class EmbeddedPortal implements AutoCloseable {

    public final PortalProcess process;
    public final String base;
    /** The management interface (health, metrics). */
    public final String management;
    private final Path dataDir;

    private EmbeddedPortal(PortalProcess process, Path dataDir) {
        this.process = process;
        this.base = process.base;
        this.management = process.management;
        this.dataDir = dataDir;
    }

    /** Starts {@code quarkus-run.jar} with only a data directory and {@code env} (production configuration otherwise). */
    public static EmbeddedPortal start(String name, Map<String, String> env) throws IOException, InterruptedException {
        Path dataDir = Files.createTempDirectory("spicegate-" + name + "-");
        Map<String, String> all = new HashMap<>(env);
        all.put("SPICEGATE_DATA_DIR", dataDir.toString());
        try {
            return new EmbeddedPortal(PortalProcess.start(name, all), dataDir);
        } catch (IOException | InterruptedException | RuntimeException e) {
            delete(dataDir);
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            process.close();
        } finally {
            delete(dataDir);
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
