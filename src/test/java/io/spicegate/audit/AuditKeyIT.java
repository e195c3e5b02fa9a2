package io.spicegate.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.ExternalPostgres;
import io.spicegate.testing.PortalProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A data dir as the previous version left it — PostgreSQL on trust, no passwords, an audit chain of plain SHA-256
 * links — started by the packaged portal: trust is gone (and a role made meanwhile cannot log in), the old prefix
 * still verifies, new rows are keyed, and an attacker who can write the table but has no key cannot pass a rewritten
 * row off by recomputing SHA-256 links.
 */
class AuditKeyIT {

    static final int LEGACY_ROWS = 3;

    @Test
    void anUpgradedTrustDataDirIsClosedAndItsChainVerifiesAndIsKeyedFromThenOn() throws Exception {
        Path work = Files.createTempDirectory("sg-audit-key-");
        Path data = work.resolve("data");
        try {
            legacyDataDir(data);
            try (PortalProcess portal = PortalProcess.start("audit-key", Map.of("SPICEGATE_DATA_DIR", data.toString()))) {
                Path pgData = data.resolve("postgres");
                String hba = Files.readString(pgData.resolve("pg_hba.conf"));
                assertFalse(hba.lines().anyMatch(l -> !l.startsWith("#") && l.contains("trust")), hba);
                String url = "jdbc:postgresql://127.0.0.1:" + Files.readAllLines(pgData.resolve("postmaster.pid")).get(3).strip()
                        + "/postgres";
                SQLException trust = assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "postgres", ""));
                assertTrue(trust.getMessage().contains("password"), trust.getMessage());
                SQLException intruder = assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "intruder", "intruder-pw"));
                assertTrue(intruder.getMessage().contains("no pg_hba.conf entry"), intruder.getMessage());
                Properties secrets = new Properties();
                try (var in = Files.newBufferedReader(data.resolve("secrets.properties"))) {
                    secrets.load(in);
                }

                Api admin = Api.basic(portal.base, "admin", "demo");
                Api.basic(portal.base, "admin", "a-wrong-password").get("/api/v1/consoles").expect(401); // keyed rows
                JsonNode ok = admin.get("/api/v1/admin/audit/verify").expect(200).json();
                assertTrue(ok.get("ok").asBoolean(), ok.toString());
                assertEquals(LEGACY_ROWS + 1, ok.get("keyedFrom").asLong(), "keyed from the first row after the upgrade");
                assertTrue(ok.get("checked").asLong() > LEGACY_ROWS, ok.toString());
                assertFalse(ok.toString().contains(secrets.getProperty("audit-key")), "the key is never answered");

                // an attacker with the owner's password but not the key rewrites the newest keyed row
                try (Connection owner = DriverManager.getConnection(url, "postgres", secrets.getProperty("owner-password"))) {
                    long row = one(owner, "select max(id) from audit_event");
                    rewriteWithSha256(owner, row, "nothing happened");
                    JsonNode bad = admin.get("/api/v1/admin/audit/verify").expect(200).json();
                    assertFalse(bad.get("ok").asBoolean(), bad.toString());
                    assertEquals(row, bad.get("firstBad").asLong(), bad.toString());
                }
                assertFalse(portal.logText().contains(secrets.getProperty("audit-key")), "the key is never logged");
            }
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** As the previous version made it: zonky's trust cluster, the migrations before V10, an unkeyed chain. */
    static void legacyDataDir(Path data) throws Exception {
        Path pgData = data.resolve("postgres");
        Files.createDirectories(data);
        Path migrations = Files.createDirectories(data.resolve("old-migrations"));
        try (Stream<Path> all = Files.list(PortalProcess.buildDir().resolve("classes/db/migration"))) {
            for (Path m : all.toList()) {
                String name = m.getFileName().toString();
                if (name.matches("V[1-9]__.*\\.sql")) {
                    Files.copy(m, migrations.resolve(name));
                }
            }
        }
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false)
                .setOverrideWorkingDirectory(data.resolve("runtime").toFile()).start();
        try {
            Flyway.configure().dataSource(pg.getJdbcUrl("postgres", "postgres"), "postgres", "")
                    .locations("filesystem:" + migrations).load().migrate();
            try (Connection c = pg.getPostgresDatabase().getConnection()) {
                // what any local account could do while it trusted everyone: a superuser of its own
                try (Statement st = c.createStatement()) {
                    st.execute("create role intruder login superuser password 'intruder-pw'");
                }
                String prev = AuditLog.GENESIS;
                Instant at = Instant.parse("2026-11-01T09:00:00Z");
                for (int i = 0; i < LEGACY_ROWS; i++) {
                    AuditEvent e = new AuditEvent();
                    e.at = at.plus(i, ChronoUnit.MINUTES);
                    e.actor = "admin";
                    e.action = "LOGIN_OK";
                    e.username = "admin";
                    e.detail = "before the upgrade " + i;
                    e.prevHash = prev;
                    e.hash = AuditLog.sha256(e);
                    try (PreparedStatement ps = c.prepareStatement("insert into audit_event (at, actor, action, username, "
                            + "detail, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?)")) {
                        ps.setTimestamp(1, Timestamp.from(e.at));
                        ps.setString(2, e.actor);
                        ps.setString(3, e.action);
                        ps.setString(4, e.username);
                        ps.setString(5, e.detail);
                        ps.setString(6, e.prevHash);
                        ps.setString(7, e.hash);
                        ps.executeUpdate();
                    }
                    prev = e.hash;
                }
            }
        } finally {
            ExternalPostgres.stopPostmaster(pgData, "INT"); // pg_ctl refuses to run as root
            pg.close(); // releases zonky's lock on the data directory
        }
    }

    /** What an attacker without the key does: change the row, recompute its SHA-256 link and every later one. */
    static void rewriteWithSha256(Connection owner, long row, String detail) throws SQLException {
        try (Statement st = owner.createStatement()) {
            st.execute("alter table audit_event disable trigger audit_event_no_update");
            try {
                String prev = row == 1 ? AuditLog.GENESIS : str(owner, "select hash from audit_event where id < " + row
                        + " order by id desc limit 1");
                List<AuditEvent> rows = AuditRows.from(st, row);
                for (AuditEvent e : rows) {
                    if (e.id == row) {
                        e.detail = detail; // the row being forged; the ones after it keep their text
                    }
                    e.prevHash = prev;
                    e.hash = AuditLog.sha256(e);
                    try (PreparedStatement ps = owner.prepareStatement("update audit_event set detail = ?, prev_hash = ?, hash = ? where id = ?")) {
                        ps.setString(1, e.detail);
                        ps.setString(2, e.prevHash);
                        ps.setString(3, e.hash);
                        ps.setLong(4, e.id);
                        ps.executeUpdate();
                    }
                    prev = e.hash;
                }
            } finally {
                st.execute("alter table audit_event enable trigger audit_event_no_update");
            }
        }
    }

    static long one(Connection c, String sql) throws SQLException {
        return Long.parseLong(str(c, sql));
    }

    static String str(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
