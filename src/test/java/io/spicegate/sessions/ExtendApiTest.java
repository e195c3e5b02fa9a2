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

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Open console for a chosen length and Extend through the JSON API (issue 16 point 3, DESIGN.md rule 2): the end stays
 * within the allowed stretch (decided anew, approved requests included) and the max minutes counted from the start;
 * a refusal says how far it could go and changes nothing; 30 parallel extends apply exactly as many as fit.
 */
@QuarkusTest
class ExtendApiTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    String user;
    String console;

    @BeforeEach
    void mondayTenInBerlin() {
        clock.berlin("2026-11-23T10:00");
        user = fixtures.user("ext");
        console = fixtures.console("vm");
    }

    static ExtractableResponse<Response> open(String user, String console, Object minutes) {
        Map<String, Object> body = new HashMap<>();
        body.put("console", console);
        body.put("minutes", minutes);
        return Fixtures.as(user).body(body).post("/api/v1/sessions").then().extract();
    }

    static ExtractableResponse<Response> extend(String user, String id, Object body) {
        return Fixtures.as(user).body(body).post("/api/v1/sessions/" + id + "/extend").then().extract();
    }

    static ExtractableResponse<Response> extendBy(String user, String id, int minutes) {
        return extend(user, id, Map.of("minutes", minutes));
    }

    String endsAt(String id) {
        return Fixtures.as(user).get("/api/v1/sessions/" + id).then().statusCode(200).extract().path("endsAt");
    }

    long extendedRows(String id) {
        return Db.count("select count(*) from audit_event where action = 'SESSION_EXTENDED' and session_id = ?",
                UUID.fromString(id));
    }

    @Test
    void openForFewerMinutesThanAllowed() {
        fixtures.rule(console).user(user).window(Fixtures.weekdays(), "08:00", "18:00").save();
        var opened = open(user, console, 30);
        assertEquals(201, opened.statusCode(), opened.asString());
        assertEquals("2026-11-23T09:30:00Z", opened.path("endsAt"));
        assertTrue(Db.auditOf(user).stream().anyMatch(r -> r.startsWith("SESSION_OPENED") && r.contains("2026-11-23T09:30:00Z")));

        // a re-open returns the live session unchanged: the minutes do not apply to it
        var again = open(user, console, 240);
        assertEquals(201, again.statusCode());
        assertEquals((String) opened.path("id"), again.path("id"));
        assertEquals("2026-11-23T09:30:00Z", again.path("endsAt"));
    }

    @Test
    void askingForMoreThanAllowedOpensUntilTheLimit() {
        fixtures.rule(console).user(user).window(Fixtures.weekdays(), "08:00", "18:00").save();
        clock.berlin("2026-11-23T17:30");
        var opened = open(user, console, 120);
        assertEquals(201, opened.statusCode(), opened.asString());
        assertEquals("2026-11-23T17:00:00Z", opened.path("endsAt"), "18:00 Berlin, where the window ends");
    }

    @Test
    void badMinutesAtOpenAre400AndCreateNothing() {
        fixtures.rule(console).user(user).save();
        for (Object bad : List.of(0, -5, 1441, 100000)) {
            var r = open(user, console, bad);
            assertEquals(400, r.statusCode(), bad + ": " + r.asString());
            assertTrue(r.path("error").toString().contains("from 1 to 1440"), r.asString());
        }
        var text = open(user, console, "long");
        assertEquals(400, text.statusCode(), text.asString());
        assertEquals(0, Db.count("select count(*) from console_session where username = ?", user));
    }

    @Test
    void extendMovesTheEndAndIsAudited() {
        fixtures.rule(console).user(user).window(Fixtures.weekdays(), "08:00", "18:00").save();
        String id = open(user, console, 30).path("id");
        var r = extendBy(user, id, 15);
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals("2026-11-23T09:45:00Z", r.path("endsAt"));
        assertEquals(id, r.path("id"));
        assertEquals("ACTIVE", r.path("state"));
        assertEquals(45 * 60, (int) r.path("secondsLeft"));
        assertEquals("2026-11-23T09:45:00Z", endsAt(id));
        List<String> audit = Db.strings("select detail from audit_event where action = 'SESSION_EXTENDED' and session_id = ?",
                UUID.fromString(id));
        assertEquals(1, audit.size());
        assertTrue(audit.get(0).contains("2026-11-23T09:30:00Z") && audit.get(0).contains("2026-11-23T09:45:00Z"), audit.get(0));
        assertTrue(audit.get(0).contains("10:30 → 10:45 Europe/Berlin"), audit.get(0));
    }

    @Test
    void beyondTheWindow409SaysHowFarAndNothingChanges() {
        fixtures.rule(console).user(user).window(Fixtures.weekdays(), "08:00", "18:00").save();
        clock.berlin("2026-11-23T17:00");
        String id = open(user, console, 30).path("id");
        var r = extendBy(user, id, 60);
        assertEquals(409, r.statusCode(), r.asString());
        assertEquals(console + " can run until 18:00 at most: your window ends then. It ends at 17:30 now: extend it "
                + "by 30 min at most.", r.path("error"));
        assertEquals("2026-11-23T16:30:00Z", endsAt(id));
        assertEquals(0, extendedRows(id));
        // exactly to the limit is fine, and then nothing more fits
        assertEquals(200, extendBy(user, id, 30).statusCode());
        var full = extendBy(user, id, 1);
        assertEquals(409, full.statusCode());
        assertTrue(full.path("error").toString().startsWith(console + " can run until 18:00 at most: your window ends then."),
                full.asString());
    }

    @Test
    void beyondTheMaxMinutesCountedFromTheStart409() {
        fixtures.rule(console).user(user).maxMinutes(120).save();
        clock.berlin("2026-11-23T16:00");
        String id = open(user, console, 60).path("id");
        clock.berlin("2026-11-23T16:50");
        var r = extendBy(user, id, 90);
        assertEquals(409, r.statusCode(), r.asString());
        assertEquals(console + " can run until 18:00 at most: 2 h from its start at 16:00. It ends at 17:00 now: "
                + "extend it by 1 h at most.", r.path("error"));
        assertEquals("2026-11-23T16:00:00Z", endsAt(id));
        assertEquals(200, extendBy(user, id, 60).statusCode());
        assertEquals("2026-11-23T17:00:00Z", endsAt(id));
    }

    @Test
    void anApprovedRequestAfterTheWindowLetsItRunLonger() {
        String boss = fixtures.user("boss", true, false);
        fixtures.rule(console).user(user).window(Fixtures.weekdays(), "08:00", "18:00").approver(boss).save();
        clock.berlin("2026-11-23T17:30");
        String id = open(user, console, null).path("id");
        assertEquals(409, extendBy(user, id, 30).statusCode(), "the window ends at 18:00");
        var asked = Fixtures.as(user).body(Map.of("console", console, "start", "2026-11-23T17:00:00Z", "minutes", 60,
                "reason", "month-end closing")).post("/api/v1/requests").then().extract();
        assertEquals(201, asked.statusCode(), asked.asString());
        Fixtures.as(boss).body(Map.of("note", "ok")).post("/api/v1/requests/" + asked.path("id") + "/approve")
                .then().statusCode(200);
        var r = extendBy(user, id, 30);
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals("2026-11-23T17:30:00Z", r.path("endsAt"), "18:30 Berlin: decided anew, with the approved hour");
        var beyond = extendBy(user, id, 60);
        assertEquals(409, beyond.statusCode());
        assertTrue(beyond.path("error").toString().contains("until 19:00 at most"), beyond.asString());
    }

    @Test
    void endedForeignAndBadCalls() {
        String other = fixtures.user("ext-other");
        fixtures.rule(console).user(user).save();
        fixtures.rule(console).user(other).save();
        String id = open(user, console, 30).path("id");

        assertEquals(404, extendBy(other, id, 15).statusCode(), "not mine: as if it did not exist");
        assertEquals(404, extendBy(user, "no-such-session", 15).statusCode());
        for (Object bad : List.of(Map.of("minutes", 0), Map.of("minutes", 1441), Map.of(), Map.of("minutes", -1))) {
            var r = extend(user, id, bad);
            assertEquals(400, r.statusCode(), bad + ": " + r.asString());
            assertTrue(r.path("error").toString().contains("from 1 to 1440"), r.asString());
        }
        assertEquals(400, extend(user, id, Map.of("minutes", "soon")).statusCode());
        assertEquals("2026-11-23T09:30:00Z", endsAt(id));

        Fixtures.as(user).delete("/api/v1/sessions/" + id).then().statusCode(200);
        var ended = extendBy(user, id, 15);
        assertEquals(409, ended.statusCode());
        assertTrue(ended.path("error").toString().contains("already ended"), ended.asString());

        // and past its end, an unswept session is expired, not extended
        String id2 = open(user, console, 15).path("id");
        clock.berlin("2026-11-23T10:16");
        var late = extendBy(user, id2, 15);
        assertEquals(409, late.statusCode());
        assertTrue(late.path("error").toString().contains("already ended"), late.asString());
        assertEquals(0, extendedRows(id) + extendedRows(id2));
    }

    @Test
    void thirtyParallelExtendsApplyExactlyTheThreeThatFit() throws Exception {
        fixtures.rule(console).user(user).maxMinutes(90).save();
        String id = open(user, console, 45).path("id");
        assertEquals("2026-11-23T09:45:00Z", endsAt(id));
        Parallel.Burst burst = Parallel.burst(30, Parallel.retryingBusyLogins(() -> extendBy(user, id, 15)));
        assertEquals(Map.of(200, 3, 409, 27), burst.statuses());
        for (ExtractableResponse<Response> refused : burst.withStatus(409)) {
            assertTrue(refused.path("error").toString().contains("can run until 11:30 at most: 1 h 30 min from its start at 10:00"),
                    refused.asString());
        }
        assertEquals("2026-11-23T10:30:00Z", endsAt(id), "exactly at the limit: start + 90 min");
        assertEquals(3, extendedRows(id));
    }
}
