package io.spicegate.web;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Fixtures;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One author of the login cookie: login sets it and logout clears it with the same attributes. */
@QuarkusTest
class LoginCookieTest {

    @Inject
    Fixtures fixtures;

    @Test
    void loginSetsAndLogoutClearsTheSameCookie() {
        String u = fixtures.user("cookie");
        Response in = given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .header("Origin", Browser.origin()).formParam("username", u).formParam("password", Fixtures.PASSWORD)
                .formParam("next", "/consoles").post("/login");
        assertEquals(303, in.statusCode());
        String set = in.getHeader("Set-Cookie");
        assertTrue(set.startsWith(Browser.COOKIE + "=") && !set.startsWith(Browser.COOKIE + "=;"), set);
        attributes(set);

        Browser b = Browser.login(u, Fixtures.PASSWORD);
        String csrf = b.csrf("/consoles");
        Response out = b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf).post("/logout");
        assertEquals(303, out.statusCode());
        String gone = out.getHeader("Set-Cookie");
        assertTrue(gone.startsWith(Browser.COOKIE + "=;") || gone.startsWith(Browser.COOKIE + "=\"\""), gone);
        assertTrue(gone.contains("Max-Age=0"), gone);
        attributes(gone);
    }

    private static void attributes(String setCookie) {
        assertTrue(setCookie.contains("Path=/"), setCookie);
        assertTrue(setCookie.contains("HttpOnly"), setCookie);
        assertTrue(setCookie.toLowerCase().contains("samesite=lax"), setCookie);
        assertFalse(setCookie.contains("Secure"), "plain http in the tests: " + setCookie);
    }
}
