package io.spicegate.web;

import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request pages, server-rendered: Ask for access from My consoles, the form, My requests with Cancel,
 * Approvals with Approve/Deny, the counts in the nav, CSRF on every form and people's text escaped.
 */
@QuarkusTest
class RequestPagesTest {

    static final Pattern ASKED = Pattern.compile("/requests\\?asked=(\\d+)$");

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    String user;
    String boss;
    String console;

    @BeforeEach
    void mondayEvening() {
        clock.berlin("2026-11-23T19:00");
        user = fixtures.user("fay");
        boss = fixtures.user("boss"); // no approver role: being named in a rule is enough
        console = fixtures.console("vm");
        fixtures.rule(console).user(user).window(Fixtures.weekdays(), "08:00", "18:00").approver(boss).maxMinutes(120).save();
    }

    long ask(Browser b, String... fields) {
        var spec = b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", b.csrf("/requests/new?console=" + console))
                .formParam("console", console);
        for (int i = 0; i < fields.length; i += 2) {
            spec = spec.formParam(fields[i], fields[i + 1]);
        }
        String location = spec.post("/requests").then().statusCode(303).extract().header("Location");
        Matcher m = ASKED.matcher(location);
        assertTrue(m.find(), location);
        return Long.parseLong(m.group(1));
    }

    @Test
    void askFromMyConsolesSeeItPendingAndCancelIt() {
        Browser b = Browser.login(user, Fixtures.PASSWORD);
        String consoles = b.request().get("/consoles").then().statusCode(200).extract().asString();
        assertTrue(consoles.contains("href=\"/requests/new?console=" + console + "\""), "Ask for access on the off-hours card");
        assertTrue(consoles.contains(">Ask for access</a>"));

        String page = b.request().get("/requests/new?console=" + console).then().statusCode(200).extract().asString();
        assertTrue(page.contains("<h1>Ask for " + console + "</h1>"));
        assertTrue(page.contains("name=\"date\"") && page.contains("name=\"time\" value=\"\" inputmode=\"numeric\""));
        assertTrue(page.contains("24-hour time in Europe/Berlin"), "the zone of the time field is named");
        assertTrue(page.contains("(at most 120)") && page.contains("max=\"120\""), "the rule's maximum bounds the minutes");
        assertTrue(page.contains("Your normal windows: Mon–Fri 08:00–18:00 (Europe/Berlin)."));
        assertTrue(page.contains("<label for=\"reason\">") && page.contains("<label for=\"minutes\">"), "labelled fields");

        long id = ask(b, "when", "now", "minutes", "60", "reason", "<script>alert('x')</script> & more");
        String list = b.request().get("/requests?asked=" + id).then().statusCode(200).extract().asString();
        assertTrue(list.contains("Your request #" + id + " is sent."));
        assertTrue(list.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"), "the reason is escaped");
        assertFalse(list.contains("<script>alert"), "no markup from people's text");
        assertTrue(list.contains("id=\"request-" + id + "\" data-state=\"PENDING\""));
        assertTrue(list.contains("Mon 23 Nov 19:00–20:00 (Europe/Berlin)"));
        // My consoles now says it is pending instead of offering to ask again
        consoles = b.request().get("/consoles").then().statusCode(200).extract().asString();
        assertTrue(consoles.contains(">Request pending</a>"));

        // Cancel needs the form's token
        b.request().contentType("application/x-www-form-urlencoded").post("/requests/" + id + "/cancel").then().statusCode(403);
        String location = b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", b.csrf("/requests"))
                .post("/requests/" + id + "/cancel").then().statusCode(303).extract().header("Location");
        assertTrue(location.endsWith("/requests?cancelled=" + id), location);
        assertEquals("CANCELLED", Db.strings("select state from access_request where id = ?", id).get(0));
    }

    @Test
    void aLaterStartIsReadInTheRulesZoneAndMistakesKeepWhatWasTyped() {
        Browser b = Browser.login(user, Fixtures.PASSWORD);
        String csrf = b.csrf("/requests/new?console=" + console);
        String page = b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .formParam("console", console).formParam("when", "later").formParam("start", "2026-11-24T20:00")
                .formParam("minutes", "999").formParam("reason", "deploy window")
                .post("/requests").then().statusCode(400).extract().asString();
        assertTrue(page.contains("Ask for 1 to 120 minutes of " + console + " (the rule&#39;s maximum)."), page);
        assertTrue(page.contains("value=\"2026-11-24\"") && page.contains("value=\"20:00\"") && page.contains(">deploy window</textarea>")
                && page.contains("value=\"999\""), "what was typed stays");
        assertTrue(page.contains("id=\"when-later\" checked"));

        // a reason longer than a form field's transport limit used to be a bare 413: now the field's own sentence
        page = b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .formParam("console", console).formParam("when", "now").formParam("minutes", "60")
                .formParam("reason", "r".repeat(3000)).post("/requests").then().statusCode(400).extract().asString();
        assertTrue(page.contains("is too long: at most"), page);

        page = b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .formParam("console", console).formParam("when", "later").formParam("start", "next week")
                .formParam("minutes", "60").formParam("reason", "x").post("/requests").then().statusCode(400).extract().asString();
        assertTrue(page.contains("is not a date and time"), page);

        long id = ask(b, "when", "later", "start", "2026-11-24T20:00", "minutes", "30", "reason", "deploy window");
        assertEquals("2026-11-24 19:00:00+00", Db.strings("select to_char(wanted_start at time zone 'UTC', "
                + "'YYYY-MM-DD HH24:MI:SS') || '+00' from access_request where id = ?", id).get(0));
        // no CSRF token, no request
        b.request().contentType("application/x-www-form-urlencoded").formParam("console", console)
                .formParam("when", "now").formParam("minutes", "30").formParam("reason", "x").post("/requests")
                .then().statusCode(403);
    }

    @Test
    void theApproverDecidesOnThePageAndTheRequesterSeesTheOutcome() {
        Browser requester = Browser.login(user, Fixtures.PASSWORD);
        long id = ask(requester, "when", "now", "minutes", "60", "reason", "line one\nline <two>");

        Browser approver = Browser.login(boss, Fixtures.PASSWORD);
        String inbox = approver.request().get("/approvals").then().statusCode(200).extract().asString();
        assertTrue(inbox.contains(">Approvals <span class=\"count\" title=\"waiting for your decision\">(1)</span></a>"),
                "the nav counts what waits: " + nav(inbox));
        assertTrue(inbox.contains("id=\"inbox-" + id + "\" data-requester=\"" + user + "\""));
        assertTrue(inbox.contains("Mon 23 Nov 19:00–20:00 (Europe/Berlin), 60 minutes"));
        assertTrue(inbox.contains("line one\nline &lt;two&gt;"));
        assertTrue(inbox.contains("Mon–Fri 08:00–18:00 (Europe/Berlin)"), "the requester's normal windows");
        assertTrue(inbox.contains("<label for=\"note-" + id + "\">"));

        // deny without a note: the page says why and nothing changes
        String csrf = approver.csrf("/approvals");
        String refused = approver.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .formParam("decision", "deny").formParam("note", "").post("/approvals/" + id)
                .then().statusCode(400).extract().asString();
        assertTrue(refused.contains("Say why you deny it"), refused);
        approver.request().contentType("application/x-www-form-urlencoded").formParam("decision", "approve")
                .post("/approvals/" + id).then().statusCode(403); // no token
        assertEquals("PENDING", Db.strings("select state from access_request where id = ?", id).get(0));

        String location = approver.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .formParam("decision", "deny").formParam("note", "Not tonight <b>sorry</b>").post("/approvals/" + id)
                .then().statusCode(303).extract().header("Location");
        assertTrue(location.endsWith("/approvals?denied=" + id), location);
        inbox = approver.request().get(location).then().statusCode(200).extract().asString();
        assertTrue(inbox.contains("Nothing waits for your decision."));
        assertTrue(inbox.contains(">Approvals</a>"), "no count when nothing waits: " + nav(inbox));
        assertTrue(inbox.contains("id=\"decided-" + id + "\""));

        // the requester: "My requests (1)" everywhere until he looks
        String consoles = requester.request().get("/consoles").then().statusCode(200).extract().asString();
        assertTrue(consoles.contains(">My requests <span class=\"count\" title=\"decided, not yet seen\">(1)</span></a>"),
                nav(consoles));
        String mine = requester.request().get("/requests").then().statusCode(200).extract().asString();
        assertTrue(mine.contains("Denied by " + boss + "."), mine);
        assertTrue(mine.contains("Not tonight &lt;b&gt;sorry&lt;/b&gt;"), "the note is shown, escaped");
        assertTrue(mine.contains("<span class=\"badge new\">new</span>"));
        assertTrue(mine.contains(">My requests</a>"), "seen: the count is gone on the list itself: " + nav(mine));
        consoles = requester.request().get("/consoles").then().statusCode(200).extract().asString();
        assertTrue(consoles.contains(">My requests</a>"), nav(consoles));
        // the requester has nothing to approve: no Approvals in his nav
        assertFalse(consoles.contains("href=\"/approvals\""));
    }

    @Test
    void anApprovalOnThePageOpensTheConsole() {
        Browser requester = Browser.login(user, Fixtures.PASSWORD);
        long id = ask(requester, "when", "now", "minutes", "45", "reason", "hotfix");
        Browser approver = Browser.login(boss, Fixtures.PASSWORD);
        approver.request().contentType("application/x-www-form-urlencoded").formParam("csrf", approver.csrf("/approvals"))
                .formParam("decision", "approve").formParam("note", "").post("/approvals/" + id).then().statusCode(303);
        // a second decision (another tab) is refused on the page with a sentence
        String again = approver.request().contentType("application/x-www-form-urlencoded")
                .formParam("csrf", approver.csrf("/approvals")).formParam("decision", "deny").formParam("note", "oops")
                .post("/approvals/" + id).then().statusCode(409).extract().asString();
        assertTrue(again.contains("was already approved by " + boss), again);

        String consoles = requester.request().get("/consoles").then().statusCode(200).extract().asString();
        assertTrue(consoles.contains("data-console=\"" + console + "\" data-decision=\"ALLOWED\""), consoles);
        assertTrue(consoles.contains("available now until 19:45"));
        String mine = requester.request().get("/requests").then().statusCode(200).extract().asString();
        assertTrue(mine.contains("Approved by " + boss + ": you may open it <b>Mon 23 Nov 19:00–19:45 (Europe/Berlin)</b>."), mine);
    }

    @Test
    void theFormIsOnlyForConsolesWithAnApprover() {
        String plain = fixtures.console("vm");
        fixtures.rule(plain).user(user).window(Fixtures.weekdays(), "08:00", "18:00").save();
        Browser b = Browser.login(user, Fixtures.PASSWORD);
        String page = b.request().get("/requests/new?console=" + plain).then().statusCode(400).extract().asString();
        assertTrue(page.contains(plain + " cannot be requested: no rule with an approver covers you."), page);
        b.request().get("/requests/new?console=nope").then().statusCode(404);
        String consoles = b.request().get("/consoles").then().statusCode(200).extract().asString();
        assertFalse(consoles.contains("/requests/new?console=" + plain), "no Ask for access where nobody approves");
        b.request().get("/approvals").then().statusCode(200); // reachable, and empty
    }

    static String nav(String html) {
        int start = html.indexOf("<nav");
        int end = html.indexOf("</nav>");
        return start < 0 || end < 0 ? "(no nav)" : html.substring(start, end);
    }
}
