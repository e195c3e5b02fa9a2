package io.spicegate.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of its own for tests and benchmarks that start packaged portals on an external database
 * (as several replicas would share one): role {@code spicegate}, one database per call of {@link #database}.
 */
public final class ExternalPostgres implements AutoCloseable {

    public static final String USER = "spicegate";
    public static final String PASSWORD = "db-secret";

    private final EmbeddedPostgres postgres;
    private final Path dir;

    private ExternalPostgres(EmbeddedPostgres postgres, Path dir) {
        this.postgres = postgres;
        this.dir = dir;
    }

    /** Starts a server with these settings (e.g. max_connections), and the role. */
    public static ExternalPostgres start(Map<String, String> serverConfig) throws IOException, SQLException {
        Path dir = Files.createTempDirectory("sg-external-pg-");
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(true);
        serverConfig.forEach(b::setServerConfig);
        EmbeddedPostgres pg = b.start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("create role " + USER + " login password '" + PASSWORD + "'");
        }
        return new ExternalPostgres(pg, dir);
    }

    public static ExternalPostgres start() throws IOException, SQLException {
        return start(Map.of());
    }

    /** Creates an empty database owned by the role; returns its name. */
    public String database(String name) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("create database " + name + " owner " + USER);
        }
        return name;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + database;
    }

    /** The portal's environment for this database, plus a first admin and trusted X-Forwarded-For from loopback. */
    public Map<String, String> portalEnv(String database) {
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl(database));
        env.put("QUARKUS_DATASOURCE_USERNAME", USER);
        env.put("QUARKUS_DATASOURCE_PASSWORD", PASSWORD);
        env.put("SPICEGATE_ADMIN_PASSWORD", "first-admin-pw");
        env.put("QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING", "true");
        env.put("QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED", "true");
        env.put("QUARKUS_HTTP_PROXY_TRUSTED_PROXIES", "127.0.0.1");
        return env;
    }

    /** A connection as the portal's role, for seeding and for assertions on what the portals stored. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
    }

    @Override
    public void close() throws IOException {
        postgres.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
