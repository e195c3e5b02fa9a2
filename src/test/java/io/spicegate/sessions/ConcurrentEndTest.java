package io.spicegate.sessions;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.Parallel;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ending a session happens once under any concurrency (DESIGN.md rule 7, issue 13 point 7): 50 parallel End session
 * calls on the API, admin revocations, or the page's End session button give exactly one success and one audit row;
 * every other call is told it already ended (409), never a 5xx.
 */
@QuarkusTest
class ConcurrentEndTest {

    static final int CALLS = 50;
    static final int ROUNDS = 3;

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    String user;
    String console;
    String admin;

    @BeforeEach
    void setUp() {
        clock.berlin("2026-11-23T10:00");
        user = fixtures.user("ender");
        admin = fixtures.user("ender-admin", false, true);
        console = fixtures.console("vm");
        fixtures.rule(console).user(user).save();
    }

    String open() {
        return given().auth().preemptive().basic(user, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("console", console)).post("/api/v1/sessions").then().statusCode(201).extract().path("id");
    }

    /** Rounds of 50 parallel calls of {@code end} on a fresh session: one {@code ok}, the rest 409; one audit row. */
    void endsOnce(Function<String, ExtractableResponse<Response>> end, int ok, String action, String state) throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String id = open();
            Parallel.Burst burst = Parallel.burst(CALLS, Parallel.retryingBusyLogins(() -> end.apply(id)));
            assertEquals(Map.of(ok, 1, 409, CALLS - 1), burst.statuses(), "round " + round);
            for (ExtractableResponse<Response> refused : burst.withStatus(409)) {
                assertTrue(refused.asString().contains("already ended"), refused.asString());
            }
            assertEquals(1, Db.count("select count(*) from audit_event where action = ? and session_id = ?", action,
                    UUID.fromString(id)), "round " + round);
            assertEquals(state, Db.strings("select state from console_session where id = ?", UUID.fromString(id)).get(0));
        }
    }

    @Test
    void fiftyParallelDeletesEndTheSessionOnce() throws Exception {
        endsOnce(id -> given().auth().preemptive().basic(user, Fixtures.PASSWORD).delete("/api/v1/sessions/" + id)
                .then().extract(), 200, "SESSION_ENDED", "ENDED");
    }

    @Test
    void fiftyParallelRevocationsRevokeOnce() throws Exception {
        endsOnce(id -> given().auth().preemptive().basic(admin, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("reason", "maintenance")).post("/api/v1/admin/sessions/" + id + "/revoke").then().extract(),
                200, "SESSION_REVOKED", "REVOKED");
    }

    @Test
    void fiftyParallelEndButtonsEndTheSessionOnce() throws Exception {
        Browser b = Browser.login(user, Fixtures.PASSWORD);
        String csrf = b.csrf("/consoles");
        endsOnce(id -> b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .post("/sessions/" + id + "/end").then().extract(), 303, "SESSION_ENDED", "ENDED");
    }
}
