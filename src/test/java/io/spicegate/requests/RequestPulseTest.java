package io.spicegate.requests;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The live-update pulse ({@code GET /api/v1/requests/pulse}) that My requests, Approvals and the nav counts poll:
 * the caller's own counts and a stamp that moves exactly when his lists would show something else; read from the
 * database alone (a change written by another replica shows the same); 401 without a login.
 */
@QuarkusTest
class RequestPulseTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    String user;
    String boss;
    String bystander;
    String console;

    @BeforeEach
    void mondayEvening() {
        Fixtures.OffHours o = fixtures.offHoursConsole("gus", "boss", "vm");
        user = o.user();
        boss = o.approver();
        console = o.console();
        bystander = fixtures.user("ida");
        String own = fixtures.console("own");
        fixtures.rule(own).user(bystander).window(Fixtures.weekdays(), "08:00", "18:00").approver(boss).save();
    }

    static JsonPath pulse(String who) {
        return Fixtures.as(who).get("/api/v1/requests/pulse").then().statusCode(200)
                .body("stamp", not(emptyOrNullString())).extract().jsonPath();
    }

    long ask(String who, String consoleName) {
        return ((Number) Fixtures.as(who).contentType("application/json")
                .body(Map.of("console", consoleName, "minutes", 30, "reason", "pulse"))
                .post("/api/v1/requests").then().statusCode(201).extract().path("id")).longValue();
    }

    @Test
    void theStampMovesWhenTheListsWouldChangeAndOnlyForThoseConcerned() {
        JsonPath u0 = pulse(user);
        JsonPath b0 = pulse(boss);
        JsonPath x0 = pulse(bystander);
        assertEquals(0, u0.getInt("unseen"));
        assertEquals(0, b0.getInt("toDecide"));

        long id = ask(user, console);
        JsonPath u1 = pulse(user);
        JsonPath b1 = pulse(boss);
        assertNotEquals(u0.getString("stamp"), u1.getString("stamp"), "my new request moves my stamp");
        assertNotEquals(b0.getString("stamp"), b1.getString("stamp"), "a request to decide moves the approver's stamp");
        assertEquals(1, b1.getInt("toDecide"));
        assertEquals(x0.getString("stamp"), pulse(bystander).getString("stamp"), "someone else's request is not mine");
        assertEquals(0, pulse(bystander).getInt("toDecide"));

        Fixtures.as(boss).contentType("application/json").body(Map.of("note", "ok"))
                .post("/api/v1/requests/" + id + "/approve").then().statusCode(200);
        JsonPath u2 = pulse(user);
        JsonPath b2 = pulse(boss);
        assertNotEquals(u1.getString("stamp"), u2.getString("stamp"), "the decision moves the requester's stamp");
        assertEquals(1, u2.getInt("unseen"));
        assertNotEquals(b1.getString("stamp"), b2.getString("stamp"), "decided: out of the approver's inbox");
        assertEquals(0, b2.getInt("toDecide"));
        assertEquals(x0.getString("stamp"), pulse(bystander).getString("stamp"));

        // looking at My requests clears the count but does not move the stamp (the list itself is the same)
        Browser.login(user, Fixtures.PASSWORD).request().get("/requests").then().statusCode(200);
        JsonPath u3 = pulse(user);
        assertEquals(0, u3.getInt("unseen"));
        assertEquals(u2.getString("stamp"), u3.getString("stamp"));
    }

    @Test
    void withdrawnAndExpiredRequestsLeaveTheInbox() {
        long id = ask(user, console);
        String pending = pulse(boss).getString("stamp");
        Fixtures.as(user).post("/api/v1/requests/" + id + "/cancel").then().statusCode(200);
        assertNotEquals(pending, pulse(boss).getString("stamp"));
        assertEquals(0, pulse(boss).getInt("toDecide"));

        ask(user, console);
        pending = pulse(boss).getString("stamp");
        clock.advance(Duration.ofDays(3)); // past the pending hours: no longer decidable, then swept
        assertNotEquals(pending, pulse(boss).getString("stamp"), "an expired request leaves the inbox at once");
        assertEquals(0, pulse(boss).getInt("toDecide"));
    }

    @Test
    void aChangeWrittenElsewhereShowsTheSameNoMemoryOfOneProcess() throws Exception {
        long id = ask(user, console);
        String before = pulse(user).getString("stamp");
        // as another replica would have written it: straight into the shared database
        Db.update("update access_request set state = 'DENIED', decided_by = ?, decided_at = now(), note = 'no' "
                + "where id = ?", boss, id);
        JsonPath after = pulse(user);
        assertNotEquals(before, after.getString("stamp"));
        assertEquals(1, after.getInt("unseen"));
    }

    @Test
    void itNeedsALoginAndAnswersOnlyForTheCaller() {
        given().get("/api/v1/requests/pulse").then().statusCode(401).body("error", not(emptyOrNullString()));
        given().auth().preemptive().basic(user, "wrong-password").get("/api/v1/requests/pulse").then().statusCode(401);
        // the browser's login cookie is enough (that is what js/live.js sends)
        Browser.login(user, Fixtures.PASSWORD).request().get("/api/v1/requests/pulse").then().statusCode(200)
                .body("toDecide", org.hamcrest.Matchers.equalTo(0));
        // nothing but counts and a stamp: no names, consoles or ids of anyone
        ask(user, console);
        String body = Fixtures.as(boss).get("/api/v1/requests/pulse").then().statusCode(200).extract().asString();
        assertEquals(java.util.Set.of("toDecide", "unseen", "stamp"),
                new JsonPath(body).getMap("$").keySet(), body);
        org.junit.jupiter.api.Assertions.assertFalse(body.contains(user) || body.contains(console), body);
    }
}
