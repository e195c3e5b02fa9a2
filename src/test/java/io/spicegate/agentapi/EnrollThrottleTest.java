package io.spicegate.agentapi;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.Parallel;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failed enrollments are throttled per source address and audited in summary (issue 13 point 6), with the production
 * limit (10 failures a minute): 200 bogus enrollments from one address give 10 × 401, then 429 with Retry-After, and
 * one audit row at once; when the window closes, the periodic flush writes one summary row with the count, without
 * another request. Another address, and a valid token from the throttled one, still enroll.
 */
@QuarkusTest
@TestProfile(EnrollThrottleTest.ProductionLimits.class)
class EnrollThrottleTest {

    static final int LIMIT = 10;
    static final int BOGUS = 200;

    /** The production limits, which the test profile raises for every other test. */
    public static class ProductionLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("%test.spicegate.agent.enroll-failure-limit", Integer.toString(LIMIT),
                    "spicegate.agent.enroll-failure-limit", Integer.toString(LIMIT),
                    "%test.spicegate.agent.enroll-failure-window-seconds", "60");
        }
    }

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    static String address() {
        return "203.0.113." + (1 + (int) (Math.random() * 250));
    }

    static ExtractableResponse<Response> enroll(String source, String token) {
        return given().header("X-Forwarded-For", source).contentType("application/json")
                .body(Map.of("token", token, "hostname", "h")).post("/api/agent/v1/enroll").then().extract();
    }

    String workstationToken() {
        String admin = fixtures.user("throttle-admin", false, true);
        return given().auth().preemptive().basic(admin, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("name", Fixtures.unique("throttled"), "addresses", List.of("10.89.0.1")))
                .post("/api/v1/admin/workstations").then().statusCode(201).extract().path("enrollmentToken");
    }

    long rowsFrom(String source, long after) {
        return Db.count("select count(*) from audit_event where action = 'ENROLL_FAILED' and source = ? and id > ?",
                source, after);
    }

    @Test
    void bogusEnrollmentsAreThrottledAndAuditedInSummary() throws Exception {
        clock.berlin("2026-11-23T10:00");
        long mark = Db.count("select coalesce(max(id), 0) from audit_event");
        String attacker = address();
        String tokenPrefix = "sgw_bogus-" + System.nanoTime() + "-";

        int unauthorized = 0;
        int throttled = 0;
        for (int burst = 0; burst < BOGUS / 20; burst++) {
            int b = burst;
            Parallel.Burst answers = Parallel.burst(20, () -> enroll(attacker, tokenPrefix + b));
            for (ExtractableResponse<Response> a : answers.answers()) {
                String error = a.path("error");
                assertTrue(error != null && error.endsWith("."), a.asString());
                if (a.statusCode() == 401) {
                    unauthorized++;
                } else {
                    assertEquals(429, a.statusCode(), a.asString());
                    assertTrue(error.contains("Too many failed enrollments from " + attacker), error);
                    int retryAfter = Integer.parseInt(a.header("Retry-After"));
                    assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
                    throttled++;
                }
            }
        }
        assertEquals(LIMIT, unauthorized);
        assertEquals(BOGUS - LIMIT, throttled);
        assertEquals(1, rowsFrom(attacker, mark), "only the first failure is audited at once");

        // another address enrolls; so does a valid token from the throttled address (the check itself is cheap)
        String bystander = address().replace("203.0.113.", "198.51.100.");
        assertEquals(200, enroll(bystander, workstationToken()).statusCode());
        assertEquals(200, enroll(attacker, workstationToken()).statusCode());

        // the window closes: the periodic flush writes the summary, no request needed
        clock.advance(Duration.ofSeconds(61));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (rowsFrom(attacker, mark) < 2 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        List<String> rows = Db.strings("select detail from audit_event where action = 'ENROLL_FAILED' and source = ? "
                + "and id > ? order by id", attacker, mark);
        assertEquals(2, rows.size(), rows.toString());
        assertTrue(rows.get(1).startsWith((BOGUS - 1) + " more failed enrollment(s) from this address"), rows.get(1));
        assertTrue(rows.get(1).endsWith("(" + (BOGUS - LIMIT) + " answered 429)"), rows.get(1));
        assertTrue(rows.stream().noneMatch(r -> r.contains(tokenPrefix)), "no token in the audit log");

        // a new window: the address is heard again, and its first failure audited at once
        assertEquals(401, enroll(attacker, tokenPrefix + "late").statusCode());
        assertEquals(3, rowsFrom(attacker, mark));
        assertEquals(0, Db.count("select count(*) from audit_event where id > ? and action = 'ENROLL_FAILED' "
                + "and source = ?", mark, bystander));
    }
}
