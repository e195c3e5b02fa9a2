package io.spicegate.security;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.users.Passwords;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13's smaller holes, each as a hostile user found it: odd {@code next} values after a good login, decisions
 * on requests one cannot see or of a deactivated user, passwords beyond bcrypt's 72 bytes, fractions where the API
 * takes whole numbers, and cookie-authenticated API calls without Origin or token.
 */
@QuarkusTest
class SmallHolesTest {

    @Inject
    Fixtures fixtures;

    String user;
    String boss;
    String console;

    @BeforeEach
    void mondayEveningAndAnOffHoursConsole() {
        Fixtures.OffHours office = fixtures.offHoursConsole("holes", "hboss", "hvm");
        user = office.user();
        boss = office.approver();
        console = office.console();
    }

    static RequestSpecification as(String who) {
        return Fixtures.as(who).redirects().follow(false);
    }

    long ask() {
        Map<String, Object> body = Map.of("console", console, "minutes", 60, "reason", "month-end closing");
        Response r = as(user).body(body).post("/api/v1/requests");
        assertEquals(201, r.statusCode(), r.asString());
        return ((Number) r.path("id")).longValue();
    }

    String state(long id) {
        return Db.strings("select state from access_request where id = ?", id).get(0);
    }

    static Response formLogin(String username, String password, String next) {
        RequestSpecification r = given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("username", username).formParam("password", password);
        return (next == null ? r : r.formParam("next", next)).post("/login");
    }

    // --- point 7: next ------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"/a\"b", "/a<b", "/a{b", "/a|b", "/a%zz", "/sessions/%zz", "/a b", "/a\\b", "/a\u00e9", "/a#b"})
    void anyNextAfterAGoodLoginIsASafeRedirectNeverA500(String next) {
        Response r = formLogin(user, Fixtures.PASSWORD, next);
        assertEquals(303, r.statusCode(), next + ": " + r.asString());
        assertNotNull(r.getCookie(Browser.COOKIE), "the login cookie is set for next=" + next);
        assertTrue(r.getHeader("Location").endsWith("/consoles"), r.getHeader("Location"));
        // the page flows: the form with that next, and a logged-in visit of /login?next=
        given().redirects().follow(false).queryParam("next", next).get("/login").then().statusCode(200);
        given().redirects().follow(false).cookie(Browser.COOKIE, r.getCookie(Browser.COOKIE)).queryParam("next", next)
                .get("/login").then().statusCode(303).header("Location", endsWith("/consoles"));
        // a wrong password with that next: the form again, no 500
        assertEquals(401, formLogin(user, "not-the-password", next).statusCode());
    }

    @Test
    void aPlainLocalNextIsKept() {
        Response r = formLogin(user, Fixtures.PASSWORD, "/requests?console=a-b_c.d%20e");
        assertEquals(303, r.statusCode(), r.asString());
        assertTrue(r.getHeader("Location").endsWith("/requests?console=a-b_c.d%20e"), r.getHeader("Location"));
    }

    // --- point 13: requests one cannot see, deactivated requesters -------------------------------------

    @Test
    void aDecisionOnARequestYouCannotSeeIs404LikeReadingIt() {
        long id = ask();
        String otherBoss = fixtures.user("hboss", true, false);
        String admin = fixtures.user("hroot", false, true);
        for (String outsider : List.of(otherBoss, admin)) {
            for (String verb : List.of("approve", "deny")) {
                Response r = as(outsider).body(Map.of("note", "no")).post("/api/v1/requests/" + id + "/" + verb);
                assertEquals(404, r.statusCode(), r.asString());
                assertEquals("There is no request #" + id + ": see Approvals.", r.path("error"));
                assertTrue(!r.asString().contains(user) && !r.asString().contains(console), r.asString());
            }
            as(outsider).get("/api/v1/requests/" + id).then().statusCode(404);
            Browser b = Browser.login(outsider, Fixtures.PASSWORD);
            String csrf = b.csrf("/approvals");
            String page = b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                    .formParam("decision", "approve").formParam("note", "ok").post("/approvals/" + id)
                    .then().statusCode(404).extract().asString();
            assertTrue(!page.contains(user) && !page.contains(console), page);
        }
        assertEquals("PENDING", state(id));
        // his own request is visible to him: that he may not decide it stays a 403
        assertEquals(403, as(user).body("{}").post("/api/v1/requests/" + id + "/approve").statusCode());
    }

    @Test
    void aDeactivatedUsersPendingRequestCannotBeApproved() {
        long id = ask();
        fixtures.deactivate(user);
        Response r = as(boss).body("{}").post("/api/v1/requests/" + id + "/approve");
        assertEquals(409, r.statusCode(), r.asString());
        assertEquals(user + "'s account is deactivated, so request #" + id + " cannot be approved (it would open "
                + console + " at reactivation): deny it, or ask an administrator to reactivate the account first.",
                r.path("error"));
        Browser b = Browser.login(boss, Fixtures.PASSWORD);
        String csrf = b.csrf("/approvals");
        b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .formParam("decision", "approve").formParam("note", "ok").post("/approvals/" + id)
                .then().statusCode(409).body(containsString("is deactivated"));
        assertEquals("PENDING", state(id));
        assertEquals(0, Db.count("select count(*) from audit_event where action = 'REQUEST_APPROVED' and detail like ?",
                "request #" + id + " %"));
    }

    // --- point 13: bcrypt's 72 bytes ---------------------------------------------------------------

    static final String SEVENTY_TWO = "a".repeat(72);

    @Test
    void passwordsLongerThan72BytesAreRefusedWhereverTheyAreSet() throws Exception {
        String admin = fixtures.user("hroot", false, true);
        Map<String, Object> in = new HashMap<>(Map.of("username", Fixtures.unique("long"), "displayName", "Long",
                "email", "long@test.example", "unixUsername", "longu", "roles", List.of("user")));
        in.put("password", SEVENTY_TWO + "x".repeat(28));
        Response created = as(admin).body(in).post("/api/v1/admin/users");
        assertEquals(400, created.statusCode(), created.asString());
        assertTrue(created.path("error").toString().contains("at most 72 bytes"), created.asString());
        // bytes, not characters: 37 accented letters are 74 bytes
        in.put("password", "\u00e9".repeat(37));
        assertEquals(400, as(admin).body(in).post("/api/v1/admin/users").statusCode());
        in.put("password", "\u00e9".repeat(36));
        Response ok = as(admin).body(in).post("/api/v1/admin/users");
        assertEquals(201, ok.statusCode(), ok.asString());
        long id = ((Number) ok.path("id")).longValue();
        // an administrator's reset
        as(admin).body(Map.of("password", SEVENTY_TWO + "b")).put("/api/v1/admin/users/" + id).then().statusCode(400)
                .body("error", containsString("at most 72 bytes"));
        // the user's own change
        Browser b = Browser.login(user, Fixtures.PASSWORD);
        String csrf = b.csrf("/account");
        b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .formParam("current", Fixtures.PASSWORD).formParam("next", SEVENTY_TWO + "c").formParam("repeat", SEVENTY_TWO + "c")
                .post("/account/password").then().statusCode(400).body(containsString("at most 72 bytes"));
        assertEquals(303, formLogin(user, Fixtures.PASSWORD, null).statusCode(), "the password did not change");
    }

    @Test
    void aLongPasswordNeverMatchesOnItsFirst72Bytes() throws Exception {
        // an account from before the rule, whose password is 100 characters
        String old = fixtures.user("oldlong");
        Db.update("update app_user set password_hash = ? where username = ?", Passwords.hash(SEVENTY_TWO + "1".repeat(28)), old);
        Response form = formLogin(old, SEVENTY_TWO + "2".repeat(28), null);
        assertEquals(403, form.statusCode(), form.asString());
        assertNotNull(form.asString());
        assertTrue(form.asString().contains("longer than 72 bytes"), form.asString());
        given().auth().preemptive().basic(old, SEVENTY_TWO + "2".repeat(28)).get("/api/v1/consoles").then().statusCode(401)
                .body("error", containsString("longer than 72 bytes"));
        assertTrue(Db.auditOf(old).stream().anyMatch(r -> r.startsWith("LOGIN_FAILED") && r.contains("longer than 72 bytes")),
                Db.auditOf(old).toString());
        assertTrue(Db.auditOf(old).stream().noneMatch(r -> r.startsWith("LOGIN_OK")), Db.auditOf(old).toString());
    }

    // --- point 13: whole numbers -------------------------------------------------------------------

    @Test
    void aFractionWhereTheApiTakesAWholeNumberIs400AndChangesNothing() {
        as(user).body("{\"console\":\"" + console + "\",\"minutes\":1.9,\"reason\":\"x\"}").post("/api/v1/requests")
                .then().statusCode(400)
                .body("error", equalTo("'minutes' has the wrong type: send a whole number (no fraction, e.g. 60)."));
        assertEquals(0, Db.count("select count(*) from access_request where username = ?", user));
        String admin = fixtures.user("hroot", false, true);
        String name = Fixtures.unique("fracvm");
        as(admin).body("{\"name\":\"" + name + "\",\"host\":\"mysrv\",\"tlsPort\":5900.5,\"hostSubject\":\"CN=x\"}")
                .post("/api/v1/admin/consoles").then().statusCode(400).body("error", containsString("'tlsPort' has the wrong type"));
        assertEquals(0, Db.count("select count(*) from console where name = ?", name));
        as(admin).body("{\"console\":\"" + console + "\",\"user\":\"" + user + "\",\"effect\":\"ALLOW\","
                + "\"zone\":\"Europe/Berlin\",\"maxMinutes\":90.5}").post("/api/v1/admin/rules").then().statusCode(400)
                .body("error", containsString("'maxMinutes' has the wrong type"));
        assertEquals(1, Db.count("select count(*) from access_rule r join console c on c.id = r.console_id where c.name = ?", console));
        // a whole number written as such still works
        as(user).body("{\"console\":\"" + console + "\",\"minutes\":2,\"reason\":\"x\"}").post("/api/v1/requests")
                .then().statusCode(201);
    }

    /** A cookie-authenticated call with a body of this type and neither Origin nor Referer, as a cross-site form sends it. */
    static RequestSpecification noOrigin(Browser b, String type) {
        RequestSpecification r = given().redirects().follow(false).cookie(Browser.COOKIE, b.cookie());
        return type.startsWith("multipart") ? r.multiPart("note", "forged") : r.contentType(type).body("note=forged");
    }

    // --- point 13: CSRF on the API, whatever the content type --------------------------------------

    @Test
    void aCookieApiCallWithAFormContentTypeAndNoOriginNeedsTheToken() {
        long id = ask();
        Browser b = Browser.login(boss, Fixtures.PASSWORD);
        Browser requester = Browser.login(user, Fixtures.PASSWORD);
        for (String type : List.of("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")) {
            noOrigin(b, type).post("/api/v1/requests/" + id + "/approve").then().statusCode(403)
                    .body("error", containsString("Origin"));
            noOrigin(b, type).post("/api/v1/requests/" + id + "/deny").then().statusCode(403);
            noOrigin(requester, type).post("/api/v1/requests/" + id + "/cancel").then().statusCode(403);
        }
        assertEquals("PENDING", state(id));
        // the session's CSRF token in the header lets such a call through
        String csrf = b.csrf("/approvals");
        given().redirects().follow(false).cookie(Browser.COOKIE, b.cookie()).header("X-CSRF-Token", "forged")
                .post("/api/v1/requests/" + id + "/approve").then().statusCode(403);
        given().redirects().follow(false).cookie(Browser.COOKIE, b.cookie()).header("X-CSRF-Token", csrf)
                .post("/api/v1/requests/" + id + "/approve").then().statusCode(200).body("state", equalTo("APPROVED"));
    }
}
