package io.spicegate.web;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * My account's API tokens (issue 18): create one with the form, see its secret once (never again, never in an
 * address), use it, revoke it with its button; a wrong entry is the form again with a sentence; an administrator
 * sees it on Admin → API tokens and revokes it there.
 */
@QuarkusTest
class AccountTokensPageTest {

    static final Pattern SECRET = Pattern.compile("id=\"token-secret\"[^>]*value=\"(sgp_[A-Za-z0-9_-]+)\"");

    @Inject Fixtures fixtures;
    @Inject TestClock clock;

    String user;
    Browser browser;

    @BeforeEach
    void setUp() {
        clock.berlin("2026-11-23T10:00");
        user = fixtures.user("pagetok");
        browser = Browser.login(user, Fixtures.PASSWORD);
    }

    String create(String name, String days) {
        Response r = browser.request().formParam("csrf", browser.csrf("/account")).formParam("name", name)
                .formParam("days", days).post("/account/tokens");
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals("no-store", r.header("Cache-Control"));
        Matcher m = SECRET.matcher(r.asString());
        assertTrue(m.find(), "the new token is shown");
        return m.group(1);
    }

    @Test
    void createdShownOnceUsedAndRevokedFromThePage() {
        String secret = create("my laptop", "30");
        given().header("Authorization", "Bearer " + secret).get("/api/v1/consoles").then().statusCode(200);
        String again = browser.request().get("/account").then().statusCode(200).extract().asString();
        assertFalse(again.contains(secret), "the secret is shown once");
        assertTrue(again.contains("my laptop") && again.contains("Revoke"), again);
        String id = Db.strings("select t.id::text from api_token t join app_user u on u.id = t.user_id where u.username = ?",
                user).get(0);
        Response revoked = browser.request().formParam("csrf", browser.csrf("/account"))
                .post("/account/tokens/" + id + "/revoke");
        assertEquals(303, revoked.statusCode());
        assertTrue(revoked.header("Location").endsWith("/account#tokens"), revoked.header("Location"));
        given().header("Authorization", "Bearer " + secret).get("/api/v1/consoles").then().statusCode(401);
        String after = browser.request().get("/account").then().statusCode(200).extract().asString();
        assertTrue(after.contains("data-state=\"REVOKED\""), after);
    }

    @Test
    void aWrongEntryIsTheFormAgainWithASentenceAndNoToken() {
        long before = Db.count("select count(*) from api_token");
        for (String[] bad : new String[][]{{"laptop", "91"}, {"laptop", "soon"}, {"", "7"}, {"laptop", ""}}) {
            Response r = browser.request().formParam("csrf", browser.csrf("/account")).formParam("name", bad[0])
                    .formParam("days", bad[1]).post("/account/tokens");
            assertEquals(400, r.statusCode(), String.join(",", bad));
            String html = r.asString();
            assertTrue(html.contains("id=\"token-error\""), html);
            assertFalse(SECRET.matcher(html).find());
        }
        assertEquals(before, Db.count("select count(*) from api_token"));
    }

    @Test
    void anAdministratorSeesItAndRevokesIt() {
        String secret = create("desk", "7");
        String admin = fixtures.user("pagetok-admin", false, true);
        Browser a = Browser.login(admin, Fixtures.PASSWORD);
        String list = a.request().queryParam("user", user).get("/admin/tokens").then().statusCode(200).extract().asString();
        assertTrue(list.contains("data-user=\"" + user + "\"") && list.contains("desk"), list);
        assertFalse(list.contains(secret));
        String id = Db.strings("select t.id::text from api_token t join app_user u on u.id = t.user_id where u.username = ?",
                user).get(0);
        Response r = a.request().formParam("csrf", a.csrf("/admin/tokens")).formParam("user", user)
                .post("/admin/tokens/" + id + "/revoke");
        assertEquals(303, r.statusCode());
        String shown = a.request().get(r.header("Location").replaceFirst("^https?://[^/]+", "")).then().statusCode(200)
                .extract().asString();
        assertTrue(shown.contains("id=\"revoked\"") && shown.contains("revoked by " + admin), shown);
        given().header("Authorization", "Bearer " + secret).get("/api/v1/consoles").then().statusCode(401);
        // a filter naming nobody: the page with the sentence, not an error page
        String nobody = a.request().queryParam("user", "nobody-at-all").get("/admin/tokens").then().statusCode(200)
                .extract().asString();
        assertTrue(nobody.contains("id=\"filter-error\"") && nobody.contains("no user &#39;nobody-at-all&#39;"), nobody);
    }
}
