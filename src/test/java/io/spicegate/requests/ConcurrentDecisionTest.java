package io.spicegate.requests;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two approvers and the requester click at the same moment, many times over: exactly one decision wins
 * (one 200, every other call 409), the request ends in that one state, and exactly one decision is audited.
 */
@QuarkusTest
class ConcurrentDecisionTest {

    static final int CALLS_PER_APPROVER = 8;
    static final int CANCELS = 4;

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @TestHTTPResource("/")
    URL portal;

    @BeforeEach
    void mondayEvening() {
        clock.berlin("2026-11-23T19:00");
    }

    /** One caller: the call it makes, with its own login session (no password hashing in the race). */
    record Call(String who, String cookie, String path, String body) { }

    @RepeatedTest(3)
    void exactlyOneDecisionWins() throws Exception {
        String user = fixtures.user("dora");
        String first = fixtures.user("boss", true, false);
        String second = fixtures.user("boss", true, false);
        String console = fixtures.console("vm");
        // two rules make the console NEEDS_APPROVAL tonight, each with its own approver
        fixtures.rule(console).user(user).window(Fixtures.weekdays(), "08:00", "18:00").approver(first).save();
        fixtures.rule(console).user(user).window(Fixtures.weekdays(), "08:00", "16:00").approver(second).save();
        long id = ((Number) given().auth().preemptive().basic(user, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("console", console, "minutes", 60, "reason", "release night"))
                .post("/api/v1/requests").then().statusCode(201).extract().path("id")).longValue();

        List<Call> calls = new ArrayList<>();
        for (String approver : List.of(first, second)) {
            String cookie = Browser.login(approver, Fixtures.PASSWORD).cookie();
            for (int i = 0; i < CALLS_PER_APPROVER; i++) {
                calls.add(i % 2 == 0
                        ? new Call(approver, cookie, "/api/v1/requests/" + id + "/approve", "{\"note\": \"ok " + i + "\"}")
                        : new Call(approver, cookie, "/api/v1/requests/" + id + "/deny", "{\"note\": \"no " + i + "\"}"));
            }
        }
        String userCookie = Browser.login(user, Fixtures.PASSWORD).cookie();
        for (int i = 0; i < CANCELS; i++) {
            calls.add(new Call(user, userCookie, "/api/v1/requests/" + id + "/cancel", "{}"));
        }

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String origin = "http://localhost:" + portal.getPort();
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        CountDownLatch ready = new CountDownLatch(calls.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        try {
            for (Call call : calls) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(origin + call.path()))
                        .header("Content-Type", "application/json")
                        .header("Cookie", Browser.COOKIE + "=" + call.cookie())
                        .header("Origin", origin)
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(call.body())).build();
                answers.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return http.send(request, HttpResponse.BodyHandlers.ofString());
                }));
            }
            assertTrue(ready.await(10, TimeUnit.SECONDS));
            go.countDown(); // all at once
            int ok = 0;
            int conflict = 0;
            List<String> unexpected = new ArrayList<>();
            for (Future<HttpResponse<String>> f : answers) {
                HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                if (r.statusCode() == 200) {
                    ok++;
                } else if (r.statusCode() == 409 && r.body().contains("cannot change any more")) {
                    conflict++;
                } else {
                    unexpected.add(r.statusCode() + " " + r.body());
                }
            }
            assertEquals(List.of(), unexpected);
            assertEquals(1, ok, "exactly one call wins");
            assertEquals(calls.size() - 1, conflict, "every other call is told it came too late");
        } finally {
            pool.shutdownNow();
        }

        String state = Db.strings("select state from access_request where id = ?", id).get(0);
        assertTrue(List.of("APPROVED", "DENIED", "CANCELLED").contains(state), state);
        long decisions = Db.count("select count(*) from audit_event where action in "
                + "('REQUEST_APPROVED', 'REQUEST_DENIED', 'REQUEST_CANCELLED') and detail like ?", "request #" + id + " %");
        assertEquals(1, decisions, "exactly one decision is audited");
        String audited = Db.strings("select action from audit_event where action in "
                + "('REQUEST_APPROVED', 'REQUEST_DENIED', 'REQUEST_CANCELLED') and detail like ?", "request #" + id + " %").get(0);
        assertEquals("REQUEST_" + state, audited, "the audit row matches the stored outcome");
        String decidedBy = Db.strings("select decided_by from access_request where id = ?", id).get(0);
        assertTrue(List.of(first, second, user).contains(decidedBy), decidedBy);
    }

    /**
     * The mechanism, step by step on two connections: the second approver's guarded UPDATE waits for the
     * first one's row lock, and once that commits it finds the request no longer PENDING and changes nothing.
     */
    @Test
    void theSecondGuardedUpdateWaitsAndThenFindsNothingToDecide() throws Exception {
        String user = fixtures.user("gil");
        String approver = fixtures.user("boss", true, false);
        String console = fixtures.console("vm");
        fixtures.rule(console).user(user).window(Fixtures.weekdays(), "08:00", "18:00").approver(approver).save();
        long id = ((Number) given().auth().preemptive().basic(user, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("console", console, "minutes", 60, "reason", "x"))
                .post("/api/v1/requests").then().statusCode(201).extract().path("id")).longValue();
        String guarded = "update access_request set state = ?, decided_by = ?, decided_at = now(), note = 'n',"
                + " approved_start = case when ? = 'APPROVED' then wanted_start end,"
                + " approved_end = case when ? = 'APPROVED' then wanted_start + make_interval(mins => minutes) end"
                + " where id = ? and state = 'PENDING'";
        ExecutorService second = Executors.newSingleThreadExecutor();
        try (Connection a = Db.connection(); Connection b = Db.connection()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            assertEquals(1, update(a, guarded, "APPROVED", "first", id), "the first approver finds it pending");
            Future<Integer> late = second.submit(() -> update(b, guarded, "DENIED", "second", id));
            Thread.sleep(500);
            assertFalse(late.isDone(), "the second waits for the first one's row lock");
            a.commit();
            assertEquals(0, late.get(10, TimeUnit.SECONDS), "then finds the request decided and changes nothing");
            b.commit();
        } finally {
            second.shutdownNow();
        }
        assertEquals(List.of("APPROVED|first"), Db.strings("select state || '|' || decided_by from access_request where id = ?", id));
    }

    private static int update(Connection c, String sql, String state, String by, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, state);
            ps.setString(2, by);
            ps.setString(3, state);
            ps.setString(4, state);
            ps.setLong(5, id);
            return ps.executeUpdate();
        }
    }
}
