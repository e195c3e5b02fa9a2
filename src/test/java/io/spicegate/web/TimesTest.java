package io.spicegate.web;

import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.audit.AuditLog;
import io.spicegate.shared.TimeText;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Times as people read them: with the day when it is not today, with the zone where it is not the page's, never a
 * raw UTC stamp on an admin page (the CSV keeps the record), and 24-hour time fields that the server checks itself
 * ("Now" with a typed time, "6:00 PM", a missing day: a 400 sentence, the form shown again, nothing stored).
 */
@QuarkusTest
class TimesTest {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final ZoneId LONDON = ZoneId.of("Europe/London");
    static final Pattern ERROR = Pattern.compile("<p class=\"error\" role=\"alert\"[^>]*>([^<]*)</p>");

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @Inject
    AuditLog audit;

    @BeforeEach
    void mondayNearMidnight() {
        clock.berlin("2026-11-23T23:50");
    }

    @Test
    void oneHelperForEveryPage() {
        Instant now = Instant.parse("2026-11-23T10:00:00Z"); // Monday 11:00 in Berlin
        assertEquals("18:00", TimeText.shown(Instant.parse("2026-11-23T17:00:00Z"), BERLIN, BERLIN, now));
        assertEquals("Thu 3 Dec 08:00", TimeText.shown(Instant.parse("2026-12-03T07:00:00Z"), BERLIN, BERLIN, now));
        assertEquals("18:00 (Europe/London)", TimeText.shown(Instant.parse("2026-11-23T18:00:00Z"), LONDON, BERLIN, now));
        assertEquals("Tue 24 Nov 00:21 (Europe/London)",
                TimeText.shown(Instant.parse("2026-11-24T00:21:00Z"), LONDON, BERLIN, now));
        // "today" is the day where the time belongs: 23:30 Monday in London is 00:30 Tuesday in Berlin
        assertEquals("00:30", TimeText.shown(Instant.parse("2026-11-23T23:30:00Z"), BERLIN, BERLIN,
                Instant.parse("2026-11-23T23:10:00Z")));
        assertEquals("18:00", TimeText.clockTime("18:00", "time").toString());
        assertEquals("08:05", TimeText.clockTime("8:05", "time").toString());
        for (String bad : List.of("6:00 PM", "18:00:00", "24:00", "18.00", "", "1800")) {
            assertThrowsSentence(bad);
        }
    }

    private static void assertThrowsSentence(String typed) {
        try {
            TimeText.clockTime(typed, "start time");
        } catch (io.spicegate.shared.Problem p) {
            assertEquals(400, p.status());
            assertTrue(p.getMessage().contains("type it 24-hour as HH:MM, like 18:00"), p.getMessage());
            return;
        }
        throw new AssertionError("'" + typed + "' was taken for a time");
    }

    @Test
    void inUseUntilCarriesTheDayAndTheRulesZoneAndLiveSessionsTheDay() {
        String me = fixtures.user("tom");
        String anne = fixtures.user("anne");
        String busy = fixtures.console("busy");
        fixtures.rule(busy).user(me).zone("Europe/London").save();
        fixtures.rule(busy).user(anne).zone("Europe/London").maxMinutes(90).save();
        // Monday 23:50 in Berlin (22:50 in London): anne's 90 minutes end Tuesday 00:20 London, 01:20 Berlin
        String session = Fixtures.as(anne).body(Map.of("console", busy)).post("/api/v1/sessions")
                .then().statusCode(201).extract().path("id");
        try {
            String html = Browser.login(me, Fixtures.PASSWORD).request().get("/consoles").then().statusCode(200)
                    .extract().asString();
            assertEquals("in use by " + anne + " until Tue 24 Nov 00:20 (Europe/London)",
                    MyConsolesPageTest.status(html, busy));
            // the API's refusal says the same: the day, and the zone that is not the office's
            Fixtures.as(me).body(Map.of("console", busy)).post("/api/v1/sessions").then().statusCode(409)
                    .body("error", org.hamcrest.Matchers.containsString(
                            "in use by " + anne + " until Tue 24 Nov 00:20 (Europe/London)"));

            Browser admin = Browser.login(fixtures.user("adm", false, true), Fixtures.PASSWORD);
            String live = admin.request().get("/admin/sessions").then().statusCode(200).extract().asString();
            Matcher row = Pattern.compile("<tr id=\"live-" + session + "\".*?</tr>", Pattern.DOTALL).matcher(live);
            assertTrue(row.find(), live);
            assertTrue(row.group().contains("until <time datetime=\"2026-11-24T00:20:00Z\">Tue 24 Nov 2026, 01:20</time>"),
                    "the end on another day carries its day: " + row.group());
        } finally {
            Fixtures.as(anne).delete("/api/v1/sessions/" + session).then().statusCode(200);
        }
    }

    @Test
    void adminPagesShowNoRawUtcStampsButTheCsvKeepsThem() {
        String someone = fixtures.user("stamp");
        audit.append(AuditLog.event("SESSION_OPENED").actor(someone).user(someone).console("vmx")
                .detail("until 2026-12-01T22:21:01.951071Z, authorised by a rule; also 2026-11-23T07:00:00Z"),
                Instant.parse("2026-12-01T21:51:00Z"));
        Browser admin = Browser.login(fixtures.user("adm", false, true), Fixtures.PASSWORD);
        String html = admin.request().get("/admin/audit?user=" + someone).then().statusCode(200).extract().asString();
        assertTrue(html.contains("until Tue 1 Dec 2026, 23:21, authorised by a rule; also Mon 23 Nov 2026, 08:00"), html);
        assertFalse(html.contains("2026-12-01T22:21:01.951071Z") || html.contains("2026-11-23T07:00:00Z"),
                "no raw UTC stamp in the detail text");
        String csv = admin.request().get("/api/v1/admin/audit.csv?user=" + someone).then().statusCode(200)
                .extract().asString();
        assertTrue(csv.contains("until 2026-12-01T22:21:01.951071Z"), "the export keeps the recorded text: " + csv);
    }

    @Test
    void theRequestFormChecksTheTimeItself() {
        String user = fixtures.user("una");
        String boss = fixtures.user("boss");
        String console = fixtures.console("vm");
        fixtures.rule(console).user(user).window(Fixtures.weekdays(), "08:00", "18:00").approver(boss).save();
        Browser b = Browser.login(user, Fixtures.PASSWORD);
        String page = b.request().get("/requests/new?console=" + console).then().statusCode(200).extract().asString();
        assertFalse(page.contains("type=\"time\"") || page.contains("datetime-local"), "no locale-dependent time field");
        assertTrue(page.contains("id=\"start-time\" name=\"time\" value=\"\" inputmode=\"numeric\" pattern=\""), page);
        assertTrue(page.contains("placeholder=\"HH:MM\""));
        assertTrue(page.contains("type=\"date\" id=\"start-date\" name=\"date\" value=\"2026-11-24\""), "the day: tomorrow, "
                + "the next full hour being past midnight");
        assertTrue(page.contains("<script src=\"/js/later.js?v="), "the script, under its versioned URL");
        String csrf = b.csrf("/requests/new?console=" + console);
        long before = Db.count("select count(*) from access_request where console_name = ?", console);

        String html = post(b, csrf, console, "now", "2026-11-24", "18:00").then().statusCode(400).extract().asString();
        assertEquals("You chose Now but typed a start time (18:00): choose Later to start then, or clear the time to "
                + "start now.", error(html));
        assertTrue(html.contains("value=\"18:00\"") && html.contains("id=\"when-now\" checked"), "shown again as typed");

        html = post(b, csrf, console, "later", "2026-11-24", "6:00 PM").then().statusCode(400).extract().asString();
        assertEquals("'6:00 PM' is not a start time: type it 24-hour as HH:MM, like 18:00.", error(html));
        assertTrue(html.contains("value=\"6:00 PM\"") && html.contains("id=\"when-later\" checked"));

        html = post(b, csrf, console, "later", "", "18:00").then().statusCode(400).extract().asString();
        assertEquals("Choose the day you want to start (like 2026-11-24), or choose Now.", error(html));
        html = post(b, csrf, console, "later", "2026-11-24", "").then().statusCode(400).extract().asString();
        assertTrue(error(html).startsWith("Type the time you want to start, 24-hour like 18:00 (Europe/Berlin)"), html);
        html = post(b, csrf, console, "later", "2026-02-30", "18:00").then().statusCode(400).extract().asString();
        assertEquals("'2026-02-30' is not a day: use the form 2026-11-24.", error(html));
        assertEquals(before, Db.count("select count(*) from access_request where console_name = ?", console),
                "nothing stored");

        // Now with only the (prefilled) day is fine; Later reads the day and time in the rule's zone
        post(b, csrf, console, "later", "2026-11-24", "18:00").then().statusCode(303);
        assertEquals(List.of("2026-11-24T17:00:00Z"), Db.strings("select to_char(wanted_start at time zone 'UTC', "
                + "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') from access_request where console_name = ?", console));
    }

    @Test
    void theRuleFormTakesADayAndA24HourTime() {
        String console = fixtures.console("vm");
        String user = fixtures.user("rob");
        Browser admin = Browser.login(fixtures.user("adm", false, true), Fixtures.PASSWORD);
        String csrf = admin.csrf("/admin/rules/new");
        String page = admin.request().get("/admin/rules/new").then().statusCode(200).extract().asString();
        assertFalse(page.contains("type=\"time\"") || page.contains("datetime-local"), "no locale-dependent time field");
        assertTrue(page.contains("name=\"w0.from\" type=\"text\" value=\"08:00\" inputmode=\"numeric\""), page);
        assertTrue(page.contains("name=\"validFrom.date\" type=\"date\"") && page.contains("name=\"validFrom.time\" type=\"text\""));
        long before = Db.count("select count(*) from access_rule");

        String html = rule(admin, csrf, console, user).formParam("validUntil.date", "2027-01-01")
                .formParam("validUntil.time", "6 PM").post("/admin/rules").then().statusCode(400).extract().asString();
        assertEquals("'6 PM' is not a time for 'Valid until': type it 24-hour as HH:MM, like 18:00.", error(html));
        assertTrue(html.contains("name=\"validUntil.date\" type=\"date\" value=\"2027-01-01\"")
                && html.contains("name=\"validUntil.time\" type=\"text\" value=\"6 PM\""), "shown again as typed");
        html = rule(admin, csrf, console, user).formParam("validUntil.time", "18:00").post("/admin/rules")
                .then().statusCode(400).extract().asString();
        assertEquals("'Valid until' has a time but no day: choose the day too, or clear both.", error(html));
        assertEquals(before, Db.count("select count(*) from access_rule"), "nothing stored");

        rule(admin, csrf, console, user).formParam("validUntil.date", "2027-01-01").formParam("validUntil.time", "18:00")
                .post("/admin/rules").then().statusCode(303);
        assertEquals(List.of("2027-01-01T17:00:00Z|08:00:00|18:00:00"), Db.strings("select to_char(r.valid_until at time "
                + "zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || '|' || w.from_time || '|' || w.to_time from access_rule r "
                + "join console c on c.id = r.console_id join rule_window w on w.rule_id = r.id where c.name = ?", console));
    }

    static RequestSpecification rule(Browser admin, String csrf, String console, String user) {
        return admin.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .formParam("console", console).formParam("subject", "user").formParam("user", user)
                .formParam("effect", "ALLOW").formParam("zone", "Europe/Berlin").formParam("w0.days", "MONDAY")
                .formParam("w0.from", "08:00").formParam("w0.to", "18:00");
    }

    static io.restassured.response.Response post(Browser b, String csrf, String console, String when, String date,
                                                 String time) {
        return b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .formParam("console", console).formParam("when", when).formParam("date", date).formParam("time", time)
                .formParam("minutes", "30").formParam("reason", "times").post("/requests");
    }

    static String error(String html) {
        Matcher m = ERROR.matcher(html);
        assertTrue(m.find(), "an error on the page: " + html);
        return m.group(1).replace("&#39;", "'");
    }
}
