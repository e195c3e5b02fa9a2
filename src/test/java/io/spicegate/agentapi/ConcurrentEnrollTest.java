package io.spicegate.agentapi;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.Parallel;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An enrollment token is redeemed once under any concurrency (DESIGN.md rule 7, issue 13 point 4): of 20 to 50
 * parallel enrollments with one token exactly one gets a secret and one AGENT_ENROLLED (HOST_AGENT_ENROLLED) row;
 * the others are refused with a sentence. Workstation and host tokens alike, several rounds each.
 */
@QuarkusTest
class ConcurrentEnrollTest {

    static final int[] CALLS = {20, 35, 50};

    @Inject
    Fixtures fixtures;

    String admin;

    @BeforeEach
    void setUp() {
        admin = fixtures.mondayMorningAdmin("enroll-admin");
    }

    RequestSpecification asAdmin() {
        return Fixtures.as(admin);
    }

    /** Redeems {@code token} from {@code calls} parallel agents; asserts one secret and one audit row of {@code action}. */
    void redeemedOnce(String token, int calls, String action, String name) throws Exception {
        String source = "10.92." + (1 + (int) (Math.random() * 250)) + "." + (1 + (int) (Math.random() * 250));
        Parallel.Burst burst = Parallel.burst(calls, () -> given().header("X-Forwarded-For", source)
                .contentType("application/json").body(Map.of("token", token, "hostname", "racer"))
                .post("/api/agent/v1/enroll").then().extract());
        List<ExtractableResponse<Response>> ok = burst.withStatus(200);
        assertEquals(1, ok.size(), "one secret of " + calls + ": " + burst.statuses());
        assertTrue(ok.get(0).path("secret").toString().length() > 20);
        for (ExtractableResponse<Response> a : burst.answers()) {
            if (a.statusCode() != 200) {
                assertTrue(a.statusCode() == 401 || a.statusCode() == 429, "refused as 4xx: " + a.statusCode() + " " + a.asString());
                assertTrue(a.path("error").toString().contains("ask the administrator"), a.asString());
            }
        }
        String column = action.equals("AGENT_ENROLLED") ? "workstation" : "actor";
        assertEquals(1, Db.count("select count(*) from audit_event where action = ? and " + column + " = ?", action, name),
                action + " once for " + name);
    }

    @Test
    void aWorkstationTokenIsRedeemedOnce() throws Exception {
        for (int calls : CALLS) {
            String name = Fixtures.unique("racews");
            String token = asAdmin().body(Map.of("name", name, "addresses", List.of("10.91.0." + (1 + calls))))
                    .post("/api/v1/admin/workstations").then().statusCode(201).extract().path("enrollmentToken");
            redeemedOnce(token, calls, "AGENT_ENROLLED", name);
        }
    }

    @Test
    void aHostTokenIsRedeemedOnce() throws Exception {
        for (int calls : CALLS) {
            String name = Fixtures.unique("racekvm");
            String token = asAdmin().body(Map.of("name", name, "address", "10.91.1." + (1 + calls)))
                    .post("/api/v1/admin/hosts").then().statusCode(201).extract().path("enrollmentToken");
            redeemedOnce(token, calls, "HOST_AGENT_ENROLLED", name);
        }
    }
}
