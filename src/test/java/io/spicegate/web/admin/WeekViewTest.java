package io.spicegate.web.admin;

import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The week picture is drawn from {@code AccessPolicy.occurrences}: the SVG is parsed and its bands
 * ({@code data-subject}, {@code data-day}, {@code data-from}, {@code data-to}) compared with the rules.
 */
@QuarkusTest
class WeekViewTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    Browser admin;

    @BeforeEach
    void setUp() {
        clock.berlin("2026-11-23T10:00"); // Monday
        admin = Browser.login(fixtures.user("viewer", false, true), Fixtures.PASSWORD);
    }

    /** A band as the test reads it: "subject DAY from-to EFFECT". */
    record Band(String subject, String day, String from, String to, String effect, String approvers, String fill) {
        @Override
        public String toString() {
            return subject + " " + day + " " + from + "-" + to + " " + effect;
        }
    }

    record Picture(List<Band> bands, Element now, Element root) {
        List<String> of(String subject) {
            return bands.stream().filter(b -> b.subject().equals(subject)).map(Band::toString).toList();
        }
    }

    Picture picture(String path) throws Exception {
        String html = admin.request().get(path).then().statusCode(200).extract().asString();
        int start = html.indexOf("<svg xmlns=\"http://www.w3.org/2000/svg\"");
        int end = html.indexOf("</svg>", start) + "</svg>".length();
        assertTrue(start >= 0, "no week picture on " + path);
        Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(html.substring(start, end).getBytes(StandardCharsets.UTF_8)));
        List<Band> bands = new ArrayList<>();
        NodeList rects = svg.getElementsByTagName("rect");
        for (int i = 0; i < rects.getLength(); i++) {
            Element r = (Element) rects.item(i);
            if (r.getAttribute("class").startsWith("band")) {
                bands.add(new Band(r.getAttribute("data-subject"), r.getAttribute("data-day"), r.getAttribute("data-from"),
                        r.getAttribute("data-to"), r.getAttribute("data-effect"), r.getAttribute("data-approvers"),
                        r.getAttribute("fill")));
                assertTrue(Integer.parseInt(r.getAttribute("height")) > 0);
            }
        }
        Element now = null;
        NodeList groups = svg.getElementsByTagName("g");
        for (int i = 0; i < groups.getLength(); i++) {
            if ("now".equals(((Element) groups.item(i)).getAttribute("class"))) {
                now = (Element) groups.item(i);
            }
        }
        return new Picture(bands, now, svg.getDocumentElement());
    }

    static List<String> days(String subject, String from, String to, String effect, DayOfWeek... days) {
        return java.util.Arrays.stream(days).map(d -> subject + " " + d + " " + from + "-" + to + " " + effect).toList();
    }

    static final DayOfWeek[] WEEK = DayOfWeek.values();
    static final DayOfWeek[] WORKDAYS = {DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY,
            DayOfWeek.FRIDAY};

    @Test
    void theDemosDebianxWeek() throws Exception {
        long debianx = Db.count("select id from console where name = 'debianx'");
        Picture p = picture("/admin/consoles/" + debianx);
        assertEquals(days("charlie", "08:00", "18:00", "ALLOW", WORKDAYS), p.of("charlie"));
        assertEquals(days("boss", "18:00", "23:00", "ALLOW", WEEK), p.of("boss"));
        assertEquals(days("myself", "00:00", "24:00", "ALLOW", WEEK), p.of("myself"));
        // charlie may ask the boss for other times: his bands say so, the boss's evening does not
        assertTrue(p.bands().stream().filter(b -> b.subject().equals("charlie")).allMatch(b -> b.approvers().equals("boss")));
        assertTrue(p.bands().stream().filter(b -> b.subject().equals("boss")).allMatch(b -> b.approvers().isEmpty()));
        // one colour per person
        assertEquals(1, p.bands().stream().filter(b -> b.subject().equals("charlie")).map(Band::fill).distinct().count());
        assertEquals(3, p.bands().stream().map(Band::fill).distinct().count());
        // now: Monday 10:00 in Berlin
        assertNotNull(p.now());
        assertEquals("10:00", p.now().getAttribute("data-now"));
        assertEquals("Europe/Berlin", p.root().getAttribute("data-zone"));
        assertEquals("2026-11-23", p.root().getAttribute("data-week"));
    }

    @Test
    void overnightDenyGroupsAndValidityAreDrawnWhereTheyHold() throws Exception {
        String console = fixtures.console("pic");
        String nina = fixtures.user("nina");
        String otto = fixtures.user("otto");
        String boss = fixtures.user("boss", true, false);
        String night = fixtures.group("night", otto);
        // a group's overnight window: Saturday 22:00 to Sunday 02:00
        fixtures.rule(console).group(night).window(EnumSet.of(DayOfWeek.SATURDAY), "22:00", "02:00").save();
        // last week's Sunday night reaches into this Monday; this Sunday's night into the next week
        fixtures.rule(console).user(otto).window(EnumSet.of(DayOfWeek.SUNDAY), "23:00", "01:00").save();
        // nina: working hours until Wednesday noon (validity), approvers boss, and a DENY lunch on Tuesday
        given().auth().preemptive().basic("admin", "demo").contentType("application/json")
                .body(Map.of("console", console, "user", nina, "effect", "ALLOW", "zone", "Europe/Berlin",
                        "windows", List.of(Map.of("days", List.of("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY"), "from", "09:00", "to", "17:00")),
                        "approvers", List.of(boss), "validUntil", "2026-11-25T11:00:00Z"))
                .post("/api/v1/admin/rules").then().statusCode(201);
        fixtures.rule(console).user(nina).deny().window(EnumSet.of(DayOfWeek.TUESDAY), "12:00", "13:00").save();

        long id = Db.count("select id from console where name = ?", console);
        Picture p = picture("/admin/consoles/" + id);
        assertEquals(List.of(night + " SATURDAY 22:00-24:00 ALLOW", night + " SUNDAY 00:00-02:00 ALLOW"), p.of(night));
        assertEquals(new TreeSet<>(List.of(otto + " MONDAY 00:00-01:00 ALLOW", otto + " SUNDAY 23:00-24:00 ALLOW")),
                new TreeSet<>(p.of(otto)));
        List<String> ninas = p.of(nina);
        assertEquals(new TreeSet<>(List.of(nina + " MONDAY 09:00-17:00 ALLOW", nina + " TUESDAY 09:00-17:00 ALLOW",
                nina + " WEDNESDAY 09:00-12:00 ALLOW", nina + " TUESDAY 12:00-13:00 DENY")), new TreeSet<>(ninas));
        Band deny = p.bands().stream().filter(b -> b.effect().equals("DENY")).findFirst().orElseThrow();
        assertEquals("url(#deny-hatch)", deny.fill());
        assertTrue(p.bands().stream().filter(b -> b.subject().equals(nina) && b.effect().equals("ALLOW"))
                .allMatch(b -> b.approvers().equals(boss)));

        // next week: nina's working hours have expired, her Tuesday DENY has not; no "now"
        Picture next = picture("/admin/consoles/" + id + "?week=2026-11-30");
        assertEquals(List.of(nina + " TUESDAY 12:00-13:00 DENY"), next.of(nina));
        assertNull(next.now());
        assertEquals("2026-11-30", next.root().getAttribute("data-week"));
        String html = admin.request().get("/admin/consoles/" + id + "?week=2026-11-30").asString();
        assertTrue(html.contains("(no window this week)"), "the legend says why nina is missing");
    }

    @Test
    void theSpringForwardSundayIsDrawnInLocalTime() throws Exception {
        String console = fixtures.console("dst");
        String early = fixtures.user("early");
        fixtures.rule(console).user(early).window(EnumSet.of(DayOfWeek.SUNDAY), "01:00", "04:00").save();
        long id = Db.count("select id from console where name = ?", console);
        // 29 March 2026: Berlin jumps from 02:00 to 03:00; the window still runs 01:00-04:00 local (two real hours)
        Picture p = picture("/admin/consoles/" + id + "?week=2026-03-26");
        assertEquals(List.of(early + " SUNDAY 01:00-04:00 ALLOW"), p.of(early));
        assertEquals("2026-03-23", p.root().getAttribute("data-week"));
    }

    @Test
    void aBadWeekIsASentence() {
        long debianx = Db.count("select id from console where name = 'debianx'");
        String html = admin.request().get("/admin/consoles/" + debianx + "?week=next").then().statusCode(400).extract().asString();
        assertTrue(html.contains("is a date such as 2026-11-23"), html);
        admin.request().get("/admin/consoles/999999").then().statusCode(404);
    }
}
