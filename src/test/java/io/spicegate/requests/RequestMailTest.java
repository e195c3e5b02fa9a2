package io.spicegate.requests;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.Mailbox;
import io.spicegate.testing.SmtpServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * E-mail through a real SMTP server (GreenMail, started for the tests) read back over IMAP: the approvers
 * hear of a new request, the requester of the decision; nothing is sent for what did not happen.
 */
@QuarkusTest
class RequestMailTest {

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

    static RequestSpecification as(String who) {
        return given().auth().preemptive().basic(who, Fixtures.PASSWORD).contentType("application/json");
    }

    static String mail(String username) {
        return username + "@test.example"; // Fixtures' addresses
    }

    long ask(String reason) {
        return ((Number) as(user).body(Map.of("console", console, "minutes", 60, "reason", reason))
                .post("/api/v1/requests").then().statusCode(201).extract().path("id")).longValue();
    }

    @Test
    void everyApproverHearsOfANewRequestAndTheRequesterOfTheApproval() {
        long id = ask("Invoices must go out tonight.");
        for (String approver : List.of(boss, deputy)) {
            Mailbox.Letter letter = Mailbox.await(mail(approver), l -> l.subject().contains(user));
            assertEquals("Spicegate: " + user + " asks for " + console, letter.subject());
            assertTrue(letter.from().contains(SmtpServer.FROM), letter.from());
            assertEquals(List.of(mail(approver)), letter.to(), "one letter per approver, addressed to him alone");
            assertTrue(letter.text().contains("erin (" + user + ") asks for " + console), letter.text());
            assertTrue(letter.text().contains("Mon 23 Nov 19:00–20:00 (Europe/Berlin), 60 minutes"), letter.text());
            assertTrue(letter.text().contains("Reason: Invoices must go out tonight."), letter.text());
            assertTrue(letter.text().contains("under Approvals (http://spicegate.test/approvals)"), letter.text());
        }
        // a second request for the same console is refused: nobody hears of it
        as(user).body(Map.of("console", console, "minutes", 30, "reason", "again"))
                .post("/api/v1/requests").then().statusCode(409);

        as(deputy).body(Map.of("note", "Go ahead.")).post("/api/v1/requests/" + id + "/approve").then().statusCode(200);
        Mailbox.Letter decision = Mailbox.await(mail(user), l -> l.subject().contains("approved"));
        assertEquals("Spicegate: your request for " + console + " was approved", decision.subject());
        assertTrue(decision.text().contains("deputy approved your request #" + id + " for " + console), decision.text());
        assertTrue(decision.text().contains("You may open it Mon 23 Nov 19:00–20:00 (Europe/Berlin)"), decision.text());
        assertTrue(decision.text().contains("Note from " + deputy + ": Go ahead."), decision.text());

        assertEquals(1, Mailbox.of(mail(boss)).size(), "the refused second request sent nothing: " + Mailbox.of(mail(boss)));
        assertEquals(1, Mailbox.of(mail(user)).size());
    }

    @Test
    void theRequesterReadsWhyItWasDenied() {
        long id = ask("Need to check the logs.");
        Mailbox.await(mail(boss), l -> l.subject().contains(user));
        as(boss).body(Map.of("note", "Not tonight: the backup runs.")).post("/api/v1/requests/" + id + "/deny")
                .then().statusCode(200);
        Mailbox.Letter letter = Mailbox.await(mail(user), l -> l.subject().contains("denied"));
        assertEquals("Spicegate: your request for " + console + " was denied", letter.subject());
        assertTrue(letter.text().contains("boss denied your request #" + id + " for " + console
                + " (Mon 23 Nov 19:00–20:00 (Europe/Berlin))."), letter.text());
        assertTrue(letter.text().contains("Note from " + boss + ": Not tonight: the backup runs."), letter.text());
    }

    @Test
    void aRefusedDecisionSendsNothing() throws InterruptedException {
        long id = ask("x");
        as(boss).body("{}").post("/api/v1/requests/" + id + "/deny").then().statusCode(400); // no note
        as(user).post("/api/v1/requests/" + id + "/cancel").then().statusCode(200);
        as(boss).body(Map.of("note", "late")).post("/api/v1/requests/" + id + "/deny").then().statusCode(409);
        Mailbox.await(mail(boss), l -> l.subject().contains(user)); // the request itself was announced
        Thread.sleep(1000); // time enough for a wrong letter to arrive
        assertEquals(List.of(), Mailbox.of(mail(user)), "no decision, no letter to the requester");
    }
}
