package io.spicegate.security;

import io.spicegate.testing.Api;
import io.spicegate.testing.ExternalPostgres;
import io.spicegate.testing.PortalProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged portal on an external PostgreSQL with two roles: Flyway migrates as the owner, the portal runs as a
 * role that owns nothing and may only add and read audit rows. One role for both still works, with a warning; no
 * audit key, no start.
 */
class DatabaseRolesIT {

    static final String WARNING = "could change or delete audit rows";
    static ExternalPostgres pg;

    @BeforeAll
    static void startDatabase() throws Exception {
        pg = ExternalPostgres.start();
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void theRuntimeRoleCannotRewriteTheAuditWhileThePortalWorks() throws Exception {
        String db = pg.database("roles_two");
        Map<String, String> env = pg.portalEnvTwoRoles(db);
        env.put("SPICEGATE_DEMO", "true");
        try (PortalProcess portal = PortalProcess.start("roles-two", env)) {
            // the portal works: ralph opens vm3 from mylap, the audit verifies
            Api.basic(portal.base, "ralph", "demo").post("/api/v1/sessions", Map.of("console", "vm3")).expect(201);
            Api admin = Api.basic(portal.base, "admin", "demo");
            assertTrue(admin.get("/api/v1/admin/audit/verify").expect(200).json().get("ok").asBoolean());
            assertFalse(portal.logText().contains(WARNING), "two roles: no warning");

            try (Connection runtime = pg.connectAsRuntime(db); Statement st = runtime.createStatement()) {
                for (String sql : List.of("update audit_event set detail = 'x'", "delete from audit_event",
                        "truncate audit_event", "alter table audit_event disable trigger audit_event_no_update",
                        "alter table audit_event disable trigger all", "drop trigger audit_event_no_update on audit_event",
                        "update audit_chain set keyed_from = 999999999", "delete from flyway_schema_history")) {
                    SQLException refused = assertThrows(SQLException.class, () -> st.execute(sql), sql);
                    assertTrue(refused.getMessage().contains("permission denied") || refused.getMessage().contains("must be owner"),
                            sql + ": " + refused.getMessage());
                }
                // no setval on the audit's sequence (every audited action would collide), no planted row before the first
                SQLException setval = assertThrows(SQLException.class, () -> st.execute("select setval('audit_event_id_seq', 5)"));
                assertTrue(setval.getMessage().contains("permission denied"), setval.getMessage());
                SQLException planted = assertThrows(SQLException.class, () -> st.execute("insert into audit_event "
                        + "(id, at, actor, action, prev_hash, hash) overriding system value values (0, now(), 'x', 'FORGED', 'x', 'y')"));
                assertTrue(planted.getMessage().contains("audit_event_id_positive"), planted.getMessage());
                assertEquals(0, count(st, "select count(*) from pg_class c join pg_roles r on r.oid = c.relowner "
                        + "where r.rolname = current_user"), "the runtime role owns nothing");
                assertTrue(count(st, "select count(*) from audit_event") > 0, "it reads the audit");
            }
            // as the owner, the rows are still held by the append-only trigger; the chain is intact
            try (Connection owner = pg.connect(db); Statement st = owner.createStatement()) {
                SQLException held = assertThrows(SQLException.class, () -> st.execute("update audit_event set detail = 'x'"));
                assertTrue(held.getMessage().contains("append-only"), held.getMessage());
            }
            assertTrue(admin.get("/api/v1/admin/audit/verify").expect(200).json().get("ok").asBoolean());
        }
    }

    @Test
    void oneRoleForBothStillWorksWithAWarning() throws Exception {
        String db = pg.database("roles_one");
        try (PortalProcess portal = PortalProcess.start("roles-one", pg.portalEnv(db))) {
            Api.basic(portal.base, "admin", "first-admin-pw").get("/api/v1/admin/audit/verify").expect(200);
            assertTrue(portal.logText().contains(WARNING), portal.tail());
        }
    }

    @Test
    void withoutAnAuditKeyThePortalRefusesToStartAndSaysWhy() throws Exception {
        String db = pg.database("roles_nokey");
        Map<String, String> env = pg.portalEnvTwoRoles(db);
        env.remove("SPICEGATE_AUDIT_KEY");
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> PortalProcess.start("roles-nokey", env).close());
        assertTrue(refused.getMessage().contains("SPICEGATE_AUDIT_KEY is not set"), refused.getMessage());
    }

    static long count(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
