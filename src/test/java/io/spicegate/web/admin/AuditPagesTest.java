package io.spicegate.web.admin;

import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.Sealed;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The audit page: filters, keyset pages, the CSV link with the same filters, and the chain check in words. */
@QuarkusTest
class AuditPagesTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    Browser admin;

    @BeforeEach
    void setUp() {
        clock.berlin("2026-11-23T10:00");
        admin = Browser.login(fixtures.user("auditor", false, true), Fixtures.PASSWORD);
    }

    static List<Long> rows(String html) {
        Matcher m = Pattern.compile("<tr id=\"ev-(\\d+)\"").matcher(html);
        List<Long> ids = new ArrayList<>();
        while (m.find()) {
            ids.add(Long.parseLong(m.group(1)));
        }
        return ids;
    }

    @Test
    void filtersAndOlderPages() {
        String someone = fixtures.user("guesser");
        // 55 rows: 5 failures, then 50 refusals while locked, each from its own address (refusals from one address
        // are audited once a minute, the rest in a summary row: RepeatedEvents)
        for (int i = 0; i < 55; i++) {
            given().auth().preemptive().basic(someone, "wrong-" + i).header("X-Forwarded-For", "10.55.0." + (i + 1))
                    .get("/api/v1/consoles");
        }
        List<Long> expected = Db.strings("select id::text from audit_event where username = ? order by id desc", someone)
                .stream().map(Long::parseLong).toList();
        assertEquals(55, expected.size());

        String html = admin.request().get("/admin/audit?user=" + someone).then().statusCode(200).extract().asString();
        List<Long> first = rows(html);
        assertEquals(expected.subList(0, 50), first);
        Matcher older = Pattern.compile("href=\"([^\"]+)\" rel=\"next\" id=\"older\"").matcher(html);
        assertTrue(older.find());
        List<Long> second = rows(admin.request().get(older.group(1).replace("&amp;", "&")).then().statusCode(200).extract().asString());
        assertEquals(expected.subList(50, 55), second);
        assertTrue(html.contains("href=\"/api/v1/admin/audit.csv?user=" + someone + "\""), "the CSV link has the filter");

        // action and period filters; the CSV link carries the period as instants
        html = admin.request().get("/admin/audit?user=" + someone + "&action=LOGIN_LOCKED&from=2026-11-23&to=2026-11-23")
                .then().statusCode(200).extract().asString();
        List<Long> locked = rows(html);
        assertEquals(Db.count("select count(*) from audit_event where username = ? and action = 'LOGIN_LOCKED'", someone),
                locked.size());
        assertTrue(html.contains("from=2026-11-22T23%3A00%3A00Z&amp;to=2026-11-23T23%3A00%3A00Z"), "Berlin days as instants");
        String csv = admin.request().get("/api/v1/admin/audit.csv?user=" + someone + "&action=LOGIN_LOCKED"
                + "&from=2026-11-22T23:00:00Z&to=2026-11-23T23:00:00Z").then().statusCode(200).extract().asString();
        assertEquals(locked.size() + 1, csv.lines().count());

        html = admin.request().get("/admin/audit?session=nope").then().statusCode(400).extract().asString();
        assertTrue(html.contains("is a session id"), html);
    }

    @Test
    void verifySaysInPlainWordsWhetherTheLogWasAltered() throws Exception {
        String html = admin.request().get("/admin/audit/verify").then().statusCode(200).extract().asString();
        assertTrue(html.contains("The audit log is intact"), html);
        assertTrue(html.contains("data-ok=\"true\""));
        Sealed.await();
        long head = Db.count("select max(id) from audit_event");
        String hash = Db.strings("select hash from audit_event where id = ?", head).get(0);
        assertTrue(admin.request().get("/admin/audit/verify?expectHead=" + head + ":" + hash).asString()
                .contains("the checkpoint you gave is still there"));

        // a row altered behind the portal's back is named; then put back
        String user = fixtures.user("victim");
        given().auth().preemptive().basic(user, "wrong").get("/api/v1/consoles").then().statusCode(401);
        Sealed.await(); // altered after the sealer linked it (before, its row MAC names it: AuditChainTest)
        long row = Db.count("select max(id) from audit_event where username = ?", user);
        String detail = Db.strings("select coalesce(detail, '') from audit_event where id = ?", row).get(0);
        Db.tamperWithAudit("update audit_event set detail = 'nothing to see' where id = " + row);
        try {
            html = admin.request().get("/admin/audit/verify").then().statusCode(200).extract().asString();
            assertTrue(html.contains("The audit log was tampered with"), html);
            assertTrue(html.contains("The first bad row is <b>#" + row + "</b>: row " + row + " was altered"), html);
            assertTrue(html.contains("data-first-bad=\"" + row + "\""));
        } finally {
            Db.tamperWithAudit("update audit_event set detail = " + (detail.isEmpty() ? "null" : "'" + detail.replace("'", "''") + "'")
                    + " where id = " + row);
        }
        assertTrue(admin.request().get("/admin/audit/verify").asString().contains("The audit log is intact"));

        html = admin.request().get("/admin/audit/verify?expectHead=abc").then().statusCode(400).extract().asString();
        assertTrue(html.contains("The checkpoint is"), html);
    }
}
