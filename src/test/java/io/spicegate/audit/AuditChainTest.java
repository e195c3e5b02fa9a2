package io.spicegate.audit;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.micrometer.core.instrument.MeterRegistry;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.Sealed;
import io.spicegate.testing.Management;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

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

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @Inject
    AuditCheckpoint checkpoint;

    @Inject
    AuditSealer sealer;

    @Inject
    MeterRegistry registry;

    @Inject
    AuditKey key;

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
        Sealed.await(); // the tests rewrite rows as an attacker would: after the sealer linked them
        List<String> ids = Db.strings("select id::text from audit_event where username = ? order by chain_seq", u);
        return new long[] {Long.parseLong(ids.get(0)), Long.parseLong(ids.get(1)), Long.parseLong(ids.get(2))};
    }

    @Test
    void theApplicationRoleCannotChangeOrDeleteRows() throws Exception {
        long[] ids = threeRows();
        // the portal's runtime role: append and read only, and it owns nothing, so it cannot switch the trigger off
        for (String sql : List.of("update audit_event set detail = 'x' where id = " + ids[0],
                "delete from audit_event where id = " + ids[0], "truncate audit_event",
                "alter table audit_event disable trigger audit_event_no_update",
                "update audit_chain set keyed_from = 999999999", "drop table audit_event")) {
            SQLException refused = assertThrows(SQLException.class, () -> Db.update(sql), sql);
            assertTrue(refused.getMessage().contains("permission denied") || refused.getMessage().contains("must be owner"),
                    sql + ": " + refused.getMessage());
        }
        assertEquals("spicegate", Db.strings("select current_user").get(0));
        // the owner (the migrations' role) is held by the trigger
        try (Connection c = Db.ownerConnection(); Statement st = c.createStatement()) {
            SQLException update = assertThrows(SQLException.class,
                    () -> st.executeUpdate("update audit_event set detail = 'x' where id = " + ids[0]));
            assertTrue(update.getMessage().contains("append-only"), update.getMessage());
        }
        asAdmin().get("/api/v1/admin/audit/verify").then().statusCode(200).body("ok", equalTo(true))
                .body("firstBad", nullValue());
    }

    /**
     * When no replica can seal (here: the owner took the sealer's column grant away), rows wait unsealed: the metrics
     * show how many and how long, and once the oldest waited longer than the alarm (10 s; the row is back-dated by
     * the owner rather than waited for) the verifier answers not ok with a sentence an admin can act on, on the API
     * and the page. Given the grant back, the sealer seals the row and the verifier is content again.
     */
    @Test
    void anUnsealedTailIsInTheMetricsAndPastTheAlarmTheVerifierSaysSo() throws Exception {
        String u = fixtures.user("waiting");
        Sealed.await();
        Db.tamperWithAudit("revoke update (prev_hash, hash, chain_seq) on audit_event from spicegate");
        try {
            given().auth().preemptive().basic(u, "wrong").get("/api/v1/consoles").then().statusCode(401);
            long row = Db.count("select max(id) from audit_event where username = ?", u);
            sealer.refreshTail();
            assertTrue(registry.get("spicegate_audit_unsealed_rows").gauge().value() >= 1);
            asAdmin().get("/api/v1/admin/audit/verify").then().statusCode(200).body("ok", equalTo(true))
                    .body("sealAlarm", equalTo(false)); // a moment's wait is no alarm
            Db.tamperWithAudit("update audit_event set appended_at = clock_timestamp() - interval '1 minute' where id = " + row);
            sealer.refreshTail();
            assertTrue(registry.get("spicegate_audit_seal_lag_seconds").gauge().value() >= 60,
                    "lag " + registry.get("spicegate_audit_seal_lag_seconds").gauge().value());
            asAdmin().get("/api/v1/admin/audit/verify").then().statusCode(200).body("ok", equalTo(false))
                    .body("sealAlarm", equalTo(true)).body("firstBad", equalTo((int) row))
                    .body("problem", containsString("not sealed")).body("problem", containsString("no replica is sealing"));
            String html = Browser.login(admin, Fixtures.PASSWORD).request().get("/admin/audit/verify").then().statusCode(200)
                    .extract().asString();
            assertTrue(html.contains("New audit rows are not being sealed") && html.contains("no replica is sealing"), html);
        } finally {
            Db.tamperWithAudit("grant update (prev_hash, hash, chain_seq) on audit_event to spicegate");
        }
        Sealed.await();
        assertEquals(0, Db.count("select count(*) from audit_event where username = ? and chain_seq is null", u));
        sealer.refreshTail();
        assertTrue(registry.get("spicegate_audit_seal_lag_seconds").gauge().value() < 10, "the back-dated row left the tail");
        asAdmin().get("/api/v1/admin/audit/verify").then().body("ok", equalTo(true)).body("sealAlarm", equalTo(false));
    }

    /**
     * The runtime role may fill in a row's links once — the sealer's one write — and nothing else: not re-seal a sealed
     * row, not change content on the way, not take a place out of turn or fork the chain, not insert a row pre-sealed.
     * The fill that passes is shown too (then rolled back), so the refusals are not vacuous.
     */
    @Test
    void theSealPathFillsTheLinksOnceAndNothingElse() throws Exception {
        long[] ids = threeRows();
        String sealed = "update audit_event set prev_hash = repeat('a', 64), hash = repeat('b', 64), chain_seq = 999999999 where id = ";
        SQLException reseal = assertThrows(SQLException.class, () -> Db.update(sealed + ids[0]));
        assertTrue(reseal.getMessage().contains("append-only"), reseal.getMessage());
        SQLException preSealed = assertThrows(SQLException.class, () -> Db.update("insert into audit_event (at, action, "
                + "prev_hash, hash, chain_seq) values (now(), 'FORGED', repeat('0', 64), repeat('c', 64), 999999999)"));
        assertTrue(preSealed.getMessage().contains("unsealed"), preSealed.getMessage());
        try (Connection c = Db.connection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false); // a row of our own, unsealed: the sealer cannot see it before we commit, and we never do
            try {
                long own;
                try (var rs = st.executeQuery("insert into audit_event (at, action, detail) values (now(), 'TEST', 'mine') returning id")) {
                    rs.next();
                    own = rs.getLong(1);
                }
                String[] head = Db.strings("select chain_seq || ' ' || hash from audit_event where chain_seq is not null "
                        + "order by chain_seq desc limit 1").get(0).split(" ");
                long next = Long.parseLong(head[0]) + 1;
                String fill = "update audit_event set prev_hash = '%s', hash = repeat('d', 64), chain_seq = %d%s where id = " + own;
                for (String[] refused : new String[][] {
                        {String.format(fill, head[1], next, ", detail = 'other'"), "permission denied"},
                        {String.format(fill, head[1], next + 1, ""), "append-only"},            // a place out of turn
                        {String.format(fill, head[1], next - 1, ""), "duplicate key"},          // a place taken: a fork
                        {String.format(fill, "e".repeat(64), next, ""), "append-only"},         // not after the head
                        {"update audit_event set hash = repeat('d', 64) where id = " + own, "append-only"}}) { // half a seal
                    st.execute("savepoint s");
                    SQLException e = assertThrows(SQLException.class, () -> st.executeUpdate(refused[0]), refused[0]);
                    assertTrue(e.getMessage().contains(refused[1]), refused[0] + ": " + e.getMessage());
                    st.execute("rollback to savepoint s");
                }
                assertEquals(1, st.executeUpdate(String.format(fill, head[1], next, "")), "the sealer's fill");
                st.execute("savepoint s");
                SQLException again = assertThrows(SQLException.class, () -> st.executeUpdate(String.format(fill, head[1], next, "")));
                assertTrue(again.getMessage().contains("append-only"), again.getMessage());
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
        asAdmin().get("/api/v1/admin/audit/verify").then().statusCode(200).body("ok", equalTo(true));
    }

    /**
     * An attacker who can write the table but has no key rewrites a row and recomputes the SHA-256 links of it and
     * every row after it, as the unkeyed chain allowed: the verifier names that row.
     */
    @Test
    void aRowRewrittenWithRecomputedShaLinksIsNamed() throws Exception {
        long[] ids = threeRows();
        long keyedFrom = Db.count("select keyed_from from audit_chain");
        assertTrue(keyedFrom <= ids[0], "the test database's rows are all keyed");
        Db.tamperWithAudit("create temporary table original as select * from audit_event where id >= " + ids[1]);
        try {
            Db.tamperWithAudit("update audit_event set detail = 'nothing happened' where id = " + ids[1]);
            relinkWithSha256From(ids[1]);
            asAdmin().get("/api/v1/admin/audit/verify").then().statusCode(200).body("ok", equalTo(false))
                    .body("firstBad", equalTo((int) ids[1])).body("problem", containsString("altered"));
        } finally {
            Db.tamperWithAudit("update audit_event a set detail = o.detail, prev_hash = o.prev_hash, hash = 'tmp-' || a.id "
                            + "from original o where a.id = o.id",
                    "update audit_event a set hash = o.hash from original o where a.id = o.id", "drop table original");
        }
        asAdmin().get("/api/v1/admin/audit/verify").then().body("ok", equalTo(true));
    }

    /** What an attacker without the key does: recompute every link from this row on with plain SHA-256. */
    static void relinkWithSha256From(long from) throws SQLException {
        String prev;
        List<AuditEvent> rows;
        try (Connection c = Db.ownerConnection(); Statement st = c.createStatement()) {
            prev = AuditRows.prevOf(st, from);
            rows = AuditRows.from(st, from);
        }
        for (AuditEvent e : rows) {
            e.prevHash = prev;
            String hash = AuditLog.sha256(e);
            Db.tamperWithAudit("update audit_event set prev_hash = '" + prev + "', hash = '" + hash + "' where id = " + e.id);
            prev = hash;
        }
    }

    @Test
    void anAlteredRowIsNamed() throws Exception {
        long[] ids = threeRows();
        String original = Db.strings("select detail from audit_event where id = ?", ids[1]).get(0);
        Db.tamperWithAudit("update audit_event set detail = 'nothing happened' where id = " + ids[1]);
        try {
            asAdmin().get("/api/v1/admin/audit/verify").then().statusCode(200).body("ok", equalTo(false))
                    .body("firstBad", equalTo((int) ids[1])).body("problem", containsString("altered"));
        } finally {
            Db.tamperWithAudit("update audit_event set detail = '" + original.replace("'", "''") + "' where id = " + ids[1]);
        }
        asAdmin().get("/api/v1/admin/audit/verify").then().body("ok", equalTo(true));
    }

    /**
     * The sealer links any committed row, so a row inserted straight into the table (the runtime role may INSERT) is
     * linked too; the verifier still names it, because only the portal, holding the key, can write its row MAC. A copy
     * of a genuine row, nonce and MAC included, is refused outright.
     */
    @Test
    void aRowInsertedBehindThePortalsBackIsNamedOnceSealed() throws Exception {
        long[] ids = threeRows();
        SQLException copied = assertThrows(SQLException.class, () -> Db.update("insert into audit_event (at, actor, action, "
                + "username, detail, row_nonce, row_mac) select at, actor, action, username, detail, row_nonce, row_mac "
                + "from audit_event where id = ?", ids[0]));
        assertTrue(copied.getMessage().contains("audit_event_row_mac"), copied.getMessage());
        long planted = Long.parseLong(Db.strings("insert into audit_event (at, actor, action, username, detail, row_nonce, "
                + "row_mac) values (now(), 'ralph', 'USER_DELETED', 'boss', 'planted', 'n', repeat('f', 64)) returning id::text").get(0));
        Sealed.await();
        try {
            asAdmin().get("/api/v1/admin/audit/verify").then().statusCode(200).body("ok", equalTo(false))
                    .body("firstBad", equalTo((int) planted)).body("problem", containsString("is not as the portal wrote it"));
        } finally {
            // make the planted row one the portal could have written, so the chain after it stays valid for other tests
            AuditEvent row;
            try (Connection c = Db.connection(); Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("select * from audit_event where id = " + planted)) {
                rs.next();
                row = AuditSealer.read(rs);
            }
            Db.tamperWithAudit("update audit_event set row_mac = '" + key.mac(AuditLog.rowMacText(row)) + "' where id = " + planted);
        }
        asAdmin().get("/api/v1/admin/audit/verify").then().body("ok", equalTo(true));
    }

    @Test
    void aRemovedRowIsNamed() throws Exception {
        long[] ids = threeRows();
        Db.tamperWithAudit("create temporary table kept as select * from audit_event where id = " + ids[1],
                "delete from audit_event where id = " + ids[1]);
        try {
            asAdmin().get("/api/v1/admin/audit/verify").then().statusCode(200).body("ok", equalTo(false))
                    .body("firstBad", equalTo((int) ids[2])).body("problem", containsString("removed"));
        } finally {
            Db.tamperWithAudit("insert into audit_event overriding system value select * from kept", "drop table kept");
        }
        asAdmin().get("/api/v1/admin/audit/verify").then().body("ok", equalTo(true));
    }

    /**
     * A row planted before the chain's first one (an id of 0 or below, chosen with OVERRIDING SYSTEM VALUE) is
     * checked and named too (found by the attack review: the walk started after id 0, so such rows passed unseen);
     * the database refuses such ids anyway, so the owner must first drop that constraint, as an attacker would.
     */
    @Test
    void aRowPlantedBeforeTheFirstIsNamed() throws Exception {
        threeRows();
        SQLException refused = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> Db.tamperWithAudit(
                "insert into audit_event (id, at, actor, action, prev_hash, hash) overriding system value "
                        + "values (0, now(), 'ralph', 'FORGED', 'x', 'y')"));
        org.junit.jupiter.api.Assertions.assertTrue(refused.getMessage().contains("audit_event_id_positive"), refused.getMessage());
        Db.tamperWithAudit("alter table audit_event drop constraint audit_event_id_positive",
                "insert into audit_event (id, at, actor, action, prev_hash, hash) overriding system value "
                        + "values (-1, now(), 'ralph', 'FORGED', 'x', 'y')");
        try {
            asAdmin().get("/api/v1/admin/audit/verify").then().statusCode(200).body("ok", equalTo(false))
                    .body("firstBad", equalTo(-1));
        } finally {
            Db.tamperWithAudit("delete from audit_event where id = -1",
                    "alter table audit_event add constraint audit_event_id_positive check (id > 0)");
        }
        asAdmin().get("/api/v1/admin/audit/verify").then().body("ok", equalTo(true));
    }

    @Test
    void swappedRowsAreNamed() throws Exception {
        long[] ids = threeRows();
        // swap the content of two rows, keeping each row's own hash consistent: the chain still breaks
        Db.tamperWithAudit("create temporary table pair as select * from audit_event where id in (" + ids[0] + "," + ids[1] + ")",
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
            Db.tamperWithAudit("update audit_event set hash = 'tmp2-' || id where id in (" + ids[0] + "," + ids[1] + ")",
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
        Db.tamperWithAudit("create temporary table tail as select * from audit_event where id >= " + head,
                "delete from audit_event where id >= " + head);
        try {
            asAdmin().get("/api/v1/admin/audit/verify").then().body("ok", equalTo(true)); // the chain alone cannot tell
            asAdmin().get("/api/v1/admin/audit/verify?expectHead=" + head + ":" + hash).then().body("ok", equalTo(false))
                    .body("firstBad", equalTo((int) head)).body("problem", containsString("cut off"));
        } finally {
            Db.tamperWithAudit("insert into audit_event overriding system value select * from tail", "drop table tail");
        }
        Management.given(management).get("/q/metrics").then().statusCode(200).body(containsString("spicegate_audit_head_id"));
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
        for (String bad : List.of("limit=x", "limit=0", "limit=-1", "limit=501")) {
            asAdmin().get("/api/v1/admin/audit?" + bad).then().statusCode(400)
                    .body("error", equalTo("'limit' is how many rows a page holds: a whole number from 1 to 500 (or leave it out for 100)."));
        }
        asAdmin().get("/api/v1/admin/audit?before=x").then().statusCode(400).body("error", containsString("'before' is the 'next'"));
        given().auth().preemptive().basic(fixtures.user("nosy"), Fixtures.PASSWORD).get("/api/v1/admin/audit/verify").then().statusCode(403);
    }

    @Test
    void csvCellsCannotBecomeFormulas() {
        assertEquals("'=cmd()", io.spicegate.admin.AdminAuditResource.cell("=cmd()"));
        assertEquals("\"a,b\"", io.spicegate.admin.AdminAuditResource.cell("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", io.spicegate.admin.AdminAuditResource.cell("say \"hi\""));
    }
}
