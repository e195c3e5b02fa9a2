package io.spicegate.shared;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** One real PostgreSQL server per JVM for the embedded default, stopped when the JVM exits. */
public final class EmbeddedDatabase {

    public static final String USER = "postgres";
    private static EmbeddedDatabase instance;

    private final EmbeddedPostgres postgres;
    private final Path dataDir;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDir) {
        this.postgres = postgres;
        this.dataDir = dataDir;
    }

    /** Starts the server once; later calls (Quarkus reads its configuration more than once) return the same one. */
    public static synchronized EmbeddedDatabase start(Path dataDir, boolean fresh) {
        if (instance != null) {
            return instance;
        }
        try {
            Path dir = dataDir.toAbsolutePath().normalize();
            Path pgData = dir.resolve("postgres");
            if (fresh) {
                deleteRecursively(pgData);
            }
            Files.createDirectories(dir);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(dir.resolve("runtime").toFile())
                    .setServerConfig("max_connections", "300")
                    // zonky turns synchronous_commit off; a portal's data (audit rows!) must survive a crash once
                    // answered. Only a throwaway test database (fresh) keeps it off.
                    .setServerConfig("synchronous_commit", fresh ? "off" : "on")
                    .start();
            instance = new EmbeddedDatabase(pg, pgData);
            Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedDatabase::stopAfterQuarkus, "embedded-postgres-stop"));
            return instance;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + dataDir
                    + " (set QUARKUS_DATASOURCE_JDBC_URL to use an external one)", e);
        }
    }

    public String jdbcUrl() {
        return postgres.getJdbcUrl(USER, "postgres");
    }

    public int port() {
        return postgres.getPort();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Shutdown hooks run concurrently: let Quarkus finish its requests and jobs before the database goes. */
    private static void stopAfterQuarkus() {
        io.quarkus.runtime.Application app = io.quarkus.runtime.Application.currentApplication();
        if (app != null) {
            Thread waiter = new Thread(app::awaitShutdown, "await-quarkus-stop");
            waiter.setDaemon(true);
            waiter.start();
            try {
                waiter.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        instance.stop();
    }

    private void stop() {
        try {
            postgres.close();
        } catch (IOException | RuntimeException ignored) {
            // the JVM is going away; PostgreSQL notices its postmaster pid file on the next start
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
