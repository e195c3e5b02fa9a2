package io.spicegate.web.admin;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.spicegate.audit.AuditLog;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.SessionRows;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The session log: each filter, keyset pages that neither skip nor repeat a row (also when two sessions start
 * at the same instant), the CSV export with the same filters, and a session's timeline with its request.
 */
@QuarkusTest
class SessionLogTest {

    static final String PREFIX = "logt-";

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @Inject
    AuditLog audit;

    String adminName;
    Browser admin;
    String ann;
    String ben;
    /** ann's sessions, newest first, as the log must list them. */
    List<UUID> anns = new ArrayList<>();
    UUID approved;
    UUID revoked;
    UUID tieAtDesk;

    @BeforeEach
    void setUp() {
        clock.berlin("2026-11-23T10:00");
        adminName = fixtures.user("clerk", false, true);
        admin = Browser.login(adminName, Fixtures.PASSWORD);
        ann = Fixtures.unique(PREFIX + "ann");
        ben = Fixtures.unique(PREFIX + "ben");
        Instant t = Instant.parse("2026-11-16T08:00:00Z"); // Monday 09:00 in Berlin
        List<UUID> made = new ArrayList<>();
        made.add(SessionRows.finished(ann, "leaptest", "mylap", t, "EXPIRED", null));
        made.add(SessionRows.finished(ann, "leaptest", "mylap", t.plus(Duration.ofDays(1)), "ENDED", null));
        approved = SessionRows.finished(ann, "debianx", "mylap", t.plus(Duration.ofDays(2)), "EXPIRED", 4242L);
        made.add(approved);
        revoked = SessionRows.finished(ann, "leaptest", "desk-9", t.plus(Duration.ofDays(3)), "REVOKED", null);
        made.add(revoked);
        // two at the same instant: the id breaks the tie
        Instant same = t.plus(Duration.ofDays(4));
        UUID a = SessionRows.finished(ann, "leaptest", "mylap", same, "EXPIRED", null);
        UUID b = SessionRows.finished(ann, "leaptest", "desk-9", same, "EXPIRED", null);
        tieAtDesk = b;
        // PostgreSQL orders uuids as unsigned bytes, i.e. as their hex text (UUID.compareTo is signed)
        boolean aFirst = a.toString().compareTo(b.toString()) < 0;
        made.add(aFirst ? a : b);
        made.add(aFirst ? b : a);
        anns = new ArrayList<>(made);
        java.util.Collections.reverse(anns);
        SessionRows.finished(ben, "debianx", "mylap", t.plus(Duration.ofHours(5)), "EXPIRED", null);
    }

    @AfterEach
    void tearDown() {
        SessionRows.deleteUsersStartingWith(PREFIX);
    }

    JsonPath api(String query) {
        return given().auth().preemptive().basic(adminName, Fixtures.PASSWORD).get("/api/v1/admin/sessions/log?" + query)
                .then().statusCode(200).extract().jsonPath();
    }

    List<UUID> ids(JsonPath page) {
        return page.getList("sessions.id", String.class).stream().map(UUID::fromString).toList();
    }

    /** Follows "next" with pages of {@code size}: every row once, in order. */
    List<UUID> allPages(String filter, int size) {
        List<UUID> out = new ArrayList<>();
        String after = "";
        int pages = 0;
        while (true) {
            JsonPath page = api(filter + "&limit=" + size + (after.isEmpty() ? "" : "&after=" + after));
            List<UUID> ids = ids(page);
            assertTrue(ids.size() <= size);
            out.addAll(ids);
            pages++;
            String next = page.getString("next");
            if (next == null) {
                break;
            }
            after = next;
            assertTrue(pages < 20, "paging does not end");
        }
        return out;
    }

    @Test
    void keysetPagesListEverySessionOnceNewestFirst() {
        assertEquals(anns, allPages("user=" + ann, 2));
        assertEquals(anns, allPages("user=" + ann, 1));
        assertEquals(anns, allPages("user=" + ann, 50));
        JsonPath first = api("user=" + ann + "&limit=6");
        assertEquals(anns, ids(first));
        assertNull(first.getString("next"), "no further page when the last one is full and nothing follows");
        assertEquals("request #4242", first.getString("sessions.find { it.id == '" + approved + "' }.authorisedBy"));
        assertEquals("window", first.getString("sessions.find { it.id == '" + revoked + "' }.authorisedBy"));
    }

    @Test
    void eachFilterNarrowsTheLog() {
        assertEquals(List.of(approved), ids(api("user=" + ann + "&console=debianx")));
        assertEquals(List.of(tieAtDesk, revoked), ids(api("user=" + ann + "&workstation=desk-9")));
        assertEquals(List.of(revoked), ids(api("user=" + ann + "&state=REVOKED")));
        assertEquals(List.of(revoked), ids(api("user=" + ann + "&state=revoked")));
        assertEquals(List.of(approved), ids(api("user=" + ann + "&authorisedBy=request")));
        assertEquals(List.of(approved), ids(api("user=" + ann + "&request=4242")));
        assertEquals(5, ids(api("user=" + ann + "&authorisedBy=window")).size());
        // the start, as instants: [Tue 09:00 Berlin, Thu 09:00 Berlin)
        assertEquals(List.of(approved, anns.get(4)), ids(api("user=" + ann + "&from=2026-11-17T08:00:00Z&to=2026-11-19T08:00:00Z")));
        assertEquals(1, ids(api("console=debianx&workstation=mylap&user=" + ben)).size());

        given().auth().preemptive().basic(adminName, Fixtures.PASSWORD).get("/api/v1/admin/sessions/log?state=LOST")
                .then().statusCode(400).body("error", containsString("ACTIVE, ENDED, EXPIRED or REVOKED"));
        given().auth().preemptive().basic(adminName, Fixtures.PASSWORD).get("/api/v1/admin/sessions/log?from=yesterday")
                .then().statusCode(400).body("error", containsString("ISO-8601"));
        given().auth().preemptive().basic(adminName, Fixtures.PASSWORD).get("/api/v1/admin/sessions/log?after=xyz")
                .then().statusCode(400).body("error", containsString("cursor"));
        for (String bad : List.of("limit=x", "limit=0", "limit=-1", "limit=501", "limit=99999999999")) {
            given().auth().preemptive().basic(adminName, Fixtures.PASSWORD).get("/api/v1/admin/sessions/log?" + bad)
                    .then().statusCode(400).body("error", containsString("a whole number from 1 to 500"));
        }
    }

    @Test
    void thePageFiltersWithDatesAndPagesWithOlderLinks() {
        // dates are whole days in Berlin, "to" included: Tuesday 17 and Wednesday 18 November
        String html = admin.request().get("/admin/log?user=" + ann + "&from=2026-11-17&to=2026-11-18").then().statusCode(200)
                .extract().asString();
        assertEquals(List.of(approved, anns.get(4)), rows(html));
        assertTrue(html.contains("value=\"2026-11-17\""), "the filter stays in the form");
        assertTrue(html.contains("href=\"/admin/log.csv?user=" + ann + "&amp;from=2026-11-17&amp;to=2026-11-18\""),
                "the CSV link carries the same filters");
        assertTrue(html.contains("request #4242"));

        // 55 more sessions: 50 on the first page, the rest behind "Older"
        String many = Fixtures.unique(PREFIX + "many");
        for (int i = 0; i < 55; i++) {
            SessionRows.finished(many, "vm3", "mylap", Instant.parse("2026-10-01T08:00:00Z").plus(Duration.ofHours(i)), "EXPIRED", null);
        }
        html = admin.request().get("/admin/log?user=" + many).then().statusCode(200).extract().asString();
        assertEquals(50, rows(html).size());
        Matcher older = Pattern.compile("href=\"([^\"]+)\" rel=\"next\" id=\"older\"").matcher(html);
        assertTrue(older.find(), "an Older link");
        String second = admin.request().get(older.group(1).replace("&amp;", "&")).then().statusCode(200).extract().asString();
        assertEquals(5, rows(second).size());
        assertTrue(second.contains("End of the log."));
        assertTrue(second.contains("rel=\"first\""), "a way back to the newest");
        List<UUID> both = new ArrayList<>(rows(html));
        both.addAll(rows(second));
        assertEquals(55, both.stream().distinct().count());

        html = admin.request().get("/admin/log?state=LOST").then().statusCode(400).extract().asString();
        assertTrue(html.contains("&#39;state&#39; is one of ACTIVE, ENDED, EXPIRED or REVOKED."), html);
        html = admin.request().get("/admin/log?from=2026-11-20&to=2026-11-19").then().statusCode(400).extract().asString();
        assertTrue(html.contains("The period ends before it starts"), html);
    }

    static List<UUID> rows(String html) {
        Matcher m = Pattern.compile("<tr id=\"log-([0-9a-f-]{36})\"").matcher(html);
        List<UUID> out = new ArrayList<>();
        while (m.find()) {
            out.add(UUID.fromString(m.group(1)));
        }
        return out;
    }

    @Test
    void theCsvExportStreamsTheSameFilters() {
        Response csv = admin.request().get("/admin/log.csv?user=" + ann + "&state=EXPIRED");
        assertEquals(200, csv.statusCode());
        assertTrue(csv.contentType().startsWith("text/csv"), csv.contentType());
        assertEquals("attachment; filename=\"spicegate-sessions.csv\"", csv.header("Content-Disposition"));
        List<String> lines = csv.asString().lines().toList();
        assertEquals("id,user,console,workstation,source,starts_at,ends_at,state,ended_at,ended_by,end_reason,authorised_by,"
                + "vv_fetched_at,grant_applied_at,grant_removed_at,firewall_error", lines.get(0));
        List<UUID> expired = anns.stream().filter(id -> !id.equals(revoked) && !id.equals(anns.get(4))).toList();
        assertEquals(expired, lines.subList(1, lines.size()).stream().map(l -> UUID.fromString(l.split(",")[0])).toList());
        assertTrue(lines.stream().skip(1).allMatch(l -> l.split(",")[1].equals(ann) && l.split(",")[7].equals("EXPIRED")));
        assertTrue(lines.contains(approved + "," + ann + ",debianx,mylap,10.0.0.9,2026-11-18T08:00:00Z,2026-11-18T09:00:00Z,"
                + "EXPIRED,2026-11-18T09:00:00Z,system,time is up,request #4242,,,,"), lines.toString());
        assertTrue(csv.asString().contains("\r\n"), "CSV lines end in CRLF");

        // the API twin
        String api = given().auth().preemptive().basic(adminName, Fixtures.PASSWORD)
                .get("/api/v1/admin/sessions/log.csv?user=" + ann + "&state=EXPIRED").then().statusCode(200)
                .contentType(containsString("text/csv")).extract().asString();
        assertEquals(csv.asString(), api);
    }

    @Test
    void aTimelineTellsTheStoryIncludingItsRequest() {
        Instant t = Instant.parse("2026-11-18T07:00:00Z");
        audit.append(AuditLog.event("REQUEST_CREATED").actor(ann).user(ann).console("debianx")
                .detail("request #4242: 2026-11-18T08:00:00Z for 60 min; reason: month end"), t);
        audit.append(AuditLog.event("REQUEST_CREATED").actor(ann).user(ann).console("debianx")
                .detail("request #42420: another one"), t);
        audit.append(AuditLog.event("REQUEST_APPROVED").actor("boss").user(ann).console("debianx")
                .detail("request #4242 approved for 2026-11-18T08:00:00Z to 2026-11-18T09:00:00Z"), t.plusSeconds(60));
        audit.append(AuditLog.event("SESSION_OPENED").actor(ann).user(ann).console("debianx").workstation("mylap")
                .session(approved).source("10.0.0.9").detail("until 2026-11-18T09:00:00Z, authorised by request #4242"),
                Instant.parse("2026-11-18T08:00:00Z"));
        audit.append(AuditLog.event("SESSION_EXPIRED").actor("system").user(ann).console("debianx").workstation("mylap")
                .session(approved).detail("ended at 2026-11-18T09:00:00Z"), Instant.parse("2026-11-18T09:00:03Z"));

        String html = admin.request().get("/admin/log/" + approved).then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("data-action=\"([A-Z_]+)\"").matcher(html);
        List<String> actions = new ArrayList<>();
        while (m.find()) {
            actions.add(m.group(1));
        }
        assertEquals(List.of("REQUEST_CREATED", "REQUEST_APPROVED", "SESSION_OPENED", "SESSION_EXPIRED"), actions);
        assertTrue(html.contains("Request approved by boss"));
        assertTrue(html.contains("approved request #4242"));
        assertFalse(html.contains("request #42420"), "another request's rows are not this session's");

        admin.request().get("/admin/log/" + UUID.randomUUID()).then().statusCode(404);
        admin.request().get("/admin/log/not-a-session").then().statusCode(404);
    }
}
