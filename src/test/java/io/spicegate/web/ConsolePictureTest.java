package io.spicegate.web;

import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user's own picture of time (issue 16 point 6): {@code /consoles/{name}} draws this week and next the way the
 * admin week view does, agrees with the decision Open console makes at every instant tried, and the My consoles
 * card names the approved slots, all on the rendered HTML against a real PostgreSQL with the test clock.
 */
@QuarkusTest
class ConsolePictureTest {

    static final Pattern BAND = Pattern.compile("<rect class=\"band [a-z-]+\" data-kind=\"([a-z-]+)\" data-day=\"([A-Z]+)\" "
            + "data-from=\"([0-9:]+)\" data-to=\"([0-9:]+)\" data-start=\"([^\"]+)\" data-end=\"([^\"]+)\"");

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @BeforeEach
    void mondayMorning() {
        clock.berlin("2026-11-23T10:00");
    }

    /** The demo office's people log in with "demo", the fixtures' with {@link Fixtures#PASSWORD}. */
    static String password(String user) {
        return List.of("charlie", "boss", "anne", "maggie", "ralph").contains(user) ? "demo" : Fixtures.PASSWORD;
    }

    static io.restassured.specification.RequestSpecification as(String user) {
        return io.restassured.RestAssured.given().auth().preemptive().basic(user, password(user)).contentType("application/json");
    }

    /** A band as the page draws it. */
    record Band(String kind, String day, String from, String to, Instant start, Instant end) {
        boolean allows() {
            return kind.equals("open") || kind.equals("approved");
        }

        @Override
        public String toString() {
            return kind + " " + day + " " + from + "-" + to;
        }
    }

    static List<Band> bands(String html) {
        List<Band> out = new ArrayList<>();
        Matcher m = BAND.matcher(html);
        while (m.find()) {
            out.add(new Band(m.group(1), m.group(2), m.group(3), m.group(4), Instant.parse(m.group(5)), Instant.parse(m.group(6))));
        }
        return out;
    }

    static List<String> of(List<Band> bands, String kind) {
        return bands.stream().filter(b -> b.kind().equals(kind)).map(Band::toString).toList();
    }

    static Instant berlin(String local) {
        return LocalDateTime.parse(local).atZone(TestClock.BERLIN).toInstant();
    }

    /**
     * The demo's charlie with the boss's approval for debianx on Wednesday 2 Dec 2026 07:00–07:45 (Berlin), asked at
     * 06:30; made once per database, as approvals are final. Leaves the clock at Wednesday 06:30.
     */
    static void charlieApprovedWednesdayMorning(TestClock clock) {
        clock.berlin("2026-12-02T06:30");
        List<Object> done = as("charlie").get("/api/v1/requests").then().statusCode(200).extract().jsonPath()
                .getList("findAll { it.state == 'APPROVED' && it.console == 'debianx' }");
        if (done.isEmpty()) {
            approved("charlie", "debianx", "2026-12-02T07:00", 45, "boss");
        }
    }

    /** Asks for {@code minutes} from {@code start} (Berlin time) and has {@code approver} approve it. */
    static void approved(String user, String console, String start, int minutes, String approver) {
        Number id = as(user).body(Map.of("console", console, "start", berlin(start).toString(), "minutes", minutes,
                "reason", "month-end closing")).post("/api/v1/requests").then().statusCode(201).extract().path("id");
        as(approver).body("{}").post("/api/v1/requests/" + id + "/approve").then().statusCode(200);
    }

    String page(String user, String console) {
        return Browser.login(user, password(user)).request().get("/consoles/" + console).then().statusCode(200)
                .extract().asString();
    }

    /** The decision Open console makes for the user at {@code t} (the clock is set to it): the API's verdict and until. */
    Map<String, Object> decide(Browser user, String console, Instant t) {
        clock.set(t);
        List<Map<String, Object>> all = user.request().get("/api/v1/consoles").then().statusCode(200)
                .extract().jsonPath().getList("findAll { it.name == '" + console + "' }");
        assertEquals(1, all.size(), console + " on the user's list at " + t);
        return all.get(0);
    }

    /** The end of the allowed stretch the bands draw around {@code t} (touching bands, across days, are one). */
    static Instant drawnUntil(List<Band> bands, Instant t) {
        Instant end = t;
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Band b : bands) {
                if (b.allows() && !b.start().isAfter(end) && b.end().isAfter(end)) {
                    end = b.end();
                    grew = true;
                }
            }
        }
        return end;
    }

    static boolean drawnAllowed(List<Band> bands, Instant t) {
        boolean allowed = bands.stream().anyMatch(b -> b.allows() && !t.isBefore(b.start()) && t.isBefore(b.end()));
        boolean denied = bands.stream().anyMatch(b -> b.kind().equals("deny") && !t.isBefore(b.start()) && t.isBefore(b.end()));
        assertFalse(allowed && denied, "a DENY band overlaps an allowing one at " + t);
        return allowed;
    }

    /**
     * At every band edge (and one second before it) and every five hours of the two weeks (a step that meets every
     * hour of the day), the picture says allowed exactly when the decision says ALLOWED, and its stretch ends where
     * the decision's {@code until} does (when that lies inside the picture).
     */
    void agreesWithTheDecision(String user, String console, List<Band> bands, Instant from, Instant to) {
        TreeSet<Instant> instants = new TreeSet<>();
        for (Band b : bands) {
            for (Instant edge : List.of(b.start(), b.end())) {
                if (!edge.isBefore(from) && edge.isBefore(to)) {
                    instants.add(edge);
                    instants.add(edge.minusSeconds(1));
                }
            }
        }
        for (Instant t = from; t.isBefore(to); t = t.plusSeconds(5 * 3600)) {
            instants.add(t);
        }
        int allowed = 0;
        Browser browser = null;
        Instant loggedIn = null;
        for (Instant t : instants.subSet(from, to)) {
            // the login cookie spares a password check a call; logged in again well within its idle time
            if (loggedIn == null || t.isAfter(loggedIn.plusSeconds(4 * 3600))) {
                clock.set(t);
                browser = Browser.login(user, password(user));
                loggedIn = t;
            }
            Map<String, Object> d = decide(browser, console, t);
            boolean drawn = drawnAllowed(bands, t);
            assertEquals(drawn, "ALLOWED".equals(d.get("decision")), "at " + t + " the picture says "
                    + (drawn ? "allowed" : "not allowed") + " but Open console decides " + d.get("decision"));
            if (drawn) {
                allowed++;
                Instant until = drawnUntil(bands, t);
                if (until.isBefore(to)) {
                    assertEquals(until.toString(), d.get("until"), "the stretch around " + t);
                }
            }
        }
        assertTrue(allowed > 5 && allowed < instants.subSet(from, to).size(), "both answers were tried: " + allowed);
    }

    @Test
    void charliesTwoWeeksAfterTheBossApprovedWednesdayMorning() {
        // the demo office: charlie → debianx Mon–Fri 08:00–18:00 (Europe/Berlin), boss approves
        charlieApprovedWednesdayMorning(clock);

        String html = page("charlie", "debianx");
        List<Band> bands = bands(html);
        assertEquals(List.of("open MONDAY 08:00-18:00", "open TUESDAY 08:00-18:00", "open WEDNESDAY 08:00-18:00",
                "open THURSDAY 08:00-18:00", "open FRIDAY 08:00-18:00", "open MONDAY 08:00-18:00", "open TUESDAY 08:00-18:00",
                "open WEDNESDAY 08:00-18:00", "open THURSDAY 08:00-18:00", "open FRIDAY 08:00-18:00"), of(bands, "open"));
        assertEquals(List.of("approved WEDNESDAY 07:00-07:45"), of(bands, "approved"));
        assertTrue(html.contains("data-week=\"2026-11-30\"") && html.contains("data-week=\"2026-12-07\""), "this week and next");
        assertTrue(html.contains("All times on this page are in Europe/Berlin"), "the zone is said");
        // the same as text, day by day, for screen readers and narrow screens
        assertEquals("Wed 2 Dec (today): 07:00–07:45 — approved by boss; 08:00–18:00 — you may use it", day(html, "2026-12-02"));
        assertEquals("Mon 7 Dec: 08:00–18:00 — you may use it", day(html, "2026-12-07"));
        assertEquals("Sat 5 Dec: no window", day(html, "2026-12-05"));
        assertEquals("off-hours — next window 08:00 (Europe/Berlin)", status(html));
        assertTrue(html.contains("<p class=\"approved\" data-approved>approved Wed 07:00–07:45 by boss</p>"), html);
        assertTrue(html.contains("At other times you may ask boss"), "who to ask");

        agreesWithTheDecision("charlie", "debianx", bands, berlin("2026-11-30T00:00"), berlin("2026-12-14T00:00"));
    }

    @Test
    void theCardNamesTheApprovedSlotAndTellsTheTruthAboutNow() {
        Fixtures.OffHours o = fixtures.offHoursConsole("cara", "chef", "vm");
        clock.berlin("2026-12-02T06:30");
        approved(o.user(), o.console(), "2026-12-02T07:00", 45, o.approver());
        approved(o.user(), o.console(), "2026-12-03T19:00", 60, o.approver());
        approved(o.user(), o.console(), "2026-12-04T19:00", 30, o.approver());
        Browser b = Browser.login(o.user(), Fixtures.PASSWORD);

        String card = MyConsolesPageTest.card(b.request().get("/consoles").then().statusCode(200).extract().asString(), o.console());
        assertEquals("off-hours — next window 08:00 (Europe/Berlin)", status(card));
        assertEquals(List.of("approved Wed 07:00–07:45 by " + o.approver(), "approved Thu 3 Dec 19:00–20:00 by " + o.approver()),
                approvedLines(card), "the next two slots");
        assertFalse(card.contains(">Ask for access<"), "no Ask for access for a time already approved: " + card);
        assertTrue(card.contains(">Ask for another time<"), card);
        assertTrue(card.contains("href=\"/consoles/" + o.console() + "\""), "the card links to the picture");
        // the API lists the same slots, as instants
        Fixtures.as(o.user()).get("/api/v1/consoles").then().statusCode(200)
                .body("find { it.name == '" + o.console() + "' }.approvedSlots.start",
                        org.hamcrest.Matchers.contains("2026-12-02T06:00:00Z", "2026-12-03T18:00:00Z"))
                .body("find { it.name == '" + o.console() + "' }.approvedSlots.end",
                        org.hamcrest.Matchers.contains("2026-12-02T06:45:00Z", "2026-12-03T19:00:00Z"))
                .body("find { it.name == '" + o.console() + "' }.approvedSlots.approvedBy",
                        org.hamcrest.Matchers.contains(o.approver(), o.approver()));

        clock.berlin("2026-12-02T07:10");
        card = MyConsolesPageTest.card(b.request().get("/consoles").then().statusCode(200).extract().asString(), o.console());
        assertEquals("available now until 07:45", status(card));
        assertEquals("approved Wed 07:00–07:45 by " + o.approver(), approvedLines(card).get(0));
        assertTrue(card.contains("Open console"), card);

        clock.berlin("2026-12-02T07:45");
        card = MyConsolesPageTest.card(b.request().get("/consoles").then().statusCode(200).extract().asString(), o.console());
        assertEquals(List.of("approved Thu 3 Dec 19:00–20:00 by " + o.approver(), "approved Fri 4 Dec 19:00–19:30 by "
                + o.approver()), approvedLines(card), "a slot that ended is gone");
    }

    @Test
    void denyHolesApprovedSlotsAndLiveSessionsAreDrawnAndAgreeWithTheDecision() {
        String me = fixtures.user("dora");
        String boss = fixtures.user("dboss", true, false);
        String anne = fixtures.user("danne");
        String console = fixtures.console("pic");
        fixtures.rule(console).user(me).window(Fixtures.weekdays(), "08:00", "18:00").approver(boss).save();
        fixtures.rule(console).user(me).window(EnumSet.of(DayOfWeek.SATURDAY), "22:00", "02:00").save();
        fixtures.rule(console).user(me).deny().window(EnumSet.of(DayOfWeek.WEDNESDAY), "12:00", "13:00").save();
        fixtures.rule(console).user(anne).save();
        clock.berlin("2026-11-23T10:00");
        // one touching Wednesday's window (one stretch 07:00–12:00, cut by the DENY hour), one after Thursday's
        approved(me, console, "2026-11-25T07:00", 60, boss);
        approved(me, console, "2026-11-26T18:00", 60, boss);
        as(anne).body(Map.of("console", console)).post("/api/v1/sessions").then().statusCode(201);

        String html = page(me, console);
        List<Band> bands = bands(html);
        assertEquals(List.of("open MONDAY 08:00-18:00", "open TUESDAY 08:00-18:00", "open WEDNESDAY 08:00-12:00",
                "open WEDNESDAY 13:00-18:00", "open THURSDAY 08:00-18:00", "open FRIDAY 08:00-18:00",
                "open SATURDAY 22:00-24:00", "open SUNDAY 00:00-02:00", "open MONDAY 08:00-18:00", "open TUESDAY 08:00-18:00",
                "open WEDNESDAY 08:00-12:00", "open WEDNESDAY 13:00-18:00", "open THURSDAY 08:00-18:00",
                "open FRIDAY 08:00-18:00", "open SATURDAY 22:00-24:00", "open SUNDAY 00:00-02:00"), of(bands, "open"));
        assertEquals(List.of("approved WEDNESDAY 07:00-08:00", "approved THURSDAY 18:00-19:00"), of(bands, "approved"));
        assertEquals(List.of("deny WEDNESDAY 12:00-13:00", "deny WEDNESDAY 12:00-13:00"), of(bands, "deny"));
        assertEquals(List.of("in-use MONDAY 10:00-18:00"), of(bands, "in-use"), "from now to the end of the other user's session (480 minutes by default)");
        assertTrue(html.contains("10:00–18:00 — in use by " + anne), day(html, "2026-11-23"));
        assertEquals("Wed 25 Nov: 07:00–08:00 — approved by " + boss + "; 08:00–12:00 — you may use it; "
                + "12:00–13:00 — not allowed (a DENY rule); 13:00–18:00 — you may use it", day(html, "2026-11-25"));
        assertEquals("in use by " + anne + " until 18:00", status(html));

        agreesWithTheDecision(me, console, bands, berlin("2026-11-23T00:00"), berlin("2026-12-07T00:00"));
    }

    @Test
    void anUnknownConsoleAndOneWithoutARuleAre404WithTheSentenceOfOpenConsole() {
        String me = fixtures.user("nora");
        String someone = fixtures.user("nobody");
        String theirs = fixtures.console("theirs");
        fixtures.rule(theirs).user(someone).save();
        Browser b = Browser.login(me, Fixtures.PASSWORD);
        for (String name : List.of(theirs, "no-such-console")) {
            String html = b.request().get("/consoles/" + name).then().statusCode(404).extract().asString();
            assertTrue(html.contains("You have no console named &#39;" + name + "&#39;: check the name on My consoles."), html);
            assertFalse(html.contains("Exception"), html);
            String open = as(me).body(Map.of("console", name)).post("/api/v1/sessions").then().statusCode(404)
                    .extract().path("error");
            assertEquals("You have no console named '" + name + "': check the name on My consoles.", open);
        }
        // not logged in: to the login page, as every page
        io.restassured.RestAssured.given().redirects().follow(false).get("/consoles/" + theirs).then()
                .statusCode(org.hamcrest.Matchers.either(org.hamcrest.Matchers.is(302)).or(org.hamcrest.Matchers.is(303)));
    }

    @Test
    void myConsolesReadsTheApprovedSlotsOfAllCardsInOneQuery() {
        String me = fixtures.user("many");
        String boss = fixtures.user("mboss", true, false);
        clock.berlin("2026-11-23T19:00");
        List<String> consoles = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String c = fixtures.console("many");
            consoles.add(c);
            fixtures.rule(c).user(me).window(Fixtures.weekdays(), "08:00", "18:00").approver(boss).save();
            approved(me, c, "2026-11-24T07:00", 30, boss);
        }
        long id = Long.parseLong(io.spicegate.testing.Db.strings("select id::text from app_user where username = ?", me).get(0));
        Browser b = Browser.login(me, Fixtures.PASSWORD);
        CountingApprovedWindows.CALLS.remove(id);
        String html = b.request().get("/consoles").then().statusCode(200).extract().asString();
        for (String c : consoles) {
            assertEquals(List.of("approved Tue 24 Nov 07:00–07:30 by " + boss), approvedLines(MyConsolesPageTest.card(html, c)));
        }
        List<String> calls = CountingApprovedWindows.CALLS.get(id);
        assertTrue(calls.stream().allMatch("null"::equals), "every query is for all consoles at once: " + calls);
        assertTrue(calls.size() <= 2, "the decision's and the cards' query, whatever the number of cards: " + calls);
    }

    static String status(String html) {
        Matcher m = Pattern.compile("<p class=\"status\" data-status>([^<]*)</p>").matcher(html);
        assertTrue(m.find(), html);
        return m.group(1).replace("&#8212;", "—");
    }

    static List<String> approvedLines(String html) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<p class=\"approved\" data-approved>([^<]*)</p>").matcher(html);
        while (m.find()) {
            out.add(m.group(1).replace("&#8211;", "–"));
        }
        return out;
    }

    /** One day of the day-by-day list, as text. */
    static String day(String html, String date) {
        int start = html.indexOf("<li data-date=\"" + date + "\">");
        assertTrue(start >= 0, "no day " + date);
        String li = html.substring(start, html.indexOf("</li>", start));
        return li.replaceAll("<[^>]+>", "").replace("&#8212;", "—").replace("&#8211;", "–").strip();
    }
}
