package io.spicegate.web;

import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.util.EnumSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dashboard's states, on the page and in the API: available until, off-hours with the next window, not allowed, in use. */
@QuarkusTest
class MyConsolesPageTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @BeforeEach
    void mondayTen() {
        clock.berlin("2026-11-23T10:00");
    }

    @Test
    void everyStateReadsAsASentence() {
        String me = fixtures.user("dana");
        String other = fixtures.user("anne");
        String boss = fixtures.user("boss");
        String free = fixtures.console("free");
        String offHours = fixtures.console("wed");
        String denied = fixtures.console("deny");
        String busy = fixtures.console("busy");
        fixtures.rule(free).user(me).window(Fixtures.weekdays(), "08:00", "18:00").save();
        fixtures.rule(offHours).user(me).window(EnumSet.of(DayOfWeek.WEDNESDAY), "08:00", "18:00").approver(boss).save();
        fixtures.rule(denied).user(me).window(EnumSet.of(DayOfWeek.SUNDAY), "09:00", "12:00").save();
        fixtures.rule(denied).user(me).deny().window(EnumSet.of(DayOfWeek.MONDAY), "00:00", "00:00").save();
        fixtures.rule(busy).user(me).save();
        fixtures.rule(busy).user(other).window(Fixtures.weekdays(), "08:00", "17:00").save();
        given().auth().preemptive().basic(other, Fixtures.PASSWORD).contentType("application/json")
                .body("{\"console\":\"" + busy + "\"}").post("/api/v1/sessions").then().statusCode(201);

        Browser b = Browser.login(me, Fixtures.PASSWORD);
        String html = b.request().get("/consoles").then().statusCode(200).extract().asString();
        assertEquals("available now until 18:00", status(html, free));
        assertEquals("off-hours — next window Wed 25 Nov 08:00 (Europe/Berlin)", status(html, offHours));
        assertEquals("not allowed now — next window Sun 29 Nov 09:00 (Europe/Berlin)", status(html, denied));
        assertEquals("in use by " + other + " until 17:00", status(html, busy));
        assertTrue(card(html, free).contains("Open console"));
        assertFalse(card(html, offHours).contains("Open console"));
        assertFalse(card(html, denied).contains("Open console"));
        assertFalse(card(html, busy).contains("Open console"));

        given().auth().preemptive().basic(me, Fixtures.PASSWORD).get("/api/v1/consoles").then().statusCode(200)
                .body("find { it.name == '" + free + "' }.decision", equalTo("ALLOWED"))
                .body("find { it.name == '" + free + "' }.until", equalTo("2026-11-23T17:00:00Z"))
                .body("find { it.name == '" + offHours + "' }.decision", equalTo("NEEDS_APPROVAL"))
                .body("find { it.name == '" + offHours + "' }.nextWindowStart", equalTo("2026-11-25T07:00:00Z"))
                .body("find { it.name == '" + denied + "' }.decision", equalTo("DENIED"))
                .body("find { it.name == '" + denied + "' }.until", nullValue())
                .body("find { it.name == '" + busy + "' }.inUseBy", equalTo(other));
    }

    @Test
    void manyConsolesComeAPageAtATimeWithAFindBox() {
        String me = fixtures.user("many");
        for (int i = 0; i < 60; i++) {
            fixtures.rule(fixtures.console("lab")).user(me).save();
            fixtures.rule(fixtures.console("db")).user(me).save();
        }
        Browser b = Browser.login(me, Fixtures.PASSWORD);
        String first = b.request().get("/consoles").then().statusCode(200).extract().asString();
        assertEquals(50, cards(first), "a page shows 50 cards");
        assertTrue(first.contains("Find a console"), "more than a page: a find box");
        assertEquals("Consoles 1–50 of 120", count(first));
        assertTrue(first.contains("<a rel=\"next\" href=\"/consoles?page=2\">Next page</a>"), first);
        assertFalse(first.contains("rel=\"prev\""));

        String last = b.request().get("/consoles?page=3").then().statusCode(200).extract().asString();
        assertEquals(20, cards(last));
        assertEquals("Consoles 101–120 of 120", count(last));
        assertTrue(last.contains("<a rel=\"prev\" href=\"/consoles?page=2\">Previous page</a>"));
        assertFalse(last.contains("rel=\"next\""));
        String past = b.request().get("/consoles?page=99").then().statusCode(200).extract().asString();
        assertEquals("Consoles 101–120 of 120", count(past), "a page past the last shows the last");
        assertEquals(20, cards(past));

        String found = b.request().get("/consoles?q=DB").then().statusCode(200).extract().asString();
        assertEquals(50, cards(found));
        assertEquals("60 of 120 consoles contain “DB”: 1–50", count(found));
        assertTrue(found.contains("href=\"/consoles?q=DB&amp;page=2\""), "the next page keeps the search");
        Matcher names = Pattern.compile("data-console=\"([^\"]*)\"").matcher(found);
        while (names.find()) {
            assertTrue(names.group(1).startsWith("db"), names.group(1));
        }
        assertTrue(found.contains("value=\"DB\""), "the box shows what was searched");
        assertTrue(found.contains("Show all"));

        String none = b.request().get("/consoles?q=<nothing>").then().statusCode(200).extract().asString();
        assertEquals("No console's name or description contains “&lt;nothing&gt;”.", count(none));
        assertEquals(0, cards(none));
        assertFalse(none.contains("<nothing>"), "what was searched is shown escaped");

        String bad = b.request().get("/consoles?page=two").then().statusCode(400).extract().asString();
        assertTrue(bad.contains("is not a page number: use the page links on My consoles."), bad);
        b.request().get("/consoles?q=" + "x".repeat(201)).then().statusCode(400);
        for (String control : java.util.List.of("%00", "a%0Ab", "%1B[31m")) {
            String refused = b.request().urlEncodingEnabled(false).get("/consoles?q=" + control).then().statusCode(400)
                    .extract().asString();
            assertTrue(refused.contains("A search cannot hold control characters"), refused);
            assertFalse(refused.chars().anyMatch(c -> c == 0 || c == 0x1b), "nothing of it is shown back");
        }

        given().auth().preemptive().basic(me, Fixtures.PASSWORD).get("/api/v1/consoles").then().statusCode(200)
                .body("size()", equalTo(120));
        // a few consoles: one page, no find box, no page links
        String few = fixtures.user("few");
        fixtures.rule(fixtures.console("one")).user(few).save();
        String small = Browser.login(few, Fixtures.PASSWORD).request().get("/consoles").then().statusCode(200)
                .extract().asString();
        assertEquals(1, cards(small));
        assertFalse(small.contains("Find a console"));
        assertFalse(small.contains("Pages of My consoles"));
    }

    private static int cards(String html) {
        return html.split("<li class=\"console ", -1).length - 1;
    }

    private static String count(String html) {
        Matcher m = Pattern.compile("<p class=\"count\" data-count>([^<]*)</p>").matcher(html);
        assertTrue(m.find(), "no count line");
        return m.group(1).replace("&#39;", "'");
    }

    @Test
    void aUserWithoutRulesSeesAFriendlyEmptyPage() {
        String me = fixtures.user("new");
        Browser.login(me, Fixtures.PASSWORD).request().get("/consoles").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("You have no consoles yet"));
    }

    @Test
    void openConsoleFromThePageLeadsToTheSessionWithItsLaunchFile() {
        String me = fixtures.user("eli");
        String c = fixtures.console("vm");
        fixtures.rule(c).user(me).save();
        Browser b = Browser.login(me, Fixtures.PASSWORD);
        String csrf = b.csrf("/consoles");
        String location = b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .post("/consoles/" + c + "/open").then().statusCode(303).extract().header("Location");
        String page = b.request().get(location).then().statusCode(200).extract().asString();
        assertTrue(page.contains("http-equiv=\"refresh\""), "the launch file starts downloading by itself");
        String id = location.replaceAll(".*/sessions/([^?]+).*", "$1");
        b.request().get("/sessions/" + id + "/console.vv").then().statusCode(200).contentType("application/x-virt-viewer");
        String again = b.request().get(location).then().statusCode(200).extract().asString();
        assertFalse(again.contains("http-equiv=\"refresh\""));
        assertTrue(again.contains("works only once"));
        b.request().get("/sessions/" + id + "/console.vv").then().statusCode(410)
                .contentType(org.hamcrest.Matchers.containsString("text/html"))
                .body(org.hamcrest.Matchers.containsString("works only once"));
        // My sessions lists it with End session
        String list = b.request().get("/sessions").then().statusCode(200).extract().asString();
        assertTrue(list.contains("End session"));
        b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .post("/sessions/" + id + "/end").then().statusCode(303);
        assertTrue(b.request().get("/sessions").then().extract().asString().contains("No live session"));
    }

    @Test
    void aPageErrorIsAPageNotAStackTrace() {
        String me = fixtures.user("fin");
        Browser b = Browser.login(me, Fixtures.PASSWORD);
        String csrf = b.csrf("/consoles");
        String html = b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .post("/consoles/nonexistent/open").then().statusCode(404).extract().asString();
        assertTrue(html.contains("You have no console named &#39;nonexistent&#39;"), html);
        assertFalse(html.contains("Exception"));
        b.request().get("/sessions/zzz").then().statusCode(404);
    }

    static String card(String html, String console) {
        int start = html.indexOf("id=\"console-" + console + "\"");
        assertTrue(start > 0, "no card for " + console);
        int end = html.indexOf("</li>", start);
        return html.substring(start, end);
    }

    static String status(String html, String console) {
        Matcher m = Pattern.compile("<p class=\"status\" data-status>([^<]*)</p>").matcher(card(html, console));
        assertTrue(m.find());
        return m.group(1).replace("&#8212;", "—");
    }
}
