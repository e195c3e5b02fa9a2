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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of its own for tests and benchmarks that start packaged portals on an external database
 * (as several replicas would share one): role {@code spicegate}, one database per call of {@link #database}. The
 * same cluster can be stopped (cleanly or by a crash) and started again on its port, as an operator or a failing
 * machine would.
 */
public final class ExternalPostgres implements AutoCloseable {

    public static final String USER = "spicegate";
    public static final String PASSWORD = "db-secret";
    /** A role that owns nothing, for the portal's runtime connection when migrations run as {@link #USER}. */
    public static final String RUNTIME_USER = "spicegate_app";
    public static final String RUNTIME_PASSWORD = "app-db-secret";
    /** The audit key every portal on these databases shares (replicas must). */
    public static final String AUDIT_KEY = "test-audit-key-shared-by-all-replicas-0123456789";

    private final EmbeddedPostgres postgres;
    private final Path dir;
    private volatile List<String> restartCommand;

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
            st.execute("create role " + RUNTIME_USER + " login password '" + RUNTIME_PASSWORD + "'");
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
        env.put("SPICEGATE_AUDIT_KEY", AUDIT_KEY);
        env.put("QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING", "true");
        env.put("QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED", "true");
        env.put("QUARKUS_HTTP_PROXY_TRUSTED_PROXIES", "127.0.0.1");
        return env;
    }

    /** As {@link #portalEnv}, but with two roles: migrations as the owner {@link #USER}, the portal as {@link #RUNTIME_USER}. */
    public Map<String, String> portalEnvTwoRoles(String database) {
        Map<String, String> env = portalEnv(database);
        env.put("QUARKUS_FLYWAY_USERNAME", USER);
        env.put("QUARKUS_FLYWAY_PASSWORD", PASSWORD);
        env.put("QUARKUS_DATASOURCE_USERNAME", RUNTIME_USER);
        env.put("QUARKUS_DATASOURCE_PASSWORD", RUNTIME_PASSWORD);
        return env;
    }

    /** A connection as the portal's runtime role (see {@link #portalEnvTwoRoles}). */
    public Connection connectAsRuntime(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), RUNTIME_USER, RUNTIME_PASSWORD);
    }

    /** A connection as the portal's role, for seeding and for assertions on what the portals stored. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
    }

    /** The server's port, the same after {@link #startAgain()}. */
    public int port() {
        return postgres.getPort();
    }

    public Path dataDirectory() {
        return dir.resolve("pg");
    }

    /** The PID of the running postmaster (first line of postmaster.pid). */
    public long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(dataDirectory().resolve("postmaster.pid")).get(0).strip());
    }

    /** The postmaster's command line as PostgreSQL recorded it (postmaster.opts): binary first, then its arguments. */
    private List<String> postmasterCommand() throws IOException {
        String opts = Files.readString(dataDirectory().resolve("postmaster.opts")).strip();
        List<String> out = new ArrayList<>();
        out.add(opts.substring(0, opts.indexOf(' ')));
        Matcher m = Pattern.compile("\"([^\"]*)\"").matcher(opts);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /**
     * A clean fast shutdown, as {@code pg_ctl stop -m fast} does it (SIGINT to the postmaster; pg_ctl itself refuses
     * to run as root): clients are disconnected, the cluster is shut down cleanly.
     */
    public void stopFast() throws IOException, InterruptedException {
        stop("INT");
    }

    /** A crash: SIGKILL to the postmaster; its backends notice and exit, crash recovery runs at the next start. */
    public void crash() throws IOException, InterruptedException {
        stop("KILL");
    }

    private void stop(String signal) throws IOException, InterruptedException {
        restartCommand = postmasterCommand();
        stopPostmaster(dataDirectory(), signal);
    }

    /** Stops the postmaster of this data directory by its PID with this signal and waits until it is gone. */
    public static void stopPostmaster(Path pgData, String signal) throws IOException, InterruptedException {
        long pid = Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).get(0).strip());
        Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(pid)).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -s " + signal + " " + pid + " failed");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the postmaster " + pid + " did not stop on SIG" + signal);
            }
            Thread.sleep(20);
        }
    }

    /**
     * Starts the same cluster again, with the postmaster's recorded command line (same data directory, port and
     * settings), after {@link #stopFast()} or {@link #crash()}; returns once it accepts connections. After a crash
     * the old backends may hold the shared memory for a moment: a start that exits at once is retried.
     */
    public void startAgain() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            List<String> command = new ArrayList<>(restartCommand);
            if ("root".equals(System.getProperty("user.name"))) {
                command.addAll(0, List.of("unshare", "-U")); // as zonky starts it: PostgreSQL refuses to run as root
            }
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("restarted.log").toFile())).start();
            while (p.isAlive()) {
                try (Connection c = DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres"))) {
                    return;
                } catch (SQLException e) {
                    if (System.nanoTime() > deadline) {
                        p.destroyForcibly();
                        throw new IllegalStateException("PostgreSQL did not accept connections after its restart: " + e.getMessage());
                    }
                    Thread.sleep(50);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("PostgreSQL did not start again: see " + dir.resolve("restarted.log"));
            }
            Thread.sleep(200);
        }
    }

    @Override
    public void close() throws IOException {
        // our postmaster (the first one or a restarted one), stopped by its PID: zonky's own stop uses pg_ctl, which
        // refuses to run as root and would leave the server running
        try {
            if (Files.exists(dataDirectory().resolve("postmaster.pid"))
                    && ProcessHandle.of(postmasterPid()).map(ProcessHandle::isAlive).orElse(false)) {
                stop("INT");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // already gone
        }
        postgres.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
