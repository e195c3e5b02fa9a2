package io.spicegate.requests;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.access.ApprovedWindow;
import io.spicegate.rules.ApprovedWindows;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static io.spicegate.requests.RequestApiTest.approve;
import static io.spicegate.requests.RequestApiTest.as;
import static io.spicegate.requests.RequestApiTest.askOk;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The seam between rules and requests: an approved request reaches the access decision through
 * {@link ApprovedWindows}, declared in rules and implemented in requests, on Monday 23 Nov 2026, 19:00 in Berlin.
 */
@QuarkusTest
class ApprovedWindowsTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @Inject
    ApprovedWindows approved;

    String user;
    String boss;
    String console;
    String other;

    @BeforeEach
    void mondayEvening() {
        clock.berlin("2026-11-23T19:00");
        user = fixtures.user("wanda");
        boss = fixtures.user("boss", true, false);
        console = fixtures.console("vm");
        other = fixtures.console("vm");
        for (String c : List.of(console, other)) {
            fixtures.rule(c).user(user).window(Fixtures.weekdays(), "08:00", "18:00").approver(boss).save();
        }
    }

    static long id(String table, String column, String value) {
        return Long.parseLong(Db.strings("select id::text from " + table + " where " + column + " = ?", value).get(0));
    }

    List<ApprovedWindow> of(long userId, Long consoleId, Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> approved.of(userId, consoleId, now));
    }

    @Test
    void anApprovalOpensTheConsoleThroughTheSeamAndOnlyWhileItsWindowRuns() {
        long userId = id("app_user", "username", user);
        long consoleId = id("console", "name", console);
        long otherId = id("console", "name", other);
        Instant now = clock.instant();
        assertEquals(List.of(), of(userId, null, now), "nothing approved yet");

        long request = askOk(user, console, 60);
        assertEquals(200, approve(boss, request, null).statusCode());
        ApprovedWindow window = new ApprovedWindow(request, console, Instant.parse("2026-11-23T18:00:00Z"),
                Instant.parse("2026-11-23T19:00:00Z"));
        assertEquals(List.of(window), of(userId, null, now), "all consoles");
        assertEquals(List.of(window), of(userId, consoleId, now), "this console");
        assertEquals(List.of(), of(userId, otherId, now), "another console");
        assertEquals(List.of(), of(userId, consoleId, window.end()), "ended: half-open");

        // and the decision reads it: the console is open until the window's end, the other one still needs approval
        as(user).get("/api/v1/consoles").then().statusCode(200)
                .body("find { it.name == '" + console + "' }.decision", equalTo("ALLOWED"))
                .body("find { it.name == '" + console + "' }.until", equalTo("2026-11-23T19:00:00Z"))
                .body("find { it.name == '" + other + "' }.decision", equalTo("NEEDS_APPROVAL"));
    }
}
