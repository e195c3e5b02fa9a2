package io.spicegate.web;

import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every cookie-authenticated state change is CSRF-protected; Basic-authenticated calls need no token. */
@QuarkusTest
class CsrfTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    String user;
    String console;

    @BeforeEach
    void setUp() {
        clock.berlin("2026-11-23T10:00");
        user = fixtures.user("csrf");
        console = fixtures.console("vm");
        fixtures.rule(console).user(user).save();
    }

    private long sessions() {
        return Db.count("select count(*) from console_session where username = ?", user);
    }

    @Test
    void aFormWithoutTheTokenIsRefusedAndChangesNothing() {
        Browser b = Browser.login(user, Fixtures.PASSWORD);
        b.request().contentType("application/x-www-form-urlencoded").formParam("x", "1")
                .post("/consoles/" + console + "/open").then().statusCode(403)
                .body(containsString("reload the page"));
        b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", "forged")
                .post("/consoles/" + console + "/open").then().statusCode(403);
        assertEquals(0, sessions());
        String csrf = b.csrf("/consoles");
        b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .post("/consoles/" + console + "/open").then().statusCode(303)
                .header("Location", containsString("/sessions/"));
        assertEquals(1, sessions());
    }

    @Test
    void everyPageCarriesTheTokenUnderAFreshMaskAndEachMaskingIsAccepted() {
        // pages are compressed and some reflect what the user typed: a token that looked the same on every page could
        // be guessed byte by byte from the compressed length (BREACH), so each response masks it afresh
        Browser b = Browser.login(user, Fixtures.PASSWORD);
        String first = b.csrf("/consoles");
        String second = b.csrf("/consoles");
        org.junit.jupiter.api.Assertions.assertNotEquals(first, second);
        b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", first)
                .post("/consoles/" + console + "/open").then().statusCode(303);
        b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", second)
                .post("/consoles/" + console + "/open").then().statusCode(303);
        // half of a masked token, or one with a flipped byte, is not a token
        b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", first.substring(0, first.length() / 2))
                .post("/consoles/" + console + "/open").then().statusCode(403);
        int at = first.length() / 4;
        String flipped = first.substring(0, at) + (first.charAt(at) == 'A' ? 'B' : 'A') + first.substring(at + 1);
        b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", flipped)
                .post("/consoles/" + console + "/open").then().statusCode(403);
        assertEquals(1, sessions()); // opening twice returns the same session
    }

    @Test
    void anotherSitesFormIsRefusedEvenWithAToken() {
        Browser b = Browser.login(user, Fixtures.PASSWORD);
        String csrf = b.csrf("/consoles");
        given().redirects().follow(false).cookie(Browser.COOKIE, b.cookie()).header("Origin", "https://evil.example")
                .contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .post("/consoles/" + console + "/open").then().statusCode(403);
        assertEquals(0, sessions());
    }

    @Test
    void jsonWithTheCookieNeedsOurOrigin() {
        Browser b = Browser.login(user, Fixtures.PASSWORD);
        String body = "{\"console\":\"" + console + "\"}";
        given().cookie(Browser.COOKIE, b.cookie()).contentType("application/json").body(body)
                .post("/api/v1/sessions").then().statusCode(403).body("error", containsString("Origin"));
        given().cookie(Browser.COOKIE, b.cookie()).header("Origin", "http://evil.example").contentType("application/json")
                .body(body).post("/api/v1/sessions").then().statusCode(403);
        assertEquals(0, sessions());
        b.request().contentType("application/json").body(body).post("/api/v1/sessions").then().statusCode(201);
        assertEquals(1, sessions());
    }

    @Test
    void basicCallsNeedNoToken() {
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).contentType("application/json")
                .body("{\"console\":\"" + console + "\"}").post("/api/v1/sessions").then().statusCode(201);
    }

    @Test
    void rememberedBasicCredentialsCannotBeUsedByAnotherSite() {
        // a browser that once answered the API's Basic prompt sends the credentials on any later request, another
        // site's auto-submitted form included: page forms do not take Basic at all, the API refuses a foreign Origin
        var pageForm = given().redirects().follow(false).auth().preemptive().basic(user, Fixtures.PASSWORD)
                .header("Origin", "https://evil.example").contentType("application/x-www-form-urlencoded")
                .post("/consoles/" + console + "/open");
        assertEquals(403, pageForm.statusCode(), pageForm.asString());
        var sameSite = given().redirects().follow(false).auth().preemptive().basic(user, Fixtures.PASSWORD)
                .contentType("application/x-www-form-urlencoded").post("/consoles/" + console + "/open");
        org.junit.jupiter.api.Assertions.assertTrue(sameSite.statusCode() == 401
                || String.valueOf(sameSite.header("Location")).contains("/login"),
                "Basic is no login for a page's form: " + sameSite.statusCode() + " " + sameSite.header("Location"));
        assertEquals(0, sessions());
        String body = "{\"console\":\"" + console + "\"}";
        for (String origin : new String[]{"https://evil.example", "null"}) {
            given().auth().preemptive().basic(user, Fixtures.PASSWORD).header("Origin", origin)
                    .contentType("application/json").body(body).post("/api/v1/sessions").then().statusCode(403)
                    .body("error", containsString("another site"));
        }
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).header("Referer", "https://evil.example/page")
                .contentType("application/json").body(body).post("/api/v1/sessions").then().statusCode(403);
        assertEquals(0, sessions());
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).header("Origin", Browser.origin())
                .contentType("application/json").body(body).post("/api/v1/sessions").then().statusCode(201);
        assertEquals(1, sessions());
    }

    @Test
    void logoutAndEndAndPasswordFormsNeedTheTokenToo() {
        Browser b = Browser.login(user, Fixtures.PASSWORD);
        b.request().contentType("application/x-www-form-urlencoded").post("/logout").then().statusCode(403);
        b.request().get("/consoles").then().statusCode(200); // still logged in
        String id = given().auth().preemptive().basic(user, Fixtures.PASSWORD).contentType("application/json")
                .body("{\"console\":\"" + console + "\"}").post("/api/v1/sessions").then().extract().path("id");
        b.request().contentType("application/x-www-form-urlencoded").post("/sessions/" + id + "/end").then().statusCode(403);
        assertEquals(1, Db.count("select count(*) from console_session where id = ?::uuid and state = 'ACTIVE'", id));
        b.request().contentType("application/x-www-form-urlencoded").formParam("current", Fixtures.PASSWORD)
                .formParam("next", "new-password-9").formParam("repeat", "new-password-9")
                .post("/account/password").then().statusCode(403);
    }
}
