package io.spicegate.web.admin;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.SessionRows;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every admin page: 200 for an admin, 403 for a user and for an approver, and a redirect to the login page
 * (coming back afterwards) for anonymous visitors. State-changing forms refuse non-admins and missing tokens.
 */
@QuarkusTest
class AdminPagesAccessTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    static String admin;
    static String user;
    static String approver;
    static Map<String, String> ids;

    @BeforeEach
    void setUp() {
        clock.berlin("2026-11-23T10:00");
        if (ids == null) {
            admin = fixtures.user("root", false, true);
            user = fixtures.user("plain");
            approver = fixtures.user("chief", true, false);
            String group = fixtures.group("team", user);
            String session = SessionRows.finished(user, "debianx", "mylap", Instant.parse("2026-11-20T09:00:00Z"), "EXPIRED", null)
                    .toString();
            ids = Map.of(
                    "{user}", Db.strings("select id::text from app_user where username = 'charlie'").get(0),
                    "{group}", Db.strings("select id::text from user_group where name = ?", group).get(0),
                    "{host}", Db.strings("select id::text from kvm_host where name = 'mysrv'").get(0),
                    "{console}", Db.strings("select id::text from console where name = 'debianx'").get(0),
                    "{rule}", Db.strings("select r.id::text from access_rule r join console c on c.id = r.console_id "
                            + "where c.name = 'debianx' order by r.id").get(0),
                    "{workstation}", Db.strings("select id::text from workstation where name = 'mylap'").get(0),
                    "{session}", session);
        }
    }

    static String resolve(String route) {
        String r = route;
        for (Map.Entry<String, String> e : ids.entrySet()) {
            r = r.replace(e.getKey(), e.getValue());
        }
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/admin",
            "/admin/users", "/admin/users/new", "/admin/users/{user}",
            "/admin/groups", "/admin/groups/new", "/admin/groups/{group}",
            "/admin/consoles", "/admin/consoles/new", "/admin/consoles/{console}", "/admin/consoles/{console}/edit",
            "/admin/consoles/{console}?week=2026-03-29",
            "/admin/hosts/new", "/admin/hosts/{host}",
            "/admin/rules", "/admin/rules?console=debianx", "/admin/rules/new", "/admin/rules/{rule}",
            "/admin/workstations", "/admin/workstations/new", "/admin/workstations/{workstation}",
            "/admin/sessions",
            "/admin/log", "/admin/log?user=charlie&state=EXPIRED&from=2026-11-01&to=2026-11-30", "/admin/log.csv",
            "/admin/log/{session}",
            "/admin/audit", "/admin/audit?action=LOGIN_OK", "/admin/audit/verify"})
    void onlyAdminsSeeIt(String route) {
        String path = resolve(route);
        Response ok = Browser.login(admin, Fixtures.PASSWORD).request().get(path);
        assertEquals(200, ok.statusCode(), path + ": " + ok.asString());
        if (!path.contains(".csv")) {
            String html = ok.asString();
            assertTrue(html.contains("<nav class=\"adminnav\""), path + " has the admin tabs");
            assertTrue(html.contains("href=\"/admin\" aria-current=\"page\">Admin</a>"), path + " marks Admin in the main nav");
            assertFalse(html.contains("style=\""), path + " has an inline style, which the CSP blocks");
        }
        for (String who : List.of(user, approver)) {
            Response no = Browser.login(who, Fixtures.PASSWORD).request().get(path);
            assertEquals(403, no.statusCode(), who + " on " + path);
            assertTrue(no.asString().contains("Only administrators"), no.asString());
        }
        Response anonymous = given().redirects().follow(false).get(path);
        assertEquals(303, anonymous.statusCode(), "anonymous on " + path);
        String location = anonymous.header("Location");
        assertTrue(location.endsWith("/login?next=" + URLEncoder.encode(path.replaceAll("\\?.*", ""), StandardCharsets.UTF_8)),
                location);
    }

    @Test
    void theMainNavShowsAdminOnlyToAdmins() {
        assertTrue(Browser.login(admin, Fixtures.PASSWORD).request().get("/consoles").asString().contains("href=\"/admin\""));
        assertFalse(Browser.login(user, Fixtures.PASSWORD).request().get("/consoles").asString().contains("href=\"/admin\""));
        assertFalse(Browser.login(approver, Fixtures.PASSWORD).request().get("/consoles").asString().contains("href=\"/admin\""));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/admin/users", "/admin/users/{user}", "/admin/users/{user}/password", "/admin/users/{user}/deactivate",
            "/admin/users/{user}/activate", "/admin/groups", "/admin/groups/{group}", "/admin/groups/{group}/delete",
            "/admin/hosts", "/admin/hosts/{host}", "/admin/hosts/{host}/delete",
            "/admin/consoles", "/admin/consoles/{console}", "/admin/consoles/{console}/delete",
            "/admin/rules", "/admin/rules/{rule}", "/admin/rules/{rule}/delete",
            "/admin/workstations", "/admin/workstations/{workstation}", "/admin/workstations/{workstation}/disable",
            "/admin/workstations/{workstation}/enable", "/admin/workstations/{workstation}/enroll",
            "/admin/workstations/{workstation}/delete", "/admin/sessions/{session}/revoke"})
    void formsRefuseNonAdminsAndMissingTokens(String route) {
        String path = resolve(route);
        long audit = Db.count("select coalesce(max(id), 0) from audit_event");
        for (String who : List.of(user, approver)) {
            Browser b = Browser.login(who, Fixtures.PASSWORD);
            String csrf = b.csrf("/consoles"); // a valid token of their own
            assertEquals(403, b.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf)
                    .formParam("name", "x").formParam("reason", "x").post(path).statusCode(), who + " posting " + path);
        }
        Browser adminBrowser = Browser.login(admin, Fixtures.PASSWORD);
        assertEquals(403, adminBrowser.request().contentType("application/x-www-form-urlencoded").formParam("name", "x")
                .post(path).statusCode(), "no token on " + path);
        assertEquals(303, given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("name", "x").post(path).statusCode(), "anonymous posting " + path);
        // logins are audited; nothing else may have happened
        assertEquals(List.of(), Db.strings("select action from audit_event where id > ? and action not like 'LOGIN%' "
                + "and actor in (?, ?, ?)", audit, admin, user, approver));
    }
}
