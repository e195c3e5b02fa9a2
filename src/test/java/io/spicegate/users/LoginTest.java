package io.spicegate.users;

import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Login, logout, server-side login sessions, lockout, password change. */
@QuarkusTest
class LoginTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @BeforeEach
    void monday() {
        clock.berlin("2026-11-23T10:00");
    }

    @Test
    void loginPageIsAFormWithLabels() {
        given().get("/login").then().statusCode(200)
                .body(containsString("<label for=\"username\">Username</label>"))
                .body(containsString("<label for=\"password\">Password</label>"))
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"));
    }

    @Test
    void withoutOidcSettingsThereIsNoSingleSignOnButtonAndNoFlow() {
        given().get("/login").then().statusCode(200).body(not(containsString("id=\"oidc-login\"")));
        given().redirects().follow(false).get("/login/oidc").then().statusCode(404)
                .body(containsString("Single sign-on is not configured here"));
    }

    @Test
    void anonymousPagesRedirectToLoginAndApiAnswers401() {
        given().redirects().follow(false).get("/consoles").then().statusCode(303)
                .header("Location", containsString("/login?next=%2Fconsoles"));
        given().get("/api/v1/consoles").then().statusCode(401)
                .header("WWW-Authenticate", containsString("Basic"))
                .body("error", containsString("Log in"));
    }

    @Test
    void goodLoginSetsAnHttpOnlySameSiteCookieAndANewIdEachTime() {
        String u = fixtures.user("ann");
        Response first = formLogin(u, Fixtures.PASSWORD);
        assertEquals(303, first.statusCode());
        String setCookie = first.getHeader("Set-Cookie");
        assertTrue(setCookie.contains("HttpOnly"), setCookie);
        assertTrue(setCookie.toLowerCase().contains("samesite=lax"), setCookie);
        Browser a = Browser.login(u, Fixtures.PASSWORD);
        Browser b = Browser.login(u, Fixtures.PASSWORD);
        assertNotEquals(a.cookie(), b.cookie());
        a.request().get("/consoles").then().statusCode(200).body(containsString("My consoles"));
    }

    @Test
    void wrongPasswordShowsASentenceAndNoCookie() {
        String u = fixtures.user("bob");
        Response r = formLogin(u, "nope");
        assertEquals(401, r.statusCode());
        assertTrue(r.asString().contains("Wrong username or password"));
        assertEquals(null, r.getCookie(Browser.COOKIE));
        given().auth().preemptive().basic(u, "nope").get("/api/v1/consoles").then().statusCode(401)
                .body("error", equalTo("Wrong username or password."));
    }

    @Test
    void logoutEndsTheSessionOnTheServer() {
        String u = fixtures.user("cy");
        Browser b = Browser.login(u, Fixtures.PASSWORD);
        String csrf = b.csrf("/consoles");
        b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf).post("/logout")
                .then().statusCode(303).header("Location", containsString("/login"));
        // the old cookie is worthless now, even if the browser kept it
        b.request().get("/consoles").then().statusCode(303).header("Location", containsString("/login"));
        b.request().get("/api/v1/consoles").then().statusCode(401);
    }

    @Test
    void deactivationEndsLoginSessionsAtOnce() {
        String u = fixtures.user("dee");
        Browser b = Browser.login(u, Fixtures.PASSWORD);
        b.request().get("/api/v1/consoles").then().statusCode(200);
        fixtures.deactivate(u);
        b.request().get("/api/v1/consoles").then().statusCode(401);
        assertEquals(401, formLogin(u, Fixtures.PASSWORD).statusCode());
    }

    @Test
    void fiveFailuresLockTheAccountForFiveMinutesEvenWithTheRightPassword() {
        String u = fixtures.user("eve");
        for (int i = 0; i < 4; i++) {
            assertEquals(401, formLogin(u, "wrong" + i).statusCode());
        }
        Response fifth = formLogin(u, "wrong5");
        assertEquals(429, fifth.statusCode());
        assertTrue(fifth.asString().contains("locked for 5 minutes"), fifth.asString());
        Response right = formLogin(u, Fixtures.PASSWORD);
        assertEquals(429, right.statusCode());
        assertTrue(right.asString().contains("even with the right password"));
        given().auth().preemptive().basic(u, Fixtures.PASSWORD).get("/api/v1/consoles").then().statusCode(429)
                .header("Retry-After", not(equalTo(null)))
                .body("error", containsString("Too many failed logins"));
        clock.advance(Duration.ofMinutes(4));
        assertEquals(429, formLogin(u, Fixtures.PASSWORD).statusCode());
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        assertEquals(303, formLogin(u, Fixtures.PASSWORD).statusCode());
    }

    @Test
    void lockoutIsPerAccount() {
        String locked = fixtures.user("fay");
        String other = fixtures.user("gus");
        for (int i = 0; i < 5; i++) {
            formLogin(locked, "bad");
        }
        assertEquals(429, formLogin(locked, Fixtures.PASSWORD).statusCode());
        assertEquals(303, formLogin(other, Fixtures.PASSWORD).statusCode());
    }

    @Test
    void failuresSpreadOverMoreThanFiveMinutesDoNotLock() {
        String u = fixtures.user("hal");
        for (int i = 0; i < 6; i++) {
            assertEquals(401, formLogin(u, "bad").statusCode());
            clock.advance(Duration.ofSeconds(75));
        }
        assertEquals(303, formLogin(u, Fixtures.PASSWORD).statusCode());
    }

    @Test
    void usersChangeTheirOwnPassword() {
        String u = fixtures.user("ida");
        Browser b = Browser.login(u, Fixtures.PASSWORD);
        Browser elsewhere = Browser.login(u, Fixtures.PASSWORD);
        String csrf = b.csrf("/account");
        b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .formParam("current", "not-it").formParam("next", "new-password-1").formParam("repeat", "new-password-1")
                .post("/account/password").then().statusCode(400).body(containsString("current password is not right"));
        b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .formParam("current", Fixtures.PASSWORD).formParam("next", "short").formParam("repeat", "short")
                .post("/account/password").then().statusCode(400).body(containsString("at least 8 characters"));
        b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                .formParam("current", Fixtures.PASSWORD).formParam("next", "new-password-1").formParam("repeat", "new-password-1")
                .post("/account/password").then().statusCode(200).body(containsString("Your password is changed"));
        b.request().get("/consoles").then().statusCode(200);
        elsewhere.request().get("/consoles").then().statusCode(303);
        assertEquals(401, formLogin(u, Fixtures.PASSWORD).statusCode());
        assertEquals(303, formLogin(u, "new-password-1").statusCode());
    }

    @Test
    void nextIsNeverAnOpenRedirect() {
        String u = fixtures.user("jo");
        Response r = given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("username", u).formParam("password", Fixtures.PASSWORD)
                .formParam("next", "//evil.example/x").post("/login");
        assertEquals(303, r.statusCode());
        assertNotNull(r.getHeader("Location"));
        assertTrue(r.getHeader("Location").endsWith("/consoles"), r.getHeader("Location"));
    }

    @Test
    void loginsAreAuditedWithoutPasswords() {
        String u = fixtures.user("kim");
        formLogin(u, "a-wrong-secret");
        formLogin(u, Fixtures.PASSWORD);
        Instant now = clock.instant();
        var rows = io.spicegate.testing.Db.auditOf(u);
        assertTrue(rows.stream().anyMatch(r -> r.startsWith("LOGIN_FAILED")), rows.toString());
        assertTrue(rows.stream().anyMatch(r -> r.startsWith("LOGIN_OK")), rows.toString());
        assertTrue(rows.stream().noneMatch(r -> r.contains("a-wrong-secret") || r.contains(Fixtures.PASSWORD)), rows.toString());
        assertNotNull(now);
    }

    static Response formLogin(String username, String password) {
        return given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("username", username).formParam("password", password).post("/login");
    }
}
