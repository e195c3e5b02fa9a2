package io.spicegate.requests;

import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.access.Interval;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.Mailbox;
import io.spicegate.users.User;
import jakarta.enterprise.inject.Vetoed;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pages tell the truth about who learns of a request and where: after asking, "boss and deputy will see it in
 * Approvals"; after a decision, "erin will see it in My requests"; "and by e-mail" only when e-mail is on and the
 * person has an address. Never "has been told". A made-up request number in the address names nobody.
 */
@QuarkusTest
class RequestNoticesTest {

    static final Pattern ASKED = Pattern.compile("/requests\\?asked=(\\d+)$");
    static final Pattern NOTICE = Pattern.compile("<p class=\"notice\" role=\"status\">([^<]*)</p>");

    @Inject
    Fixtures fixtures;

    String user;
    String boss;
    String deputy;
    String console;

    @BeforeEach
    void mondayEvening() {
        Fixtures.TwoApprovers t = fixtures.twoApproversConsole("erin");
        user = t.user();
        boss = t.boss();
        deputy = t.deputy();
        console = t.console();
    }

    @Test
    void withEmailOnThePagesSayWhereAndByEmail() {
        Browser requester = Browser.login(user, Fixtures.PASSWORD);
        long id = ask(requester);
        String asked = notice(requester, "/requests?asked=" + id);
        List<String> approvers = List.of(boss, deputy).stream().sorted().toList();
        assertEquals("Your request #" + id + " is sent. Now " + approvers.get(0) + " and " + approvers.get(1)
                + " will see it in Approvals and by e-mail; its outcome will show here.", asked);
        Mailbox.await(mail(boss), l -> l.subject().contains(user)); // and it is true: the letter is there

        Browser approver = Browser.login(boss, Fixtures.PASSWORD);
        String location = decide(approver, id, "deny", "Not tonight.");
        assertEquals("/approvals?denied=" + id, location.replaceAll("^https?://[^/]+", ""));
        assertEquals("Denied. Now " + user + " will see it in My requests and by e-mail, with your note.",
                notice(approver, location));
        Mailbox.await(mail(user), l -> l.subject().contains("denied"));

        long second = ask(requester);
        location = decide(approver, second, "approve", "");
        assertEquals("Approved. Now " + user + " will see it in My requests and by e-mail.", notice(approver, location));
        Mailbox.await(mail(user), l -> l.subject().contains("approved"));
    }

    @Test
    void withoutAnAddressThereIsNoEmailToClaim() throws Exception {
        Db.update("update app_user set email = null where username in (?, ?, ?)", user, boss, deputy);
        Browser requester = Browser.login(user, Fixtures.PASSWORD);
        long id = ask(requester);
        assertTrue(notice(requester, "/requests?asked=" + id).contains(" will see it in Approvals; its outcome"),
                "no e-mail address, no e-mail claimed");
        Browser approver = Browser.login(deputy, Fixtures.PASSWORD);
        assertEquals("Approved. Now " + user + " will see it in My requests.", notice(approver, decide(approver, id, "approve", "")));
    }

    @Test
    void withEmailOffNobodyIsSaidToBeToldByEmail() throws InterruptedException {
        QuarkusMock.installMockForType(new MailOff(), RequestMail.class);
        Browser requester = Browser.login(user, Fixtures.PASSWORD);
        long id = ask(requester);
        String asked = notice(requester, "/requests?asked=" + id);
        assertTrue(asked.endsWith(" will see it in Approvals; its outcome will show here."), asked);
        assertFalse(asked.contains("e-mail") || asked.contains("told"), asked);

        Browser approver = Browser.login(boss, Fixtures.PASSWORD);
        assertEquals("Approved. Now " + user + " will see it in My requests.", notice(approver, decide(approver, id, "approve", "")));
        Thread.sleep(1000); // time enough for a wrong letter to arrive
        assertEquals(List.of(), Mailbox.of(mail(boss)), "e-mail is off: nothing was sent");
        assertEquals(List.of(), Mailbox.of(mail(user)));
    }

    @Test
    void aMadeUpNumberInTheAddressNamesNobody() {
        Browser requester = Browser.login(user, Fixtures.PASSWORD);
        long id = ask(requester);
        String stranger = fixtures.user("mallory");
        Browser other = Browser.login(stranger, Fixtures.PASSWORD);
        String asked = notice(other, "/requests?asked=" + id);
        assertEquals("Your request #" + id + " is sent. Now your administrator will see it in Approvals; its outcome "
                + "will show here.", asked, "someone else's request: its approvers are not named");
        assertEquals("Approved. Now the requester will see it in My requests.", notice(other, "/approvals?approved=" + id));
        assertEquals("Approved. Now the requester will see it in My requests.", notice(other, "/approvals?approved=x%3Cb%3E"));
    }

    // ------------------------------------------------------------------------------------------------------------

    /** E-mail switched off, as with {@code spicegate.mail.from} unset: no letters, {@link RequestMail#enabled} false. */
    @Vetoed
    static class MailOff extends RequestMail {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        void askApprovers(AccessRequest r, User requester, List<User> approvers) {
        }

        @Override
        void tellDecision(AccessRequest r, User approver, Interval window, String note) {
        }
    }

    static String mail(String username) {
        return username + "@test.example"; // Fixtures' addresses
    }

    long ask(Browser b) {
        String location = b.request().contentType("application/x-www-form-urlencoded")
                .formParam("csrf", b.csrf("/requests/new?console=" + console)).formParam("console", console)
                .formParam("when", "now").formParam("minutes", "30").formParam("reason", "month end")
                .post("/requests").then().statusCode(303).extract().header("Location");
        Matcher m = ASKED.matcher(location);
        assertTrue(m.find(), location);
        return Long.parseLong(m.group(1));
    }

    static String decide(Browser b, long id, String decision, String note) {
        return b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", b.csrf("/approvals"))
                .formParam("decision", decision).formParam("note", note).post("/approvals/" + id)
                .then().statusCode(303).extract().header("Location");
    }

    static String notice(Browser b, String path) {
        String html = b.request().get(path.replaceAll("^https?://[^/]+", "")).then().statusCode(200).extract().asString();
        assertFalse(html.contains("has been told"), "no page claims anyone has been told");
        Matcher m = NOTICE.matcher(html);
        assertTrue(m.find(), "a notice on " + path);
        return m.group(1).replace("&#39;", "'");
    }
}
