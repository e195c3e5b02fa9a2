package io.spicegate.requests;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.restassured.RestAssured;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Off-hours requests through the JSON API on Monday 23 Nov 2026, 19:00 in Berlin (18:00Z): asking, the
 * bounds, who may decide, what an approval opens, denial notes, expiry, and the SQL guards.
 */
@QuarkusTest
class RequestApiTest {

    static final String NOW = "2026-11-23T18:00:00Z";

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @Inject
    RequestService requests;

    String user;
    String boss;
    String console;

    @BeforeEach
    void mondayEveningAndAnOffHoursConsole() {
        Fixtures.OffHours office = fixtures.offHoursConsole("anna", "boss", "vm");
        user = office.user();
        boss = office.approver();
        console = office.console();
    }

    static RequestSpecification as(String who) {
        return Fixtures.as(who);
    }

    static Map<String, Object> body(String console, Integer minutes, String reason) {
        Map<String, Object> b = new HashMap<>();
        b.put("console", console);
        b.put("minutes", minutes);
        b.put("reason", reason);
        return b;
    }

    static ExtractableResponse<Response> ask(String who, Object body) {
        return as(who).body(body).post("/api/v1/requests").then().extract();
    }

    static long askOk(String who, String console, int minutes) {
        var r = ask(who, body(console, minutes, "month-end closing"));
        assertEquals(201, r.statusCode(), r.asString());
        return ((Number) r.path("id")).longValue();
    }

    static ExtractableResponse<Response> approve(String who, long id, String note) {
        return as(who).body(note == null ? "{}" : Map.of("note", note)).post("/api/v1/requests/" + id + "/approve")
                .then().extract();
    }

    static ExtractableResponse<Response> deny(String who, long id, String note) {
        return as(who).body(note == null ? "{}" : Map.of("note", note)).post("/api/v1/requests/" + id + "/deny")
                .then().extract();
    }

    @Test
    void askListAndCancel() {
        var created = ask(user, body(console, 60, "month-end closing"));
        assertEquals(201, created.statusCode(), created.asString());
        long id = ((Number) created.path("id")).longValue();
        assertEquals("/api/v1/requests/" + id, created.header("Location").replaceAll("^https?://[^/]+", ""));
        assertEquals("PENDING", created.path("state"));
        assertEquals(NOW, created.path("start")); // no start: now
        assertEquals(60, (int) created.path("minutes"));
        assertEquals("month-end closing", created.path("reason"));
        assertEquals(console, created.path("console"));
        assertEquals(user, created.path("requester"));
        assertEquals("Europe/Berlin", created.path("zone"));
        assertEquals("2026-11-24T18:00:00Z", created.path("expiresAt")); // 24 pending hours

        as(user).get("/api/v1/requests").then().statusCode(200)
                .body("[0].id", equalTo((int) id)).body("[0].state", equalTo("PENDING"))
                .body("[0].note", nullValue()).body("[0].decidedBy", nullValue()).body("[0].approvedStart", nullValue());
        as(user).get("/api/v1/requests/" + id).then().statusCode(200).body("state", equalTo("PENDING"));

        as(user).post("/api/v1/requests/" + id + "/cancel").then().statusCode(200)
                .body("state", equalTo("CANCELLED")).body("decidedBy", equalTo(user)).body("decidedAt", equalTo(NOW));
        as(user).post("/api/v1/requests/" + id + "/cancel").then().statusCode(409)
                .body("error", containsString("was withdrawn by " + user));
        assertEquals(409, approve(boss, id, null).statusCode(), "a cancelled request cannot be approved");
        as(boss).get("/api/v1/approvals").then().statusCode(200).body("id", not(hasItem((int) id)));

        List<String> audit = Db.auditOf(user);
        assertTrue(audit.stream().anyMatch(a -> a.startsWith("REQUEST_CREATED|" + user + "|" + console + "|request #" + id
                + ": 2026-11-23T18:00:00Z for 60 min; reason: month-end closing")), audit.toString());
        assertTrue(audit.stream().anyMatch(a -> a.startsWith("REQUEST_CANCELLED|" + user + "|" + console)), audit.toString());
    }

    @Test
    void onePendingRequestPerUserAndConsole() throws Exception {
        long first = askOk(user, console, 60);
        var again = ask(user, body(console, 30, "another reason"));
        assertEquals(409, again.statusCode());
        assertEquals("You already have a pending request for " + console + " (#" + first
                + "): wait for the decision, or cancel it and ask again.", again.path("error"));
        // the database holds the line too, whatever the code does
        SQLException e = assertThrows(SQLException.class, () -> Db.update("""
                insert into access_request (user_id, console_id, username, console_name, zone, wanted_start, minutes,
                    reason, state, created_at, expires_at)
                select user_id, console_id, username, console_name, zone, wanted_start, minutes, 'x', 'PENDING',
                    created_at, expires_at from access_request where id = ?""", first));
        assertTrue(e.getMessage().contains("access_request_one_pending"), e.getMessage());
        // another console, or another user, is fine
        String other = fixtures.console("vm");
        fixtures.rule(other).user(user).window(Fixtures.weekdays(), "08:00", "18:00").approver(boss).save();
        askOk(user, other, 30);
        // once the first is closed, the user may ask again
        as(user).post("/api/v1/requests/" + first + "/cancel").then().statusCode(200);
        askOk(user, console, 30);
    }

    @Test
    void badInputGetsA400AndStoresNothing() {
        Map<String, Object> tooLong = body(console, 481, "x");
        assertEquals("Ask for 1 to 480 minutes of " + console + " (the rule's maximum).", ask(user, tooLong).path("error"));
        assertEquals(400, ask(user, body(console, 0, "x")).statusCode());
        assertEquals(400, ask(user, body(console, -5, "x")).statusCode());
        assertEquals("Say for how long: \"minutes\", e.g. 60.", ask(user, body(console, null, "x")).path("error"));

        Map<String, Object> past = body(console, 60, "x");
        past.put("start", "2026-11-23T17:00:00Z");
        var r = ask(user, past);
        assertEquals(400, r.statusCode());
        assertEquals("The start you asked for (2026-11-23T17:00:00Z) has passed: ask for now or a later time.", r.path("error"));
        Map<String, Object> farAhead = body(console, 60, "x");
        farAhead.put("start", "2027-01-23T18:00:00Z");
        assertEquals("Ask at most 30 days ahead: choose an earlier start.", ask(user, farAhead).path("error"));

        assertEquals("Say why you need " + console + " then: a \"reason\" of at most 500 characters, which the approver reads.",
                ask(user, body(console, 60, null)).path("error"));
        assertEquals(400, ask(user, body(console, 60, "  \n ")).statusCode());
        assertEquals("The reason contains a control character (U+0000): remove it and send it again.",
                ask(user, body(console, 60, "a\u0000b")).path("error"));
        assertEquals("The reason is too long: at most 500 characters.", ask(user, body(console, 60, "x".repeat(501))).path("error"));

        as(user).body("{\"console\": ").post("/api/v1/requests").then().statusCode(400)
                .body("error", containsString("not valid JSON"));
        as(user).body("{\"console\": \"" + console + "\", \"minutes\": 60, \"reason\": \"x\", \"start\": \"tomorrow\"}")
                .post("/api/v1/requests").then().statusCode(400).body("error", containsString("not valid JSON"));
        as(user).body("{\"console\": \"" + console + "\", \"minutes\": \"sixty\", \"reason\": \"x\"}")
                .post("/api/v1/requests").then().statusCode(400).body("error", containsString("not valid JSON"));
        as(user).body(body(null, 60, "x")).post("/api/v1/requests").then().statusCode(400)
                .body("error", equalTo("Say which console you ask for: \"console\": \"leaptest\"."));
        as(user).body(body("no-such-vm", 60, "x")).post("/api/v1/requests").then().statusCode(404)
                .body("error", equalTo("You have no console named 'no-such-vm': check My consoles."));
        // a console that exists but is not his looks the same
        String foreign = fixtures.console("vm");
        as(user).body(body(foreign, 60, "x")).post("/api/v1/requests").then().statusCode(404);

        assertEquals(0, Db.count("select count(*) from access_request where username = ?", user));
        assertTrue(Db.auditOf(user).stream().noneMatch(a -> a.startsWith("REQUEST_")));
    }

    @Test
    void theLongestRequestIsTheRulesMaximum() {
        String u = fixtures.user("ben");
        String c = fixtures.console("vm");
        fixtures.rule(c).user(u).window(Fixtures.weekdays(), "08:00", "18:00").approver(boss).maxMinutes(90).save();
        assertEquals("Ask for 1 to 90 minutes of " + c + " (the rule's maximum).", ask(u, body(c, 91, "x")).path("error"));
        assertEquals(201, ask(u, body(c, 90, "x")).statusCode());
    }

    @Test
    void onlyConsolesThatNeedApprovalThenCanBeRequested() {
        String open = fixtures.console("vm");
        fixtures.rule(open).user(user).approver(boss).save(); // every day, all day
        assertEquals("You may use " + open + " now already: just open it.", ask(user, body(open, 60, "x")).path("error"));
        assertEquals(409, ask(user, body(open, 60, "x")).statusCode());

        // tomorrow 10:00 is inside his window
        Map<String, Object> tomorrow = body(console, 60, "x");
        tomorrow.put("start", "2026-11-24T09:00:00Z");
        var r = ask(user, tomorrow);
        assertEquals(409, r.statusCode());
        assertEquals("You may use " + console + " at Tue 24 Nov 10:00 (Europe/Berlin) already: no request is needed.", r.path("error"));

        String noApprover = fixtures.console("vm");
        fixtures.rule(noApprover).user(user).window(Fixtures.weekdays(), "08:00", "18:00").save();
        r = ask(user, body(noApprover, 60, "x"));
        assertEquals(400, r.statusCode());
        assertEquals(noApprover + " cannot be requested now: no rule with an approver covers you. Ask your administrator.",
                r.path("error"));

        String denied = fixtures.console("vm");
        fixtures.rule(denied).user(user).window(Fixtures.weekdays(), "08:00", "18:00").approver(boss).save();
        fixtures.rule(denied).user(user).deny().window(EnumSet.of(DayOfWeek.MONDAY), "18:00", "23:00").save();
        r = ask(user, body(denied, 60, "x"));
        assertEquals(409, r.statusCode());
        assertEquals("A DENY rule closes " + denied + " now: no approval can open it then.", r.path("error"));
        assertEquals(0, Db.count("select count(*) from access_request where username = ?", user));
    }

    @Test
    void nobodyDecidesTheirOwnRequestNotEvenAnAdmin() {
        String admin = fixtures.user("adm", true, true);
        String c = fixtures.console("vm");
        // the admin is approver of his own rule, and so is the boss
        fixtures.rule(c).user(admin).window(Fixtures.weekdays(), "08:00", "18:00").approver(admin).save();
        fixtures.rule(c).user(admin).window(Fixtures.weekdays(), "08:00", "18:00").approver(boss).save();
        long id = askOk(admin, c, 60);
        var r = approve(admin, id, "fine by me");
        assertEquals(403, r.statusCode());
        assertEquals("Nobody decides their own request, not even an administrator: another approver must decide request #"
                + id + ".", r.path("error"));
        assertEquals(403, deny(admin, id, "no").statusCode());
        as(admin).get("/api/v1/approvals").then().statusCode(200).body("id", not(hasItem((int) id)));
        as(boss).get("/api/v1/approvals").then().statusCode(200).body("id", hasItem((int) id));
        assertEquals(200, approve(boss, id, null).statusCode());

        // and where only he could approve, he cannot ask at all
        String solo = fixtures.console("vm");
        fixtures.rule(solo).user(admin).window(Fixtures.weekdays(), "08:00", "18:00").approver(admin).save();
        r = ask(admin, body(solo, 60, "x"));
        assertEquals(409, r.statusCode());
        assertEquals("Nobody but you can approve " + solo + " for you: ask your administrator to name another approver.",
                r.path("error"));
    }

    @Test
    void anApproverOutsideTheRuleIsRefused() {
        long id = askOk(user, console, 60);
        String otherBoss = fixtures.user("boss", true, false);
        String otherAdmin = fixtures.user("root", false, true);
        for (String outsider : List.of(otherBoss, otherAdmin)) {
            // a request he may not decide is one he cannot see: 404, naming neither requester nor console
            var r = approve(outsider, id, null);
            assertEquals(404, r.statusCode(), r.asString());
            assertEquals("There is no request #" + id + ": see Approvals.", r.path("error"));
            assertEquals(404, deny(outsider, id, "no").statusCode());
            as(outsider).get("/api/v1/approvals").then().statusCode(200).body("id", not(hasItem((int) id)));
            as(outsider).get("/api/v1/requests/" + id).then().statusCode(404);
            as(outsider).post("/api/v1/requests/" + id + "/cancel").then().statusCode(404);
        }
        as(boss).get("/api/v1/requests/" + id).then().statusCode(200);
        as(boss).body("{}").post("/api/v1/requests/999999999/approve").then().statusCode(404);
        as(boss).body("{}").post("/api/v1/requests/abc/approve").then().statusCode(404);
        as(user).get("/api/v1/requests/" + id).then().statusCode(200).body("state", equalTo("PENDING"));
    }

    @Test
    void theMembersOfTheApproverGroupDecide() throws Exception {
        String deputy = fixtures.user("deputy");
        String group = fixtures.group("approvers", deputy);
        String admin = fixtures.user("adm", false, true);
        String u = fixtures.user("cleo");
        String c = fixtures.console("vm");
        given().auth().preemptive().basic(admin, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("console", c, "user", u, "effect", "ALLOW", "zone", "Europe/Berlin",
                        "windows", List.of(Map.of("days", List.of("WEDNESDAY"), "from", "08:00", "to", "18:00")),
                        "approverGroup", group))
                .post("/api/v1/admin/rules").then().statusCode(201);
        long id = askOk(u, c, 45);
        as(deputy).get("/api/v1/approvals").then().statusCode(200)
                .body("find { it.id == " + id + " }.requester", equalTo(u))
                .body("find { it.id == " + id + " }.normalWindows", equalTo("Wed 08:00–18:00 (Europe/Berlin)"));
        assertEquals(404, approve(boss, id, null).statusCode(), "the boss approves other rules, not this one: he cannot see it");
        // approve takes no body at all, too (curl -X POST)
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + RestAssured.port + "/api/v1/requests/" + id + "/approve"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (deputy + ":" + Fixtures.PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("\"state\":\"APPROVED\""), answer.body());
    }

    @Test
    void theInboxShowsWhatTheApproverNeedsToDecide() {
        long id = askOk(user, console, 60);
        as(boss).get("/api/v1/approvals").then().statusCode(200)
                .body("size()", equalTo(1))
                .body("[0].id", equalTo((int) id))
                .body("[0].requester", equalTo(user))
                .body("[0].requesterName", equalTo("anna"))
                .body("[0].console", equalTo(console))
                .body("[0].start", equalTo(NOW))
                .body("[0].minutes", equalTo(60))
                .body("[0].reason", equalTo("month-end closing"))
                .body("[0].zone", equalTo("Europe/Berlin"))
                .body("[0].normalWindows", equalTo("Mon–Fri 08:00–18:00 (Europe/Berlin)"));
        as(user).get("/api/v1/approvals").then().statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void anApprovalOpensTheConsoleForItsMinutesAndTheSessionRecordsIt() throws Exception {
        long id = askOk(user, console, 60);
        as(user).get("/api/v1/consoles").then().body("find { it.name == '" + console + "' }.decision", equalTo("NEEDS_APPROVAL"));
        as(user).body(Map.of("console", console)).post("/api/v1/sessions").then().statusCode(403);

        clock.advance(Duration.ofMinutes(10)); // the boss approves at 19:10: the hour counts from then
        var approved = approve(boss, id, null);
        assertEquals(200, approved.statusCode(), approved.asString());
        assertEquals("APPROVED", approved.path("state"));
        assertEquals(boss, approved.path("decidedBy"));
        assertEquals("2026-11-23T18:10:00Z", approved.path("decidedAt"));
        assertEquals("2026-11-23T18:10:00Z", approved.path("approvedStart"));
        assertEquals("2026-11-23T19:10:00Z", approved.path("approvedEnd"));

        as(user).get("/api/v1/consoles").then().statusCode(200)
                .body("find { it.name == '" + console + "' }.decision", equalTo("ALLOWED"))
                .body("find { it.name == '" + console + "' }.until", equalTo("2026-11-23T19:10:00Z"));
        String session = as(user).body(Map.of("console", console)).post("/api/v1/sessions").then().statusCode(201)
                .body("endsAt", equalTo("2026-11-23T19:10:00Z")).extract().path("id");
        assertEquals(List.of(Long.toString(id)), Db.strings(
                "select approved_request_id::text from console_session where id = ?::uuid", session));
        assertTrue(Db.auditOf(user).stream().anyMatch(a -> a.startsWith("SESSION_OPENED") && a.contains("request #" + id)));
        assertTrue(Db.auditOf(user).stream().anyMatch(a -> a.startsWith("REQUEST_APPROVED|" + boss + "|" + console
                + "|request #" + id + " approved for 2026-11-23T18:10:00Z to 2026-11-23T19:10:00Z")), Db.auditOf(user).toString());
        as(user).delete("/api/v1/sessions/" + session).then().statusCode(200);

        // once the window is over, the console is off-hours again
        clock.advance(Duration.ofMinutes(61));
        as(user).get("/api/v1/consoles").then().body("find { it.name == '" + console + "' }.decision", equalTo("NEEDS_APPROVAL"));
    }

    @Test
    void anApprovalBeforeTheWantedStartKeepsTheWantedWindow() {
        Map<String, Object> later = body(console, 30, "evening deploy");
        later.put("start", "2026-11-23T20:00:00Z"); // 21:00 Berlin
        long id = ((Number) ask(user, later).path("id")).longValue();
        var approved = approve(boss, id, "ok, keep it short");
        assertEquals("2026-11-23T20:00:00Z", approved.path("approvedStart"));
        assertEquals("2026-11-23T20:30:00Z", approved.path("approvedEnd"));
        assertEquals("ok, keep it short", approved.path("note"));
        // not yet: the console is still off-hours now, with no window to show until 21:00
        as(user).get("/api/v1/consoles").then().body("find { it.name == '" + console + "' }.decision", equalTo("NEEDS_APPROVAL"));
        clock.berlin("2026-11-23T21:00");
        as(user).get("/api/v1/consoles").then().body("find { it.name == '" + console + "' }.decision", equalTo("ALLOWED"))
                .body("find { it.name == '" + console + "' }.until", equalTo("2026-11-23T20:30:00Z"));
    }

    @Test
    void aDenialNeedsANoteWhichTheRequesterReads() {
        long id = askOk(user, console, 60);
        var r = deny(boss, id, null);
        assertEquals(400, r.statusCode());
        assertEquals("Say why you deny it: the note tells " + user + " (at most 500 characters).", r.path("error"));
        assertEquals(400, deny(boss, id, "   ").statusCode());
        assertEquals(400, deny(boss, id, "bad\u0007bell").statusCode());
        as(boss).body("{\"note\": ").post("/api/v1/requests/" + id + "/deny").then().statusCode(400)
                .body("error", containsString("not valid JSON"));
        as(user).get("/api/v1/requests/" + id).then().body("state", equalTo("PENDING"));

        var denied = deny(boss, id, "Not tonight: the backup runs until 22:00.");
        assertEquals(200, denied.statusCode());
        as(user).get("/api/v1/requests").then().statusCode(200)
                .body("find { it.id == " + id + " }.state", equalTo("DENIED"))
                .body("find { it.id == " + id + " }.note", equalTo("Not tonight: the backup runs until 22:00."))
                .body("find { it.id == " + id + " }.decidedBy", equalTo(boss))
                .body("find { it.id == " + id + " }.approvedStart", nullValue());
        var again = approve(boss, id, null);
        assertEquals(409, again.statusCode());
        assertTrue(again.path("error").toString().startsWith("Request #" + id + " was already denied by " + boss), again.asString());
        as(user).post("/api/v1/requests/" + id + "/cancel").then().statusCode(409);
        as(user).get("/api/v1/consoles").then().body("find { it.name == '" + console + "' }.decision", equalTo("NEEDS_APPROVAL"));
        assertTrue(Db.auditOf(user).stream().anyMatch(a -> a.equals("REQUEST_DENIED|" + boss + "|" + console + "|request #"
                + id + " denied; note: Not tonight: the backup runs until 22:00.")), Db.auditOf(user).toString());
    }

    @Test
    void pendingRequestsExpireOnceBySweep() throws Exception {
        long id = askOk(user, console, 60);
        clock.advance(Duration.ofHours(24));
        var late = approve(boss, id, null);
        assertEquals(409, late.statusCode());
        assertEquals("Request #" + id + " expired undecided at Tue 24 Nov 19:00 (Europe/Berlin): " + user
                + " may ask again.", late.path("error"));
        as(boss).get("/api/v1/approvals").then().body("id", not(hasItem((int) id)));

        requests.expireDue(clock.instant());
        requests.expireDue(clock.instant()); // a second sweep (another replica) finds nothing more to do
        as(user).get("/api/v1/requests/" + id).then().statusCode(200)
                .body("state", equalTo("EXPIRED")).body("decidedBy", equalTo("system"))
                .body("decidedAt", equalTo("2026-11-24T18:00:00Z"));
        assertEquals(1, Db.count("select count(*) from audit_event where action = 'REQUEST_EXPIRED' and detail like ?",
                "request #" + id + " %"));
        // expired, the user may ask again
        askOk(user, console, 60);
    }

    @Test
    void anExpiredRequestIsNotSweptBeforeItsTime() {
        long id = askOk(user, console, 60);
        clock.advance(Duration.ofHours(24).minusSeconds(1));
        requests.expireDue(clock.instant());
        as(user).get("/api/v1/requests/" + id).then().body("state", equalTo("PENDING"));
        assertEquals(200, approve(boss, id, null).statusCode(), "still pending a second before the expiry");
    }

    @Test
    void terminalRequestsAreFinalInSql() throws Exception {
        long id = askOk(user, console, 60);
        assertEquals(200, deny(boss, id, "no").statusCode());
        var e = assertThrows(SQLException.class, () -> Db.update(
                "update access_request set state = 'PENDING', decided_at = null, decided_by = null where id = ?", id));
        assertTrue(e.getMessage().contains("is DENIED and cannot change"), e.getMessage());
        assertThrows(SQLException.class, () -> Db.update("update access_request set note = 'changed' where id = ?", id));
        assertThrows(SQLException.class, () -> Db.update("update access_request set state = 'APPROVED', "
                + "approved_start = wanted_start, approved_end = wanted_start + interval '60 minutes' where id = ?", id));
        // what was asked never changes, even while pending
        long pending = askOk(user, fixturesConsoleFor(user), 60);
        e = assertThrows(SQLException.class, () -> Db.update("update access_request set minutes = 600 where id = ?", pending));
        assertTrue(e.getMessage().contains("cannot change what was asked"), e.getMessage());
        // a denial without a note, an approval without its window: refused by CHECKs
        assertThrows(SQLException.class, () -> Db.update("update access_request set state = 'DENIED', "
                + "decided_at = now(), decided_by = 'x' where id = ?", pending));
        assertThrows(SQLException.class, () -> Db.update("update access_request set state = 'APPROVED', "
                + "decided_at = now(), decided_by = 'x' where id = ?", pending));
        assertThrows(SQLException.class, () -> Db.update("update access_request set state = 'WHATEVER' where id = ?", pending));
        // seeing the outcome is the one change a closed request takes
        assertEquals(1, Db.update("update access_request set seen_at = now() where id = ?", id));
    }

    private String fixturesConsoleFor(String who) {
        String c = fixtures.console("vm");
        fixtures.rule(c).user(who).window(Fixtures.weekdays(), "08:00", "18:00").approver(boss).save();
        return c;
    }

    @Test
    void anonymousCallsAre401() {
        given().get("/api/v1/requests").then().statusCode(401).body("error", containsString("Log in"));
        given().get("/api/v1/approvals").then().statusCode(401);
        given().contentType("application/json").body(body(console, 60, "x")).post("/api/v1/requests").then().statusCode(401);
        given().contentType("application/json").body("{}").post("/api/v1/requests/1/approve").then().statusCode(401);
    }
}
