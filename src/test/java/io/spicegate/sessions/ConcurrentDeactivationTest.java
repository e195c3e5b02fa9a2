package io.spicegate.sessions;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.Parallel;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deactivating a user cuts him off even while he keeps clicking Open console (DESIGN.md rules 2 and 7; found by the
 * attack review of issue 15): an open in flight either commits before the deactivation, which then revokes it, or
 * sees the account inactive. No ACTIVE session of an inactive user survives, and nothing answers 5xx.
 */
@QuarkusTest
class ConcurrentDeactivationTest {

    static final int CALLS = 30;
    static final int ROUNDS = 6;

    @Inject Fixtures fixtures;
    @Inject TestClock clock;

    String admin;
    List<String> consoles;

    @BeforeEach
    void setUp() {
        clock.berlin("2026-11-23T10:00");
        admin = fixtures.user("deactivator", false, true);
        consoles = List.of(fixtures.console("race-a"), fixtures.console("race-b"), fixtures.console("race-c"));
    }

    @Test
    void opensRacingADeactivationLeaveNoLiveSession() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String user = fixtures.user("clicker");
            consoles.forEach(c -> fixtures.rule(c).user(user).save());
            long userId = Db.count("select id from app_user where username = ?", user);
            AtomicInteger next = new AtomicInteger();
            Parallel.Burst burst = Parallel.burst(CALLS, Parallel.retryingBusyLogins(() -> {
                int i = next.getAndIncrement();
                if (i == CALLS / 2) {
                    return given().auth().preemptive().basic(admin, Fixtures.PASSWORD).contentType("application/json")
                            .body(Map.of("active", false)).put("/api/v1/admin/users/" + userId).then().extract();
                }
                return open(user, consoles.get(i % consoles.size()));
            }));
            for (ExtractableResponse<Response> a : burst.answers()) {
                assertTrue(a.statusCode() < 500, "round " + round + ": " + a.statusCode() + " " + a.asString());
            }
            assertEquals(1, Db.count("select count(*) from app_user where id = ? and not active", userId), "round " + round);
            assertEquals(0, Db.count("select count(*) from console_session where user_id = ? and state = 'ACTIVE'", userId),
                    "round " + round + ": a session of the deactivated user is still ACTIVE; answers " + burst.statuses());
        }
    }

    private static ExtractableResponse<Response> open(String user, String console) {
        return given().auth().preemptive().basic(user, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("console", console)).post("/api/v1/sessions").then().extract();
    }
}
