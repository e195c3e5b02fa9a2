package io.spicegate.admin;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Disabling or removing a workstation ends its live sessions at once (DESIGN.md rule 2, issue 13 point 2): REVOKED,
 * with the reason in the session and the audit log, as deactivating a user does; on the API and the admin pages.
 * Sessions on other workstations are untouched.
 */
@QuarkusTest
class WorkstationSessionsTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    String admin;
    String user;
    String console;

    @BeforeEach
    void setUp() {
        clock.berlin("2026-11-23T10:00");
        admin = fixtures.user("wsadmin", false, true);
        user = fixtures.user("wsuser");
        console = fixtures.console("vm");
        fixtures.rule(console).user(user).save();
    }

    RequestSpecification asAdmin() {
        return given().auth().preemptive().basic(admin, Fixtures.PASSWORD).contentType("application/json");
    }

    /** A workstation with an enrolled agent at a fresh address: [id, name, address, agent secret]. */
    String[] workstation() {
        String address = "10.90." + (1 + (int) (Math.random() * 250)) + "." + (1 + (int) (Math.random() * 250));
        String name = Fixtures.unique("wsend");
        var created = asAdmin().body(Map.of("name", name, "addresses", List.of(address)))
                .post("/api/v1/admin/workstations").then().statusCode(201).extract();
        String secret = given().contentType("application/json")
                .body(Map.of("token", created.path("enrollmentToken"), "hostname", "h"))
                .post("/api/agent/v1/enroll").then().statusCode(200).extract().path("secret");
        return new String[] {created.path("id").toString(), name, address, secret};
    }

    String openFrom(String address) {
        return given().auth().preemptive().basic(user, Fixtures.PASSWORD).header("X-Forwarded-For", address)
                .contentType("application/json").body(Map.of("console", console)).post("/api/v1/sessions")
                .then().statusCode(201).extract().path("id");
    }

    /** The session is REVOKED by the admin with {@code reason}, and audited so, once. */
    void revoked(String id, String reason) {
        UUID sid = UUID.fromString(id);
        assertEquals("REVOKED|" + admin + "|" + reason, Db.strings("select state || '|' || ended_by || '|' || end_reason "
                + "from console_session where id = ?", sid).get(0));
        assertEquals(List.of("SESSION_REVOKED|" + admin + "|" + reason), Db.strings("select action || '|' || actor || '|' "
                + "|| detail from audit_event where session_id = ? and action like 'SESSION_%' and action <> 'SESSION_OPENED'", sid));
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).get("/api/v1/sessions/" + id)
                .then().statusCode(200).body("state", equalTo("REVOKED"));
    }

    @Test
    void disablingAWorkstationRevokesItsLiveSessionsOnly() {
        String[] ws = workstation();
        String[] other = workstation();
        String id = openFrom(ws[2]);
        String elsewhere = openFrom(other[2]);

        asAdmin().body(Map.of("active", false)).put("/api/v1/admin/workstations/" + ws[0]).then().statusCode(200)
                .body("active", equalTo(false));

        revoked(id, "workstation " + ws[1] + " disabled");
        assertTrue(Db.strings("select detail from audit_event where action = 'WORKSTATION_CHANGED' and workstation = ?", ws[1])
                .stream().anyMatch(d -> d.endsWith("; 1 live session(s) revoked")));
        // its agent is shut out, and so is the launch file
        given().header("Authorization", "Bearer " + ws[3]).get("/api/agent/v1/grants").then().statusCode(401);
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).header("X-Forwarded-For", ws[2])
                .get("/api/v1/sessions/" + id + "/console.vv").then().statusCode(403);
        // enabling it again brings nothing back; the other workstation's session lives on
        asAdmin().body(Map.of("active", true)).put("/api/v1/admin/workstations/" + ws[0]).then().statusCode(200);
        assertEquals("REVOKED", Db.strings("select state from console_session where id = ?", UUID.fromString(id)).get(0));
        assertEquals("ACTIVE", Db.strings("select state from console_session where id = ?", UUID.fromString(elsewhere)).get(0));
    }

    @Test
    void removingAWorkstationRevokesItsLiveSessionsAndTheLogKeepsTheName() {
        String[] ws = workstation();
        String id = openFrom(ws[2]);

        asAdmin().delete("/api/v1/admin/workstations/" + ws[0]).then().statusCode(204);

        revoked(id, "workstation " + ws[1] + " removed");
        UUID sid = UUID.fromString(id);
        assertEquals(ws[1], Db.strings("select workstation_name from console_session where id = ?", sid).get(0));
        assertNull(Db.strings("select workstation_id from console_session where id = ?", sid).get(0));
        given().header("Authorization", "Bearer " + ws[3]).get("/api/agent/v1/grants").then().statusCode(401);
        asAdmin().get("/api/v1/admin/workstations/" + ws[0]).then().statusCode(404);
    }

    @Test
    void theAdminPagesDisableAndDeleteAlike() {
        Browser page = Browser.login(admin, Fixtures.PASSWORD);
        String csrf = page.csrf("/admin");
        String[] disabled = workstation();
        String[] deleted = workstation();
        String a = openFrom(disabled[2]);
        String b = openFrom(deleted[2]);

        page.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .post("/admin/workstations/" + disabled[0] + "/disable").then().statusCode(303);
        page.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .post("/admin/workstations/" + deleted[0] + "/delete").then().statusCode(303);

        revoked(a, "workstation " + disabled[1] + " disabled");
        revoked(b, "workstation " + deleted[1] + " removed");
    }
}
