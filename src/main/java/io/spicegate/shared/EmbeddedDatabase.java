package io.spicegate.shared;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One real PostgreSQL server per JVM for the embedded default, stopped when the JVM exits. No local account but
 * the portal's own gets in: SCRAM passwords from {@link EmbeddedSecrets}, TCP on loopback only, the Unix socket in
 * a private (0700) directory. Two roles: {@link #OWNER} runs the migrations and owns the schema; the portal runs as
 * {@link #RUNTIME}, which owns nothing. A data dir made by an earlier version (trust, no passwords) is switched
 * over at start.
 */
public final class EmbeddedDatabase {

    /** The cluster's superuser: owns the schema, runs the migrations. */
    public static final String OWNER = "postgres";
    /** The portal's runtime role: owns nothing, granted what it needs by the migrations. */
    public static final String RUNTIME = "spicegate";
    static final String DATABASE = "postgres";
    static final String PG_HBA = """
            # Spicegate embedded default (rewritten at every start): SCRAM passwords only, loopback and the private
            # socket directory only, and only the portal's two roles (a role made while an old version trusted everyone
            # cannot log in). The passwords are in the data dir's secrets.properties (0600).
            local   all   postgres,spicegate                  scram-sha-256
            host    all   postgres,spicegate   127.0.0.1/32   scram-sha-256
            host    all   postgres,spicegate   ::1/128        scram-sha-256
            """;
    private static EmbeddedDatabase instance;

    private final EmbeddedPostgres postgres;
    private final Path dataDir;
    private final EmbeddedSecrets secrets;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDir, EmbeddedSecrets secrets) {
        this.postgres = postgres;
        this.dataDir = dataDir;
        this.secrets = secrets;
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
                // a throwaway (test) database gets a directory of its own at every start: a test-profile switch starts
                // a second cluster in this JVM while the first still runs until the JVM exits, and emptying the
                // first one's directory under it raced its writes (initdb then found the directory not empty)
                deleteRecursively(pgData);
                pgData = dir.resolve("postgres-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
                Files.deleteIfExists(dir.resolve(EmbeddedSecrets.FILE));
            }
            Files.createDirectories(dir);
            EmbeddedSecrets secrets = EmbeddedSecrets.loadOrCreate(dir);
            Path socketDir = privateDirectory(dir.resolve("socket"));
            Path runtimeDir = privateRuntimeDirectory(dir.resolve("runtime"));
            // a data dir from an earlier version: trust and no passwords until switched over below
            boolean upgrade = Files.exists(pgData.resolve("pg_hba.conf")) && !Files.readString(pgData.resolve("pg_hba.conf")).equals(PG_HBA);
            Path pwfile = privateFile(dir.resolve("initdb-password"), secrets.ownerPassword());
            EmbeddedPostgres pg;
            try {
                pg = EmbeddedPostgres.builder()
                        .setDataDirectory(pgData)
                        .setCleanDataDirectory(false)
                        .setOverrideWorkingDirectory(runtimeDir.toFile())
                        .setLocaleConfig("pwfile", pwfile.toString()) // a new cluster's superuser has its password at once
                        .setConnectConfig("password", secrets.ownerPassword())
                        .setDataDirectoryCustomizer(data -> {
                            if (!upgrade) {
                                writePgHba(data.toPath());
                            }
                        })
                        // our hook stops it after Quarkus (last-seen flush at shutdown); zonky's own would race that
                        .setRegisterShutdownHook(false)
                        .setServerConfig("listen_addresses", "localhost")
                        .setServerConfig("unix_socket_directories", socketDir.toString())
                        .setServerConfig("unix_socket_permissions", "0700")
                        .setServerConfig("password_encryption", "scram-sha-256")
                        .setServerConfig("max_connections", "300")
                        // zonky turns synchronous_commit off; a portal's data (audit rows!) must survive a crash once
                        // answered. Only a throwaway test database (fresh) keeps it off.
                        .setServerConfig("synchronous_commit", fresh ? "off" : "on")
                        // zonky also starts it with -F (fsync off): a later -c wins, so the WAL reaches the disk and
                        // an answered row survives an OS crash or power loss, not only a crash of PostgreSQL
                        .setServerConfig("fsync", fresh ? "off" : "on")
                        .start();
            } finally {
                Files.deleteIfExists(pwfile);
            }
            // zonky makes its working directory writable for everyone (it expects a shared /tmp): narrow it again
            Files.setPosixFilePermissions(runtimeDir, PosixFilePermissions.fromString("rwx------"));
            EmbeddedDatabase db = new EmbeddedDatabase(pg, pgData, secrets);
            db.secure(upgrade);
            instance = db;
            Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedDatabase::stopAfterQuarkus, "embedded-postgres-stop"));
            return instance;
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalStateException("Could not start the embedded PostgreSQL in " + dataDir
                    + " (set QUARKUS_DATASOURCE_JDBC_URL to use an external one): " + e.getMessage(), e);
        } catch (SQLException e) {
            throw new IllegalStateException("The embedded PostgreSQL in " + dataDir + " refused the passwords in "
                    + dataDir.resolve(EmbeddedSecrets.FILE) + " (restore that file from a backup of this data dir): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Sets both roles' passwords (creating the runtime role if needed) every start. For a data dir from an earlier
     * version (trust), then replaces pg_hba.conf, reloads, and ends every other connection made while it trusted.
     */
    private void secure(boolean upgrade) throws SQLException, IOException {
        try (Connection c = owner(); Statement st = c.createStatement()) {
            st.execute("set log_statement = 'none'"); // the passwords below never reach the server's log
            st.execute("alter role " + OWNER + " password " + literal(secrets.ownerPassword()));
            st.execute("do $$ begin if not exists (select from pg_roles where rolname = '" + RUNTIME + "') then "
                    + "create role " + RUNTIME + " login; end if; end $$");
            st.execute("alter role " + RUNTIME + " login nosuperuser nocreatedb nocreaterole password "
                    + literal(secrets.runtimePassword()));
            if (upgrade) {
                writePgHba(dataDir);
                st.execute("select pg_reload_conf()");
                st.execute("select pg_terminate_backend(pid) from pg_stat_activity "
                        + "where pid <> pg_backend_pid() and backend_type = 'client backend'");
            }
        }
    }

    /** The owner's connection (migrations, and tests that act behind the portal's back). */
    public Connection owner() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), OWNER, secrets.ownerPassword());
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE;
    }

    public EmbeddedSecrets secrets() {
        return secrets;
    }

    /** The running instance, if this JVM started one. */
    public static synchronized EmbeddedDatabase current() {
        return instance;
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

    private static void writePgHba(Path pgData) {
        try {
            Path tmp = pgData.resolve("pg_hba.conf.new");
            Files.writeString(tmp, PG_HBA);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, pgData.resolve("pg_hba.conf"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The directory the PostgreSQL binaries are unpacked into and run from. zonky skips unpacking into a
     * {@code PG-<hash>} directory that already exists, so a directory another local account could write to would let
     * it plant binaries the portal then runs: anything there not owned by us, or a directory others could write to,
     * is thrown away and unpacked afresh from the jar (a few hundred milliseconds), then the directory is kept 0700.
     */
    static Path privateRuntimeDirectory(Path dir) throws IOException {
        if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            java.nio.file.attribute.UserPrincipal me = Files.getOwner(dir.getParent());
            boolean suspicious = !Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    || !Files.getOwner(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS).equals(me)
                    || !PosixFilePermissions.toString(Files.getPosixFilePermissions(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)).equals("rwx------");
            if (!suspicious) {
                try (var entries = Files.walk(dir)) {
                    suspicious = entries.anyMatch(p -> {
                        try {
                            return !Files.getOwner(p, java.nio.file.LinkOption.NOFOLLOW_LINKS).equals(me);
                        } catch (IOException e) {
                            return true;
                        }
                    });
                }
            }
            if (suspicious) {
                deleteRecursively(dir);
            }
        }
        return privateDirectory(dir);
    }

    private static Path privateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    private static Path privateFile(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content);
        return file;
    }

    /** Generated passwords are URL-safe base64: nothing to escape, but quoted the standard way all the same. */
    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
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
