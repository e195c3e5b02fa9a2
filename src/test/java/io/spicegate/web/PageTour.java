package io.spicegate.web;

import io.restassured.response.Response;
import io.spicegate.security.Routes;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every page of the portal, for every role, on a Monday morning office filled with the demo data and, for a fresh
 * user charlie, a live session, an ended one, a pending, an approved and a denied request (decided by the approver
 * boss), next to a user with nothing at all (the empty states). The page list is derived from the routes the portal
 * serves ({@link Routes#served()}): every GET route outside /api and /q is a page that some role must reach, with its
 * path parameters filled from the real ids of the scene, unless it is one of the {@link #NOT_PAGES}.
 */
final class PageTour {

    /** GET routes that are not pages, and why; every other GET route outside /api and /q must answer HTML to a role. */
    static final Map<String, String> NOT_PAGES = Map.of(
            "/", "redirects to /consoles or /login",
            "/admin/log.csv", "a CSV download",
            "/sessions/{id}/console.vv", "the launch file",
            "/login/oidc", "single sign-on: a redirect to the provider (off in these tests)",
            "/login/oidc/signin", "single sign-on: a redirect to the provider (off in these tests)",
            "/login/oidc/callback", "single sign-on: the provider's redirect back (off in these tests)",
            "/login/oidc/error", "single sign-on: the provider's error redirect (off in these tests)");
    private static final Pattern PARAM = Pattern.compile("\\{[^}]+}");

    /** A role of the tour: its name in failure messages and its login cookie (null: not logged in). */
    record Role(String name, String username, String cookie) {
        @Override
        public String toString() {
            return name + (username == null ? "" : " (" + username + ")");
        }
    }

    /** A page as one role sees it. */
    record Visit(Role role, String path) {
        @Override
        public String toString() {
            return path + " as " + role;
        }
    }

    final Role anonymous = new Role("anonymous", null, null);
    final Role user;
    final Role approver;
    final Role admin;
    final Role empty;
    final String openConsole;
    final String askConsole;
    final String liveSession;
    /** The value for a path parameter, by the path before it (e.g. {@code /admin/users} → a user's id). */
    final Map<String, String> ids = new LinkedHashMap<>();
    /** Query strings that show a page in its filled state (the form for a console, a filtered log). */
    final Map<String, String> queries = new LinkedHashMap<>();

    private PageTour(Fixtures fixtures, TestClock clock) {
        clock.berlin("2026-11-23T10:00"); // Monday morning
        String charlie = fixtures.user("charlie");
        String boss = fixtures.user("boss", true, false);
        String adminName = fixtures.user("admin", false, true);
        String newbie = fixtures.user("newbie");
        // a display name with no place to break: the group form's member list and the admin tables must still fit a phone
        fixtures.displayName(newbie, "Maximiliane_Wilhelmina_Katharina_von_Hohenzollern_Sigmaringen");
        openConsole = fixtures.console("tour-open");
        askConsole = fixtures.console("tour-ask");
        fixtures.rule(openConsole).user(charlie).save();
        long askRule = fixtures.rule(askConsole).user(charlie).window(Fixtures.weekdays(), "08:00", "09:00").approver(boss).save();
        String address = "192.0.2.161";
        String workstation = fixtures.workstation("tour-ws", address);
        String group = fixtures.group("tour-bookkeeping", charlie, newbie);

        // the admin has more consoles than a page of My consoles shows: the find box and the page links are toured too
        for (int i = 0; i <= io.spicegate.sessions.MyConsoles.PAGE_SIZE; i++) {
            fixtures.rule(fixtures.console("tour-fleet")).user(adminName).save();
        }

        String ended = open(charlie, address);
        Fixtures.as(charlie).delete("/api/v1/sessions/" + ended).then().statusCode(200);
        liveSession = open(charlie, address);
        long denied = ask(charlie, null, "Month-end close: the ledgers must be balanced tonight.");
        Fixtures.as(boss).body(Map.of("note", "Not tonight: the backup runs on it.")).post("/api/v1/requests/" + denied + "/deny")
                .then().statusCode(200);
        long approved = ask(charlie, null, "The auditors need the figures before nine.");
        Fixtures.as(boss).body(Map.of("note", "Fine, but log out when done.")).post("/api/v1/requests/" + approved + "/approve")
                .then().statusCode(200);
        long pending = ask(charlie, "2026-11-24T20:00:00Z", "Tuesday evening: the quarterly report.");
        // API tokens: one live, one revoked, for My account and Admin → API tokens
        Fixtures.as(charlie).body(Map.of("name", "laptop", "days", 30)).post("/api/v1/tokens").then().statusCode(201);
        Object revoked = Fixtures.as(charlie).body(Map.of("name", "old desk", "days", 7)).post("/api/v1/tokens")
                .then().statusCode(201).extract().path("id");
        Fixtures.as(charlie).delete("/api/v1/tokens/" + revoked).then().statusCode(200);

        user = role("user", charlie);
        approver = role("approver", boss);
        admin = role("admin", adminName);
        empty = role("empty user", newbie);

        ids.put("/sessions", liveSession);
        ids.put("/consoles", openConsole);
        ids.put("/requests", Long.toString(pending));
        ids.put("/approvals", Long.toString(pending));
        ids.put("/admin/users", Long.toString(Db.count("select id from app_user where username = ?", charlie)));
        ids.put("/admin/groups", Long.toString(Db.count("select id from user_group where name = ?", group)));
        ids.put("/admin/consoles", Long.toString(Db.count("select id from console where name = ?", askConsole)));
        ids.put("/admin/hosts", Long.toString(Db.count("select id from kvm_host where name = 'mysrv'")));
        ids.put("/admin/rules", Long.toString(askRule));
        ids.put("/admin/workstations", Long.toString(Db.count("select id from workstation where name = ?", workstation)));
        ids.put("/admin/log", liveSession);
        queries.put("/requests/new", "?console=" + askConsole);
    }

    static PageTour build(Fixtures fixtures, TestClock clock) {
        return new PageTour(fixtures, clock);
    }

    private String open(String user, String address) {
        return Fixtures.as(user).header("X-Forwarded-For", address).body(Map.of("console", openConsole))
                .post("/api/v1/sessions").then().statusCode(201).extract().path("id");
    }

    private long ask(String user, String start, String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("console", askConsole);
        body.put("minutes", 30);
        body.put("reason", reason);
        if (start != null) {
            body.put("start", start);
        }
        return ((Number) Fixtures.as(user).body(body).post("/api/v1/requests").then().statusCode(201).extract().path("id")).longValue();
    }

    private static Role role(String name, String username) {
        return new Role(name, username, Browser.login(username, Fixtures.PASSWORD).cookie());
    }

    List<Role> roles() {
        return List.of(anonymous, empty, user, approver, admin);
    }

    /** The page templates: every served GET route outside /api and /q that is not one of {@link #NOT_PAGES}. */
    static List<String> templates() {
        return Routes.served().of("GET", t -> !t.startsWith("/api/") && !t.startsWith("/q/") && !NOT_PAGES.containsKey(t))
                .stream().map(Routes.Route::template).distinct().toList();
    }

    /** A concrete address of a template, its parameters filled from the scene's ids; fails for a parameter it has no id for. */
    String path(String template) {
        Matcher m = PARAM.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String before = template.substring(0, m.start()).replaceAll("/$", "");
            String id = ids.get(before);
            assertTrue(id != null, "the page " + template + " has a path parameter after " + before
                    + ": add a real id for it to PageTour.ids");
            m.appendReplacement(out, Matcher.quoteReplacement(id));
        }
        m.appendTail(out);
        return out + queries.getOrDefault(template, "");
    }

    /**
     * Every page each role reaches (answered 200 with HTML), and the problem when a page template is reached by no
     * role at all: a page nobody can open cannot be checked, so it fails the test rather than pass unseen.
     */
    List<Visit> visits(List<String> problems) {
        Map<String, List<Role>> reached = new TreeMap<>();
        List<Visit> visits = new ArrayList<>();
        for (String template : templates()) {
            String path = path(template);
            reached.put(template, new ArrayList<>());
            for (Role role : roles()) {
                var request = given().redirects().follow(false);
                if (role.cookie != null) {
                    request.cookie(Browser.COOKIE, role.cookie);
                }
                Response r = request.get(path);
                if (r.statusCode() == 200 && r.contentType().startsWith("text/html")) {
                    visits.add(new Visit(role, path));
                    reached.get(template).add(role);
                }
            }
        }
        reached.forEach((template, roles) -> {
            if (roles.isEmpty()) {
                problems.add(template + " (" + path(template) + ") answered no role with an HTML page: fill its parameters in "
                        + "PageTour or list it in PageTour.NOT_PAGES with the reason");
            }
        });
        return visits;
    }

    /** Makes the browser this role: its login cookie, or none. */
    void become(WebDriver driver, String base, Role role) {
        driver.get(base + "/favicon.ico"); // a page of the portal's origin, to set its cookie on
        driver.manage().deleteAllCookies();
        if (role.cookie != null) {
            driver.manage().addCookie(new Cookie(Browser.COOKIE, role.cookie));
        }
    }

    /** Ends charlie's live session, so the console and the workstation are left as they were found. */
    void close() {
        Fixtures.as(user.username).delete("/api/v1/sessions/" + liveSession);
    }
}
