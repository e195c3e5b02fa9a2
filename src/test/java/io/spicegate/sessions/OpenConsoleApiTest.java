package io.spicegate.sessions;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Open console through the JSON API: session times, the one-shot launch file, ending, and who may do what. */
@QuarkusTest
class OpenConsoleApiTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @BeforeEach
    void mondayTenInBerlin() {
        clock.berlin("2026-11-23T10:00");
    }

    static RequestSpecification as(String user) {
        return given().auth().preemptive().basic(user, Fixtures.PASSWORD);
    }

    static ExtractableResponse<Response> open(String user, String console) {
        return as(user).contentType("application/json").body("{\"console\":\"" + console + "\"}")
                .post("/api/v1/sessions").then().extract();
    }

    @Test
    void openServesTheLaunchFileOnceThen410() {
        String u = fixtures.user("olga");
        String c = fixtures.console("vm");
        fixtures.rule(c).user(u).window(Fixtures.weekdays(), "08:00", "18:00").save();

        var opened = open(u, c);
        assertEquals(201, opened.statusCode(), opened.asString());
        assertEquals(c, opened.path("console"));
        assertEquals("mylap", opened.path("workstation"));
        assertEquals("none", opened.path("firewall"));
        assertEquals("2026-11-23T17:00:00Z", opened.path("endsAt")); // 18:00 Berlin: the window's end
        String vvUrl = opened.path("vvUrl");

        // a HEAD (a link checker, a download manager) would use the file up without delivering it: refused
        as(u).head(vvUrl).then().statusCode(405);
        io.spicegate.testing.Browser page = io.spicegate.testing.Browser.login(u, Fixtures.PASSWORD);
        page.request().head("/sessions/" + opened.path("id") + "/console.vv").then().statusCode(405);

        String vv = as(u).get(vvUrl).then().statusCode(200)
                .contentType("application/x-virt-viewer")
                .header("Content-Disposition", "attachment; filename=\"" + c + ".vv\"")
                .extract().asString();
        assertTrue(vv.startsWith("[virt-viewer]\n"), vv);
        assertTrue(vv.contains("\ntype=spice\n"));
        assertTrue(vv.contains("\nhost=127.0.0.1\n"));
        assertTrue(vv.contains("\ntls-port="));
        assertTrue(vv.contains("\nca=-----BEGIN CERTIFICATE-----\\n"), vv);
        assertTrue(vv.contains("\nhost-subject=CN=mysrv\n"));
        assertTrue(vv.contains("\nsecure-channels=all\n"));
        assertTrue(vv.contains("\npassword=secret-" + c + "\n"));
        assertTrue(vv.contains("\ndelete-this-file=1\n"));
        assertFalse(vv.contains("\nport="), "a TLS console has no plain port");

        as(u).get(vvUrl).then().statusCode(410).body("error", containsString("works only once"));

        // opening again returns the same session with a fresh launch file
        var again = open(u, c);
        assertEquals(201, again.statusCode());
        assertEquals((String) opened.path("id"), again.path("id"));
        as(u).get(vvUrl).then().statusCode(200);
        as(u).get(vvUrl).then().statusCode(410);

        assertTrue(Db.auditOf(u).stream().noneMatch(r -> r.contains("secret-" + c)), "no password in the audit log");
        assertTrue(Db.auditOf(u).stream().anyMatch(r -> r.startsWith("VV_DOWNLOADED")));
    }

    @Test
    void endIsMinOfWindowEndAndMaxMinutes() {
        String u = fixtures.user("pia");
        String c = fixtures.console("vm");
        fixtures.rule(c).user(u).window(Fixtures.weekdays(), "08:00", "18:00").maxMinutes(90).save();
        var opened = open(u, c);
        assertEquals("2026-11-23T10:30:00Z", opened.path("endsAt")); // 10:00 Berlin + 90 min
        clock.berlin("2026-11-23T17:30");
        String u2 = fixtures.user("pia");
        String c2 = fixtures.console("vm");
        fixtures.rule(c2).user(u2).window(Fixtures.weekdays(), "08:00", "18:00").maxMinutes(90).save();
        assertEquals("2026-11-23T17:00:00Z", open(u2, c2).path("endsAt")); // window ends first
    }

    @Test
    void theRuleWithTheLargestMaxMinutesWins() {
        String u = fixtures.user("quin");
        String c = fixtures.console("vm");
        fixtures.rule(c).user(u).maxMinutes(30).save();
        fixtures.rule(c).user(u).maxMinutes(120).save();
        assertEquals("2026-11-23T11:00:00Z", open(u, c).path("endsAt"));
    }

    @Test
    void endingASessionMakesTheLaunchFileUseless() {
        String u = fixtures.user("rita");
        String c = fixtures.console("vm");
        fixtures.rule(c).user(u).save();
        var opened = open(u, c);
        String id = opened.path("id");
        as(u).delete("/api/v1/sessions/" + id).then().statusCode(200).body("state", equalTo("ENDED"));
        as(u).get("/api/v1/sessions/" + id + "/console.vv").then().statusCode(410).body("error", containsString("ended"));
        as(u).delete("/api/v1/sessions/" + id).then().statusCode(409).body("error", containsString("already ended"));
        // and a new open makes a new session
        assertFalse(id.equals(open(u, c).path("id")));
    }

    @Test
    void outsideTheWindowNothingIsCreated() {
        String u = fixtures.user("sam");
        String boss = fixtures.user("boss");
        String c = fixtures.console("vm");
        fixtures.rule(c).user(u).window(Fixtures.weekdays(), "08:00", "18:00").approver(boss).save();
        clock.berlin("2026-11-23T19:00");
        var r = open(u, c);
        assertEquals(403, r.statusCode());
        assertTrue(r.path("error").toString().contains("only with approval"), r.asString());
        assertTrue(r.path("error").toString().contains("Tue 24 Nov 08:00"), r.asString());
        assertEquals(0, Db.count("select count(*) from console_session where username = ?", u));
        assertTrue(Db.auditOf(u).stream().anyMatch(a -> a.startsWith("ACCESS_REFUSED")));
    }

    @Test
    void aConsoleWithoutARuleIsNotFoundForThatUser() {
        String u = fixtures.user("tom");
        String other = fixtures.user("uma");
        String c = fixtures.console("vm");
        fixtures.rule(c).user(other).save();
        var r = open(u, c);
        assertEquals(404, r.statusCode());
        assertTrue(r.path("error").toString().contains("You have no console named"));
        assertEquals(0, Db.count("select count(*) from console_session where console_name = ?", c));
        as(u).get("/api/v1/consoles").then().statusCode(200).body("name", not(org.hamcrest.Matchers.hasItem(c)));
    }

    @Test
    void anotherUsersSessionAndLaunchFileAreOutOfReach() {
        String owner = fixtures.user("vic");
        String thief = fixtures.user("wes");
        String c = fixtures.console("vm");
        fixtures.rule(c).user(owner).save();
        fixtures.rule(c).user(thief).save();
        String id = open(owner, c).path("id");
        as(thief).get("/api/v1/sessions/" + id).then().statusCode(404);
        as(thief).get("/api/v1/sessions/" + id + "/console.vv").then().statusCode(404);
        as(thief).delete("/api/v1/sessions/" + id).then().statusCode(404);
        // nothing happened to it: the owner still gets his file once
        as(owner).get("/api/v1/sessions/" + id + "/console.vv").then().statusCode(200);
        as(owner).get("/api/v1/sessions/" + id).then().statusCode(200).body("state", equalTo("ACTIVE"));
    }

    @Test
    void anonymousCallsAre401() {
        given().contentType("application/json").body("{\"console\":\"vm3\"}").post("/api/v1/sessions")
                .then().statusCode(401).body("error", containsString("Log in"));
        given().get("/api/v1/sessions").then().statusCode(401);
        given().get("/api/v1/sessions/00000000-0000-0000-0000-000000000000/console.vv").then().statusCode(401);
    }

    @Test
    void anUnknownWorkstationAddressGetsAClearMessageAndNothingIsCreated() {
        String u = fixtures.user("xan");
        String c = fixtures.console("vm");
        fixtures.rule(c).user(u).save();
        var r = as(u).header("X-Forwarded-For", "198.51.100.7").contentType("application/json")
                .body("{\"console\":\"" + c + "\"}").post("/api/v1/sessions").then().extract();
        assertEquals(403, r.statusCode());
        assertTrue(r.path("error").toString().contains("198.51.100.7"), r.asString());
        assertTrue(r.path("error").toString().contains("not a registered workstation"));
        assertEquals(0, Db.count("select count(*) from console_session where username = ?", u));
    }

    @Test
    void theWorkstationIsFoundByTheMostSpecificAddress() {
        String u = fixtures.user("yul");
        String c = fixtures.console("vm");
        fixtures.rule(c).user(u).save();
        String lab = fixtures.workstation("lab", "10.77.0.0/16");
        String desk = fixtures.workstation("desk", "10.77.1.5");
        var r = as(u).header("X-Forwarded-For", "10.77.1.5").contentType("application/json")
                .body("{\"console\":\"" + c + "\"}").post("/api/v1/sessions").then().extract();
        assertEquals(201, r.statusCode(), r.asString());
        assertEquals(desk, r.path("workstation"));
        String u2 = fixtures.user("yul");
        String c2 = fixtures.console("vm");
        fixtures.rule(c2).user(u2).save();
        assertEquals(lab, as(u2).header("X-Forwarded-For", "10.77.9.9").contentType("application/json")
                .body("{\"console\":\"" + c2 + "\"}").post("/api/v1/sessions").then().extract().path("workstation"));
    }

    @Test
    void aConsoleInUseBySomeoneElseIsRefusedWithWhoAndUntilWhen() {
        String anne = fixtures.user("anne");
        String maggie = fixtures.user("maggie");
        String c = fixtures.console("vm");
        fixtures.rule(c).user(anne).window(Fixtures.weekdays(), "08:00", "17:00").save();
        fixtures.rule(c).user(maggie).save();
        assertEquals(201, open(anne, c).statusCode());
        var r = open(maggie, c);
        assertEquals(409, r.statusCode());
        assertTrue(r.path("error").toString().contains("in use by " + anne + " until 17:00"), r.asString());
        as(maggie).get("/api/v1/consoles").then().statusCode(200)
                .body("find { it.name == '" + c + "' }.inUseBy", equalTo(anne))
                .body("find { it.name == '" + c + "' }.inUseUntil", equalTo("2026-11-23T16:00:00Z"));
    }

    @Test
    void aSessionPastItsEndNeitherBlocksTheConsoleNorIsReopened() {
        String anne = fixtures.user("anne");
        String maggie = fixtures.user("maggie");
        String c = fixtures.console("vm");
        fixtures.rule(c).user(anne).window(Fixtures.weekdays(), "08:00", "10:30").save();
        fixtures.rule(c).user(maggie).save();
        String annes = open(anne, c).path("id");
        clock.advance(Duration.ofMinutes(31)); // anne's window closed at 10:30; the sweep may not have run yet
        var r = open(maggie, c);
        assertEquals(201, r.statusCode(), "a session past its end does not hold the console: " + r.asString());
        String maggies = r.path("id");
        assertEquals(1, Db.count("select count(*) from console_session where id = ?::uuid and state = 'EXPIRED'", annes));
        assertEquals(1, Db.count("select count(*) from audit_event where action = 'SESSION_EXPIRED' and session_id = ?::uuid", annes));
        // maggie's own session, past its end, is not handed out again: opening starts a new one
        clock.advance(Duration.ofHours(30));
        var again = open(maggie, c);
        assertEquals(201, again.statusCode(), again.asString());
        assertNotEquals(maggies, again.path("id"), "a new session, not the ended one");
        assertEquals(1, Db.count("select count(*) from console_session where id = ?::uuid and state = 'EXPIRED'", maggies));
    }

    @Test
    void sessionsExpireByTimeAndTheLaunchFileGoesWithThem() {
        String u = fixtures.user("zed");
        String c = fixtures.console("vm");
        fixtures.rule(c).user(u).window(Fixtures.weekdays(), "08:00", "10:30").save();
        String id = open(u, c).path("id");
        clock.advance(Duration.ofMinutes(31));
        as(u).get("/api/v1/sessions/" + id + "/console.vv").then().statusCode(410);
        as(u).get("/api/v1/sessions/" + id).then().statusCode(200).body("state", equalTo("EXPIRED"));
        // the sweep writes the terminal state and audits it once
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (Db.count("select count(*) from console_session where id = ?::uuid and state = 'EXPIRED'", id) == 0
                && System.nanoTime() < deadline) {
            sleep(200);
        }
        assertEquals(1, Db.count("select count(*) from console_session where id = ?::uuid and state = 'EXPIRED'", id));
        assertEquals(1, Db.count("select count(*) from audit_event where action = 'SESSION_EXPIRED' and session_id = ?::uuid", id));
    }

    @Test
    void terminalStatesAreFinalInSql() throws Exception {
        String u = fixtures.user("abe");
        String c = fixtures.console("vm");
        fixtures.rule(c).user(u).save();
        String id = open(u, c).path("id");
        as(u).delete("/api/v1/sessions/" + id).then().statusCode(200);
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class, () ->
                Db.update("update console_session set state = 'ACTIVE', ended_at = null where id = ?::uuid", id));
        assertTrue(e.getMessage().contains("cannot change"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class, () ->
                Db.update("update console_session set state = 'REVOKED' where id = ?::uuid", id));
        // and only one ACTIVE session per user, console and workstation
        String id2 = open(u, c).path("id");
        org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class, () -> Db.update(
                "insert into console_session (id, user_id, console_id, workstation_id, username, unix_username, console_name,"
                        + " workstation_name, source_address, starts_at, ends_at, state, vv_nonce)"
                        + " select gen_random_uuid(), user_id, console_id, workstation_id, username, unix_username, console_name,"
                        + " workstation_name, source_address, starts_at, ends_at, 'ACTIVE', 'x' from console_session where id = ?::uuid", id2));
    }

    @Test
    void badInputGetsAClear400() {
        String u = fixtures.user("bea");
        as(u).contentType("application/json").body("{\"console\": ").post("/api/v1/sessions")
                .then().statusCode(400).body("error", containsString("not valid JSON"));
        as(u).contentType("application/json").body("{}").post("/api/v1/sessions")
                .then().statusCode(400).body("error", containsString("Say which console"));
        as(u).get("/api/v1/sessions/not-a-uuid").then().statusCode(404).body("error", containsString("no session"));
        as(u).contentType("application/json").body("{\"console\": [1, 2]}").post("/api/v1/sessions")
                .then().statusCode(400).body("error", containsString("'console' has the wrong type"));
    }

    @Test
    void mySessionsListsMine() {
        String u = fixtures.user("cal");
        String c = fixtures.console("vm");
        fixtures.rule(c).user(u).save();
        String id = open(u, c).path("id");
        as(u).get("/api/v1/sessions").then().statusCode(200).body("[0].id", equalTo(id))
                .body("[0].secondsLeft", equalTo(8 * 3600)); // the default longest session: 480 minutes
        Instant now = clock.instant();
        assertTrue(now.isBefore(Instant.parse("2026-11-24T00:00:00Z")));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
