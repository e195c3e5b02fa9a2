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
