package io.spicegate.sessions;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launch file goes only to the session's own workstation (DESIGN.md rule 5, issue 13 point 1): asked for from
 * another address, registered or not, it is refused with 403 and a sentence, on the API and the page route alike,
 * and the refusal uses nothing up. The test profile trusts X-Forwarded-For from 127.0.0.1, so the source is set by
 * header here; LaunchFileBindingIT proves the same against the packaged jar from a second loopback address.
 */
@QuarkusTest
class LaunchFileBindingTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    String user;
    String console;
    String address;
    String workstation;

    @BeforeEach
    void setUp() {
        clock.berlin("2026-11-23T10:00");
        user = fixtures.user("vvbind");
        console = fixtures.console("vm");
        fixtures.rule(console).user(user).save();
        address = "10.93." + (1 + (int) (Math.random() * 250)) + "." + (1 + (int) (Math.random() * 250));
        workstation = fixtures.workstation("vvdesk", address);
    }

    RequestSpecification from(String source) {
        return given().auth().preemptive().basic(user, Fixtures.PASSWORD).header("X-Forwarded-For", source);
    }

    String openFromOwnWorkstation() {
        String id = from(address).contentType("application/json").body(Map.of("console", console))
                .post("/api/v1/sessions").then().statusCode(201).extract().path("id");
        return "/api/v1/sessions/" + id + "/console.vv";
    }

    @Test
    void anotherAddressIsRefusedAndTheOwnWorkstationStillGetsTheFileOnce() {
        String vv = openFromOwnWorkstation();
        String otherAddress = "10.94.0." + (1 + (int) (Math.random() * 250));
        String other = fixtures.workstation("vvother", otherAddress);

        // an unregistered address on the same machine (the 127.0.0.99), and another registered workstation
        from("127.0.0.99").get(vv).then().statusCode(403)
                .body("error", containsString("works only on workstation " + workstation))
                .body("error", containsString("127.0.0.99"));
        from(otherAddress).get(vv).then().statusCode(403)
                .body("error", containsString("this computer (" + otherAddress + ") is workstation " + other));
        // the demo workstation mylap (127.0.0.1, no header) is another workstation too
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).get(vv).then().statusCode(403);

        // nothing was used up: the own workstation gets the file, once
        String body = from(address).get(vv).then().statusCode(200).contentType(LaunchFile.MEDIA_TYPE).extract().asString();
        assertTrue(body.contains("\npassword=secret-" + console + "\n"), body);
        from(address).get(vv).then().statusCode(410);

        List<String> audit = Db.auditOf(user);
        assertEquals(1, audit.stream().filter(r -> r.startsWith("VV_DOWNLOADED")).count(), audit.toString());
        assertEquals(3, audit.stream().filter(r -> r.startsWith("ACCESS_REFUSED")).count(), audit.toString());
        assertFalse(audit.stream().anyMatch(r -> r.contains("secret-" + console)), "no password in the audit log");
    }

    @Test
    void thePageRouteAppliesTheSameRule() {
        String vv = openFromOwnWorkstation().replace("/api/v1", "");
        Browser b = Browser.login(user, Fixtures.PASSWORD);
        String refused = b.request().header("X-Forwarded-For", "127.0.0.99").get(vv).then().statusCode(403)
                .extract().asString();
        assertTrue(refused.contains("works only on workstation " + workstation), refused);
        assertFalse(refused.contains("password="), refused);
        b.request().header("X-Forwarded-For", address).get(vv).then().statusCode(200).contentType(LaunchFile.MEDIA_TYPE)
                .body(containsString("\npassword=secret-" + console + "\n"));
    }

    @Test
    void aRefusalNamesNothingOfAnotherUsersSession() {
        String vv = openFromOwnWorkstation();
        String thief = fixtures.user("vvthief");
        fixtures.rule(console).user(thief).save();
        // another user's session stays 404 from anywhere, the own workstation included
        given().auth().preemptive().basic(thief, Fixtures.PASSWORD).header("X-Forwarded-For", address).get(vv)
                .then().statusCode(404);
        given().auth().preemptive().basic(thief, Fixtures.PASSWORD).header("X-Forwarded-For", "127.0.0.99").get(vv)
                .then().statusCode(404);
        from(address).get(vv).then().statusCode(200);
    }
}
