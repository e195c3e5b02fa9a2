package io.spicegate.audit;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audit log is append-only and hash-chained: the application cannot change it, and a change made behind
 * its back (as a database superuser) is named by the verifier. Each tamper is undone afterwards, so the
 * shared test database keeps a valid chain.
 */
@QuarkusTest
class AuditChainTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @Inject
    AuditCheckpoint checkpoint;

    String admin;

    @BeforeEach
    void setUp() {
        clock.berlin("2026-11-23T10:00");
        admin = fixtures.user("auditor", false, true);
    }

    RequestSpecification asAdmin() {
        return given().auth().preemptive().basic(admin, Fixtures.PASSWORD);
    }

    /** Makes a few audit rows and returns the ids of three consecutive ones about one user. */
    long[] threeRows() {
        String u = fixtures.user("subject");
        for (int i = 0; i < 3; i++) {
            given().auth().preemptive().basic(u, "wrong-" + i).get("/api/v1/consoles").then().statusCode(401);
        }
        List<String> ids = Db.strings("select id::text from audit_event where username = ? order by id", u);
        return new long[] {Long.parseLong(ids.get(0)), Long.parseLong(ids.get(1)), Long.parseLong(ids.get(2))};
    }

    static void asSuperuser(String... statements) throws SQLException {
        try (Connection c = Db.connection(); Statement st = c.createStatement()) {
            st.execute("alter table audit_event disable trigger audit_event_no_update");
            try {
                for (String s : statements) {
                    st.execute(s);
                }
            } finally {
                st.execute("alter table audit_event enable trigger audit_event_no_update");
            }
        }
    }

    @Test
    void theApplicationRoleCannotChangeOrDeleteRows() {
        long[] ids = threeRows();
        SQLException update = assertThrows(SQLException.class,
                () -> Db.update("update audit_event set detail = 'x' where id = ?", ids[0]));
        assertTrue(update.getMessage().contains("append-only"), update.getMessage());
        assertThrows(SQLException.class, () -> Db.update("delete from audit_event where id = ?", ids[0]));
        asAdmin().get("/api/v1/admin/audit/verify").then().statusCode(200).body("ok", equalTo(true))
                .body("firstBad", nullValue());
    }

    @Test
    void anAlteredRowIsNamed() throws Exception {
        long[] ids = threeRows();
        String original = Db.strings("select detail from audit_event where id = ?", ids[1]).get(0);
        asSuperuser("update audit_event set detail = 'nothing happened' where id = " + ids[1]);
        try {
            asAdmin().get("/api/v1/admin/audit/verify").then().statusCode(200).body("ok", equalTo(false))
                    .body("firstBad", equalTo((int) ids[1])).body("problem", containsString("altered"));
        } finally {
            asSuperuser("update audit_event set detail = '" + original.replace("'", "''") + "' where id = " + ids[1]);
        }
        asAdmin().get("/api/v1/admin/audit/verify").then().body("ok", equalTo(true));
    }

    @Test
    void aRemovedRowIsNamed() throws Exception {
        long[] ids = threeRows();
        asSuperuser("create temporary table kept as select * from audit_event where id = " + ids[1],
                "delete from audit_event where id = " + ids[1]);
        try {
            asAdmin().get("/api/v1/admin/audit/verify").then().statusCode(200).body("ok", equalTo(false))
                    .body("firstBad", equalTo((int) ids[2])).body("problem", containsString("removed"));
        } finally {
            asSuperuser("insert into audit_event overriding system value select * from kept", "drop table kept");
        }
        asAdmin().get("/api/v1/admin/audit/verify").then().body("ok", equalTo(true));
    }

    @Test
    void swappedRowsAreNamed() throws Exception {
        long[] ids = threeRows();
        // swap the content of two rows, keeping each row's own hash consistent: the chain still breaks
        asSuperuser("create temporary table pair as select * from audit_event where id in (" + ids[0] + "," + ids[1] + ")",
                "update audit_event set hash = 'tmp-' || id where id in (" + ids[0] + "," + ids[1] + ")",
                "update audit_event a set at = p.at, actor = p.actor, action = p.action, username = p.username, "
                        + "detail = p.detail, prev_hash = p.prev_hash, hash = p.hash "
                        + "from pair p where a.id = " + ids[0] + " and p.id = " + ids[1],
                "update audit_event a set at = p.at, actor = p.actor, action = p.action, username = p.username, "
                        + "detail = p.detail, prev_hash = p.prev_hash, hash = p.hash "
                        + "from pair p where a.id = " + ids[1] + " and p.id = " + ids[0]);
        try {
            asAdmin().get("/api/v1/admin/audit/verify").then().statusCode(200).body("ok", equalTo(false))
                    .body("firstBad", equalTo((int) ids[0]));
        } finally {
            asSuperuser("update audit_event set hash = 'tmp2-' || id where id in (" + ids[0] + "," + ids[1] + ")",
                    "update audit_event a set at = p.at, actor = p.actor, action = p.action, username = p.username, "
                            + "detail = p.detail, prev_hash = p.prev_hash, hash = p.hash from pair p where a.id = p.id",
                    "drop table pair");
        }
        asAdmin().get("/api/v1/admin/audit/verify").then().body("ok", equalTo(true));
    }

    @Test
    void cuttingOffTheNewestRowsIsCaughtAgainstTheCheckpoint() throws Exception {
        threeRows();
        checkpoint.checkpoint();
        long head = checkpoint.headId();
        String hash = checkpoint.headHash();
        asAdmin().get("/api/v1/admin/audit/verify?expectHead=" + head + ":" + hash).then().body("ok", equalTo(true));
        asSuperuser("create temporary table tail as select * from audit_event where id >= " + head,
                "delete from audit_event where id >= " + head);
        try {
            asAdmin().get("/api/v1/admin/audit/verify").then().body("ok", equalTo(true)); // the chain alone cannot tell
            asAdmin().get("/api/v1/admin/audit/verify?expectHead=" + head + ":" + hash).then().body("ok", equalTo(false))
                    .body("firstBad", equalTo((int) head)).body("problem", containsString("cut off"));
        } finally {
            asSuperuser("insert into audit_event overriding system value select * from tail", "drop table tail");
        }
        given().get("/q/metrics").then().statusCode(200).body(containsString("spicegate_audit_head_id"));
    }

    @Test
    void theLogIsFilteredPagedAndExported() {
        String u = fixtures.user("paged");
        for (int i = 0; i < 7; i++) {
            given().auth().preemptive().basic(u, "nope").get("/api/v1/consoles");
        }
        var first = asAdmin().get("/api/v1/admin/audit?user=" + u + "&limit=3").then().statusCode(200)
                .body("events.size()", equalTo(3)).body("events[0].user", equalTo(u)).extract();
        Number next = first.path("next");
        var second = asAdmin().get("/api/v1/admin/audit?user=" + u + "&limit=3&before=" + next).then().statusCode(200).extract();
        List<Integer> a = first.path("events.id");
        List<Integer> b = second.path("events.id");
        assertTrue(a.get(2) > b.get(0), "pages follow each other, newest first");
        String csv = asAdmin().get("/api/v1/admin/audit.csv?user=" + u).then().statusCode(200)
                .contentType(containsString("text/csv")).extract().asString();
        assertEquals(1 + Db.count("select count(*) from audit_event where username = ?", u), csv.lines().count());
        assertTrue(csv.startsWith("id,at,actor,action,user,console,workstation,session,source,detail"));
        asAdmin().get("/api/v1/admin/audit?from=yesterday").then().statusCode(400).body("error", containsString("ISO-8601"));
        given().auth().preemptive().basic(fixtures.user("nosy"), Fixtures.PASSWORD).get("/api/v1/admin/audit/verify").then().statusCode(403);
    }

    @Test
    void csvCellsCannotBecomeFormulas() {
        assertEquals("'=cmd()", io.spicegate.admin.AdminAuditResource.cell("=cmd()"));
        assertEquals("\"a,b\"", io.spicegate.admin.AdminAuditResource.cell("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", io.spicegate.admin.AdminAuditResource.cell("say \"hi\""));
    }
}
