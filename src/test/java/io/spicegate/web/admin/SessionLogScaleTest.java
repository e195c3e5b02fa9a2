package io.spicegate.web.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.sessions.SessionLog;
import io.spicegate.sessions.SessionState;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.Plans;
import io.spicegate.testing.ScaleRows;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The session log at 1 000 000 sessions: the exact keyset queries {@link SessionLog} runs are planned as index
 * scans on the V4 indexes — never a sequential scan of console_session — and a deep page answers quickly.
 * The rows are written by PostgreSQL ({@code generate_series}) and deleted again afterwards.
 */
@QuarkusTest
class SessionLogScaleTest {

    static final int ROWS = 1_000_000;

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @BeforeAll
    static void aMillionSessions() throws SQLException {
        ScaleRows.delete();
        long ms = ScaleRows.insert(ROWS);
        System.out.printf("[scale] inserted %,d console sessions in %,d ms%n", ROWS, ms);
    }

    @AfterAll
    static void removeThem() throws SQLException {
        int deleted = ScaleRows.delete();
        assertEquals(ROWS, deleted);
    }

    @BeforeEach
    void setUp() {
        clock.berlin("2026-11-23T10:00");
    }

    /** A cursor in the middle of the million rows. */
    static final SessionLog.Cursor MIDDLE = new SessionLog.Cursor(Instant.parse("2020-12-15T12:00:00Z"),
            UUID.fromString("80000000-0000-4000-8000-000000000000"));

    record Case(String name, SessionLog.Filter filter, SessionLog.Cursor cursor, String index) { }

    static SessionLog.Filter filter(String user, String console, String workstation, Instant from, Instant to,
                                    SessionState state, SessionLog.Authority authority, Long request) {
        return new SessionLog.Filter(user, console, workstation, from, to, state, authority, request);
    }

    static final String USER = ScaleRows.PREFIX + "7";

    static List<Case> cases() {
        return List.of(
                new Case("newest, no filter", SessionLog.Filter.ANY, null, "console_session_log"),
                new Case("no filter, deep cursor", SessionLog.Filter.ANY, MIDDLE, "console_session_log"),
                new Case("user", filter(USER, null, null, null, null, null, null, null), null, "console_session_log_user"),
                new Case("user, deep cursor", filter(USER, null, null, null, null, null, null, null), MIDDLE, "console_session_log_user"),
                new Case("console, deep cursor", filter(null, "scale-vm-3", null, null, null, null, null, null), MIDDLE,
                        "console_session_log_console"),
                new Case("workstation, deep cursor", filter(null, null, "scale-ws-3", null, null, null, null, null), MIDDLE,
                        "console_session_log_workstation"),
                new Case("period", filter(null, null, null, Instant.parse("2020-06-01T00:00:00Z"),
                        Instant.parse("2020-06-08T00:00:00Z"), null, null, null), null, "console_session_log"),
                new Case("revoked, deep cursor", filter(null, null, null, null, null, SessionState.REVOKED, null, null), MIDDLE,
                        "console_session_log_state"),
                new Case("request #id", filter(null, null, null, null, null, null, SessionLog.Authority.REQUEST, 250_000L), null,
                        "console_session_log_request"));
    }

    @Test
    void everyKeysetQueryIsAnIndexScan() throws Exception {
        List<String> report = new ArrayList<>();
        for (Case c : cases()) {
            SessionLog.Sql sql = SessionLog.sql(c.filter(), c.cursor(), SessionLog.DEFAULT_PAGE + 1);
            JsonNode plan = Plans.explain(sql.text().replaceAll("\\?\\d+", "?"), sql.parameters());
            List<String> scans = Plans.scans(plan);
            double ms = plan.get("Execution Time").asDouble();
            report.add(String.format("[scale] %-26s %-40s %7.2f ms  %s", c.name(), String.join(" + ", scans), ms, sql.text()));
            assertFalse(scans.stream().anyMatch(s -> s.startsWith("Seq Scan on console_session")), c.name() + ": " + scans);
            assertTrue(scans.stream().anyMatch(s -> s.matches("Index (Only )?Scan( Backward)? using " + c.index() + " .*")),
                    c.name() + " should scan " + c.index() + ": " + scans);
            assertTrue(ms < 1000, c.name() + " took " + ms + " ms");
        }
        report.forEach(System.out::println);
    }

    @Test
    void theLogPagesThroughAMillionRowsQuickly() {
        String admin = fixtures.user("scaler", false, true);
        // a user's sessions from the middle of the table: the API's keyset pages, newest first, no repeats
        String first = given().auth().preemptive().basic(admin, Fixtures.PASSWORD)
                .get("/api/v1/admin/sessions/log?user=" + USER + "&limit=500").then().statusCode(200).extract().path("next");
        List<String> second = given().auth().preemptive().basic(admin, Fixtures.PASSWORD)
                .get("/api/v1/admin/sessions/log?user=" + USER + "&limit=500&after=" + first).then().statusCode(200)
                .extract().jsonPath().getList("sessions.startsAt");
        assertEquals(500, second.size());
        assertTrue(second.get(0).compareTo(first.substring(0, first.indexOf('_'))) < 0, "the second page is older");
        // the page itself, deep in the log
        long t0 = System.nanoTime();
        String html = io.spicegate.testing.Browser.login(admin, Fixtures.PASSWORD).request()
                .get("/admin/log?console=scale-vm-3&after=" + MIDDLE.token()).then().statusCode(200).extract().asString();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(50, SessionLogTest.rows(html).size());
        System.out.printf("[scale] /admin/log?console=…&after=<middle> rendered in %d ms (incl. login)%n", ms);
    }
}
