package io.spicegate.testing;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;

/** A logged-in browser for rest-assured tests: keeps the session cookie and reads CSRF tokens from pages. */
public final class Browser {

    public static final String COOKIE = "spicegate_session";
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    private final String cookie;

    private Browser(String cookie) {
        this.cookie = cookie;
    }

    /** Logs in through the login form; fails the test if that does not work. */
    public static Browser login(String username, String password) {
        Response r = given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .header("Origin", origin())
                .formParam("username", username).formParam("password", password).formParam("next", "/consoles")
                .post("/login");
        if (r.statusCode() != 303 || r.getCookie(COOKIE) == null) {
            throw new AssertionError("login of " + username + " failed: " + r.statusCode() + " " + r.asString());
        }
        return new Browser(r.getCookie(COOKIE));
    }

    public String cookie() {
        return cookie;
    }

    /** A request carrying the login cookie and our own Origin, as a browser on a Spicegate page sends it. */
    public RequestSpecification request() {
        return given().redirects().follow(false).cookie(COOKIE, cookie).header("Origin", origin());
    }

    /** The CSRF token shown on a page. */
    public String csrf(String page) {
        String html = request().get(page).then().statusCode(200).extract().asString();
        Matcher m = CSRF.matcher(html);
        if (!m.find()) {
            throw new AssertionError("no CSRF token on " + page);
        }
        return m.group(1);
    }

    public static String origin() {
        return "http://localhost:" + RestAssured.port;
    }
}
