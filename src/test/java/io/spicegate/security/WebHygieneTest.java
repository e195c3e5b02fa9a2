package io.spicegate.security;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.spicegate.shared.Secrets;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.DomainFingerprint;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Web hygiene on every route: the browser-hardening headers on every page, error and API answer of every role
 * (HSTS only when the request arrived over TLS through the trusted proxy), the login cookie's flags, a fresh login
 * session id at every login that a planted cookie cannot fix, logout ending the session on the server, and a CSRF
 * token on every state-changing form, which each form's route refuses without it or with another session's token.
 * The routes are generated from the portal's OpenAPI document (and its compiled resources), so a new page or form
 * cannot slip past these checks.
 */
@QuarkusTest
class WebHygieneTest {

    private static final String FORM = "application/x-www-form-urlencoded";

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    /** The people and objects every page needs to show all its forms; made once for the class. */
    static final class World {
        String admin;
        String approver;
        String user;
        String console;
        String askConsole;
        String session;
        String request;
        Map<String, String> ids = new LinkedHashMap<>();
    }

    static World w;

    @BeforeEach
    void setUp() {
        clock.berlin("2026-11-23T10:00"); // a Monday
        if (w != null) {
            return;
        }
        World x = new World();
        x.admin = fixtures.user("sgwhadm", false, true);
        x.approver = fixtures.user("sgwhboss", true, false);
        x.user = fixtures.user("sgwhusr");
        x.console = fixtures.console("sgwhvm");
        fixtures.rule(x.console).user(x.user).save();
        x.askConsole = fixtures.console("sgwhask");
        fixtures.rule(x.askConsole).user(x.user).approver(x.approver).window(Set.of(java.time.DayOfWeek.SUNDAY), "08:00", "09:00")
                .save();
        x.session = basic(x.user).contentType("application/json").body("{\"console\":\"" + x.console + "\",\"minutes\":60}")
                .post("/api/v1/sessions").then().statusCode(201).extract().path("id");
        x.request = basic(x.user).contentType("application/json")
                .body("{\"console\":\"" + x.askConsole + "\",\"minutes\":30,\"reason\":\"hygiene\"}")
                .post("/api/v1/requests").then().statusCode(201).extract().path("id").toString();
        // a token of the user's: My account and Admin → API tokens show their Revoke forms
        Object token = basic(x.user).contentType("application/json").body("{\"name\":\"hygiene\",\"days\":7}")
                .post("/api/v1/tokens").then().statusCode(201).extract().path("id");
        String gone = fixtures.user("sgwhgone");
        fixtures.deactivate(gone);
        String group = fixtures.group("sgwhgrp", x.user);
        String ws = fixtures.workstation("sgwhws", "10.99.251.1");
        String off = fixtures.workstation("sgwhoff", "10.99.251.2");
        try {
            Db.update("update workstation set active = false where name = ?", off);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        x.ids.put("{user}", id("select id::text from app_user where username = ?", x.user));
        x.ids.put("{gone}", id("select id::text from app_user where username = ?", gone));
        x.ids.put("{group}", id("select id::text from user_group where name = ?", group));
        x.ids.put("{host}", id("select id::text from kvm_host where name = ?", "mysrv"));
        x.ids.put("{console}", id("select id::text from console where name = ?", x.console));
        x.ids.put("{rule}", id("select r.id::text from access_rule r join console c on c.id = r.console_id where c.name = ?",
                x.console));
        x.ids.put("{ws}", id("select id::text from workstation where name = ?", ws));
        x.ids.put("{off}", id("select id::text from workstation where name = ?", off));
        x.ids.put("{session}", x.session);
        x.ids.put("{request}", x.request);
        x.ids.put("{token}", token.toString());
        x.ids.put("{consoleName}", x.console);
        x.ids.put("{askName}", x.askConsole);
        w = x;
    }

    private static String id(String sql, String arg) {
        return Db.strings(sql, arg).get(0);
    }

    private static RequestSpecification basic(String user) {
        return given().redirects().follow(false).auth().preemptive().basic(user, Fixtures.PASSWORD);
    }

    private static String resolve(String route) {
        String r = route;
        for (Map.Entry<String, String> e : w.ids.entrySet()) {
            r = r.replace(e.getKey(), e.getValue());
        }
        return r;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Every page of every role

    /** Pages each role sees; together with the error and API answers below they cover every GET route. */
    static final List<String> USER_PAGES = List.of("/", "/consoles", "/consoles/{consoleName}", "/sessions",
            "/sessions/{session}", "/requests", "/requests/new?console={askName}", "/account", "/approvals",
            "/help/remote-viewer");
    static final List<String> ADMIN_PAGES = List.of("/admin",
            "/admin/users", "/admin/users/new", "/admin/users/{user}", "/admin/users/{gone}",
            "/admin/groups", "/admin/groups/new", "/admin/groups/{group}",
            "/admin/consoles", "/admin/consoles/new", "/admin/consoles/{console}", "/admin/consoles/{console}/edit",
            "/admin/hosts/new", "/admin/hosts/{host}",
            "/admin/rules", "/admin/rules/new", "/admin/rules/{rule}",
            "/admin/workstations", "/admin/workstations/new", "/admin/workstations/{ws}", "/admin/workstations/{off}",
            "/admin/sessions", "/admin/log", "/admin/log.csv", "/admin/log/{session}",
            "/admin/audit", "/admin/audit/verify", "/admin/tokens");
    static final List<String> API = List.of("/api/v1/consoles", "/api/v1/sessions", "/api/v1/sessions/{session}",
            "/api/v1/requests", "/api/v1/requests/{request}", "/api/v1/requests/pulse", "/api/v1/approvals",
            "/api/v1/admin/users", "/api/v1/admin/users/{user}", "/api/v1/admin/groups", "/api/v1/admin/groups/{group}",
            "/api/v1/admin/hosts", "/api/v1/admin/hosts/{host}", "/api/v1/admin/consoles", "/api/v1/admin/consoles/{console}",
            "/api/v1/admin/rules", "/api/v1/admin/rules/{rule}", "/api/v1/admin/workstations", "/api/v1/admin/workstations/{ws}",
            "/api/v1/admin/sessions", "/api/v1/admin/sessions/log", "/api/v1/admin/sessions/log.csv",
            "/api/v1/admin/audit", "/api/v1/admin/audit.csv", "/api/v1/admin/audit/verify", "/api/v1/tokens", "/api/v1/tokens/{token}",
            "/api/v1/admin/tokens");

    /** One answer seen by the header test: who asked, for what, and the answer. */
    record Seen(String who, String path, boolean https, Response response) {
        @Override
        public String toString() {
            return who + " GET " + path + (https ? " (https)" : "") + " → " + response.statusCode();
        }
    }

    @Test
    void everyAnswerOfEveryRoleCarriesTheHardeningHeaders() {
        Map<String, Browser> roles = new LinkedHashMap<>();
        roles.put("admin", Browser.login(w.admin, Fixtures.PASSWORD));
        roles.put("approver", Browser.login(w.approver, Fixtures.PASSWORD));
        roles.put("user", Browser.login(w.user, Fixtures.PASSWORD));
        List<Seen> seen = new ArrayList<>();
        Set<String> paths = new LinkedHashSet<>();
        Set<Integer> statuses = new java.util.TreeSet<>();
        for (boolean https : List.of(false, true)) {
            for (var role : roles.entrySet()) {
                List<String> pages = new ArrayList<>(USER_PAGES);
                pages.addAll(ADMIN_PAGES); // 403 pages for the others
                pages.addAll(API);
                for (String route : pages) {
                    String path = resolve(route);
                    seen.add(new Seen(role.getKey(), path, https, proto(role.getValue().request(), https).get(path)));
                    paths.add(path);
                }
            }
            // the launch file (the first time) and its 410 Gone, the page form and the API form
            Browser user = roles.get("user");
            String fresh = basic(w.user).contentType("application/json").body("{\"console\":\"" + w.console + "\"}")
                    .post("/api/v1/sessions").then().statusCode(201).extract().path("id");
            for (String vv : List.of("/sessions/" + fresh + "/console.vv", "/api/v1/sessions/" + fresh + "/console.vv")) {
                seen.add(new Seen("user", vv, https, proto(user.request(), https).get(vv)));
                paths.add(vv);
            }
            // anonymous: the login page, the logged-out page, redirects, 401s, and errors
            for (String path : List.of("/login", "/login?bye=1", "/login/oidc", "/login/oidc/callback?code=x&state=y",
                    "/login/oidc/signin", "/login/oidc/error?error=access_denied",
                    "/consoles", "/api/v1/consoles", "/no-such-page", "/api/v1/no-such-call")) {
                seen.add(new Seen("anonymous", path, https, proto(given().redirects().follow(false), https).get(path)));
                paths.add(path);
            }
            // malformed input and wrong state
            for (String path : List.of("/sessions/not-a-uuid", "/api/v1/sessions/not-a-uuid", "/api/v1/admin/audit?from=yesterday",
                    "/admin/users/999999999", "/api/v1/admin/users/999999999")) {
                seen.add(new Seen("admin", path, https, proto(roles.get("admin").request(), https).get(path)));
                paths.add(path);
            }
            Response wrong = proto(given().redirects().follow(false).auth().preemptive().basic(w.user, "not-the-password"), https)
                    .get("/api/v1/consoles");
            seen.add(new Seen("wrong password", "/api/v1/consoles", https, wrong));
            Response conflict = proto(basic(w.user).contentType("application/json").body("{\"console\":\"" + w.askConsole
                    + "\",\"minutes\":30,\"reason\":\"again\"}"), https).post("/api/v1/requests");
            seen.add(new Seen("user POSTing", "/api/v1/requests", https, conflict));
        }
        List<String> problems = new ArrayList<>();
        for (Seen s : seen) {
            statuses.add(s.response.statusCode());
            problems.addAll(headerProblems(s));
        }
        assertEquals(List.of(), problems.subList(0, Math.min(20, problems.size())), problems.size() + " header problems");
        for (int status : List.of(200, 303, 400, 401, 403, 404, 409, 410)) {
            assertTrue(statuses.contains(status), "no " + status + " answer was checked: " + statuses);
        }
        // the answers cover every GET route of the portal (the agents' API has its own bearer and no pages)
        Routes routes = Routes.served();
        List<Routes.Route> missed = Routes.uncovered(routes.of("GET", t -> !t.startsWith("/api/agent/")), paths);
        assertEquals(List.of(), missed, "GET routes no header check visited: add them to the lists above");
        System.out.println("WebHygieneTest: " + seen.size() + " answers checked, statuses " + statuses);
    }

    private static RequestSpecification proto(RequestSpecification spec, boolean https) {
        return https ? spec.header("X-Forwarded-Proto", "https") : spec;
    }

    private static List<String> headerProblems(Seen s) {
        List<String> p = new ArrayList<>();
        Response r = s.response;
        String csp = r.header("Content-Security-Policy");
        if (csp == null) {
            p.add(s + ": no Content-Security-Policy");
        } else {
            Map<String, String> directives = new TreeMap<>();
            for (String d : csp.split(";")) {
                String[] parts = d.strip().split("\\s+", 2);
                directives.put(parts[0].toLowerCase(Locale.ROOT), parts.length > 1 ? parts[1] : "");
            }
            check(p, s, "frame-ancestors", directives.get("frame-ancestors"), "'none'");
            check(p, s, "script-src", directives.get("script-src"), "'self'");
            check(p, s, "object-src", directives.get("object-src"), "'none'");
            check(p, s, "default-src", directives.get("default-src"), "'self'");
            if (csp.contains("unsafe-") || csp.contains("*")) {
                p.add(s + ": the CSP allows " + csp);
            }
        }
        expect(p, s, "X-Content-Type-Options", "nosniff");
        expect(p, s, "X-Frame-Options", "DENY");
        expect(p, s, "Cache-Control", "no-store");
        String hsts = r.header("Strict-Transport-Security");
        if (s.https && (hsts == null || !hsts.matches("max-age=(\\d{8,})(;.*)?"))) {
            p.add(s + ": over TLS but Strict-Transport-Security is " + hsts);
        }
        if (!s.https && hsts != null) {
            p.add(s + ": plain http but Strict-Transport-Security: " + hsts);
        }
        for (String h : List.of("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Cache-Control",
                "Strict-Transport-Security")) {
            if (r.headers().getValues(h).size() > 1) {
                p.add(s + ": " + h + " twice");
            }
        }
        return p;
    }

    private static void check(List<String> p, Seen s, String directive, String value, String expected) {
        if (!expected.equals(value)) {
            p.add(s + ": CSP " + directive + " is " + value + ", not " + expected);
        }
    }

    private static void expect(List<String> p, Seen s, String header, String value) {
        String v = s.response.header(header);
        if (v == null || !v.equalsIgnoreCase(value)) {
            p.add(s + ": " + header + " is " + v + ", not " + value);
        }
    }

    @Test
    void staticFilesAndOperationsEndpointsAreNotSniffedOrFramed() {
        for (String path : List.of("/style.css", "/q/openapi", "/q/swagger-ui/")) { // health, metrics: management port
            Response r = given().redirects().follow(false).get(path);
            assertEquals(200, r.statusCode(), path);
            assertEquals("nosniff", r.header("X-Content-Type-Options"), path);
            assertEquals("DENY", r.header("X-Frame-Options"), path);
        }
    }

    @Test
    void hstsAndTheSecureCookieFollowTlsAtTheTrustedProxyOnly() throws IOException {
        // plain http: no HSTS, a cookie without Secure (the browser would drop a Secure cookie on http)
        Response plain = login(w.user, Fixtures.PASSWORD, false);
        String plainCookie = setCookie(plain);
        assertNull(plain.header("Strict-Transport-Security"));
        assertCookieFlags(plainCookie);
        assertFalse(secure(plainCookie), plainCookie);
        // TLS ended at the trusted proxy (a Kubernetes Ingress): HSTS and a Secure cookie
        Response tls = login(w.user, Fixtures.PASSWORD, true);
        String tlsCookie = setCookie(tls);
        assertNotNull(tls.header("Strict-Transport-Security"));
        assertCookieFlags(tlsCookie);
        assertTrue(secure(tlsCookie), tlsCookie);
        // the same header from a client that is not the trusted proxy (127.0.0.2) is ignored
        String fromUntrusted = raw("127.0.0.2", "POST /login HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-Proto: https\r\n"
                + "Content-Type: " + FORM + "\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
                "username=" + w.user + "&password=" + Fixtures.PASSWORD);
        String head = fromUntrusted.substring(0, fromUntrusted.indexOf("\r\n\r\n")).toLowerCase(Locale.ROOT);
        assertTrue(head.startsWith("http/1.1 303"), head);
        assertTrue(head.contains("set-cookie: " + Browser.COOKIE), head);
        assertFalse(head.contains("strict-transport-security"), head);
        assertFalse(head.lines().anyMatch(l -> l.startsWith("set-cookie:") && secure(l)), head);
        // and from the trusted proxy over a raw socket, as the control
        String fromProxy = raw("127.0.0.1", "GET /login HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-Proto: https\r\n"
                + "Connection: close\r\n\r\n");
        assertTrue(fromProxy.toLowerCase(Locale.ROOT).contains("strict-transport-security: max-age="), fromProxy);
    }

    private static Response login(String user, String password, boolean https) {
        return proto(given().redirects().follow(false).contentType(FORM), https)
                .formParam("username", user).formParam("password", password).post("/login");
    }

    private static String setCookie(Response r) {
        assertEquals(303, r.statusCode(), r.asString());
        return r.headers().getValues("Set-Cookie").stream().filter(c -> c.startsWith(Browser.COOKIE + "=")).findFirst()
                .orElseThrow(() -> new AssertionError("no login cookie in " + r.headers()));
    }

    private static void assertCookieFlags(String cookie) {
        List<String> attributes = java.util.Arrays.stream(cookie.split(";")).skip(1).map(a -> a.strip().toLowerCase(Locale.ROOT))
                .toList();
        assertTrue(attributes.contains("httponly"), cookie);
        assertTrue(attributes.contains("samesite=lax") || attributes.contains("samesite=strict"), cookie);
        assertTrue(attributes.contains("path=/"), cookie);
        assertTrue(attributes.stream().noneMatch(a -> a.startsWith("domain=")), "a login cookie for other hosts too: " + cookie);
    }

    private static boolean secure(String cookie) {
        return java.util.Arrays.stream(cookie.split(";")).skip(1).anyMatch(a -> a.strip().equalsIgnoreCase("secure"));
    }

    /** An HTTP/1.1 exchange from a chosen loopback source address; {@code %d}/{@code %s}: body length and body. */
    private static String raw(String source, String request, String... body) throws IOException {
        String text = body.length == 0 ? request
                : String.format(request, body[0].getBytes(StandardCharsets.UTF_8).length, body[0]);
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            s.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), RestAssured.port), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Login sessions

    @Test
    void aCookieFromBeforeTheLoginIsNeverTheOneAfterIt() {
        // an anonymous visit hands out no login cookie to plant
        Response anonymous = given().redirects().follow(false).get("/login");
        assertTrue(anonymous.headers().getValues("Set-Cookie").stream().noneMatch(c -> c.startsWith(Browser.COOKIE)),
                anonymous.headers().toString());
        // a forged value sent along with the login is replaced, and means nothing by itself
        String forged = "sgwhForgedSessionValue0123456789abcdefghijk";
        Response r = given().redirects().follow(false).contentType(FORM).cookie(Browser.COOKIE, forged)
                .formParam("username", w.user).formParam("password", Fixtures.PASSWORD).post("/login");
        String after = r.getCookie(Browser.COOKIE);
        assertNotNull(after);
        assertNotEquals(forged, after);
        given().redirects().follow(false).cookie(Browser.COOKIE, forged).get("/consoles").then().statusCode(303);
        given().cookie(Browser.COOKIE, forged).get("/api/v1/consoles").then().statusCode(401);
        // someone else's valid session planted in the browser: the login yields a new one of the person's own
        Browser planted = Browser.login(w.approver, Fixtures.PASSWORD);
        Response over = given().redirects().follow(false).contentType(FORM).cookie(Browser.COOKIE, planted.cookie())
                .formParam("username", w.user).formParam("password", Fixtures.PASSWORD).post("/login");
        String own = over.getCookie(Browser.COOKIE);
        assertNotEquals(planted.cookie(), own);
        assertTrue(given().cookie(Browser.COOKIE, own).get("/account").asString().contains(w.user));
        // a new id at every login, from a strong random source
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < 6; i++) {
            ids.add(Browser.login(w.user, Fixtures.PASSWORD).cookie());
        }
        assertEquals(6, ids.size());
        assertTrue(ids.stream().allMatch(c -> c.length() >= 32), ids.toString());
        // the token is not stored as such: the database holds its hash only
        for (String c : ids) {
            assertEquals(0, Db.count("select count(*) from login_session where token_hash = ? or csrf_token = ?", c, c));
        }
    }

    @Test
    void logoutEndsTheSessionOnTheServerAndOnlyByAPostWithTheToken() {
        Browser b = Browser.login(w.user, Fixtures.PASSWORD);
        Browser other = Browser.login(w.user, Fixtures.PASSWORD);
        String csrf = b.csrf("/consoles");
        // GET is not a way to log out (a link or an <img> on another site must not end it)
        int get = b.request().get("/logout").statusCode();
        assertTrue(get == 404 || get == 405, "GET /logout answered " + get);
        // nor a POST with the token of another login session
        b.request().contentType(FORM).formParam("csrf", other.csrf("/consoles")).post("/logout").then().statusCode(403);
        b.request().get("/consoles").then().statusCode(200);
        Response out = b.request().contentType(FORM).formParam("csrf", csrf).post("/logout");
        assertEquals(303, out.statusCode());
        String cleared = out.headers().getValues("Set-Cookie").stream().filter(c -> c.startsWith(Browser.COOKIE + "="))
                .findFirst().orElseThrow();
        assertTrue(cleared.toLowerCase(Locale.ROOT).contains("max-age=0"), cleared);
        // the same cookie replayed: the page wants a login, the API answers 401, a form does nothing
        b.request().get("/consoles").then().statusCode(303).header("Location", org.hamcrest.Matchers.containsString("/login"));
        b.request().get("/api/v1/consoles").then().statusCode(401);
        long sessions = Db.count("select count(*) from console_session where username = ?", w.user);
        b.request().contentType(FORM).formParam("csrf", csrf).post("/consoles/" + w.console + "/open").then().statusCode(303)
                .header("Location", org.hamcrest.Matchers.containsString("/login"));
        b.request().contentType("application/json").body("{\"console\":\"" + w.console + "\"}").post("/api/v1/sessions")
                .then().statusCode(401);
        assertEquals(sessions, Db.count("select count(*) from console_session where username = ?", w.user));
        // the other login of the same person is untouched
        other.request().get("/consoles").then().statusCode(200);
    }

    // ---------------------------------------------------------------------------------------------------------
    // CSRF on every form

    @Test
    void everyStateChangingFormCarriesTheTokenAndItsRouteRefusesAnyOther() {
        Map<String, Browser> roles = new LinkedHashMap<>();
        roles.put(w.admin, Browser.login(w.admin, Fixtures.PASSWORD));
        roles.put(w.approver, Browser.login(w.approver, Fixtures.PASSWORD));
        roles.put(w.user, Browser.login(w.user, Fixtures.PASSWORD));
        List<String> pages = new ArrayList<>(USER_PAGES);
        pages.addAll(ADMIN_PAGES);
        // forms by action; the first role that showed it is the one that posts it
        Map<String, Forms.Form> forms = new LinkedHashMap<>();
        Map<String, String> poster = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        long t0 = System.nanoTime();
        for (var role : roles.entrySet()) {
            // each page masks the session's token afresh (BREACH): a form's value must unmask to the session's token
            String token = Db.strings("select csrf_token from login_session where token_hash = ?",
                    Secrets.sha256(role.getValue().cookie())).get(0);
            for (String route : pages) {
                if (route.startsWith("/admin") && !role.getKey().equals(w.admin) || route.endsWith(".csv")
                        || route.endsWith("/verify")) {
                    continue; // a 403 page, or no form to post (the verify page's form is a GET)
                }
                String path = resolve(route);
                Response r = role.getValue().request().get(path);
                if (r.statusCode() != 200 || !String.valueOf(r.contentType()).startsWith("text/html")) {
                    continue;
                }
                for (Forms.Form f : Forms.of(path, r.asString())) {
                    if (!f.method().equals("post")) {
                        continue;
                    }
                    boolean sessions = Secrets.unmasks(f.csrf(), token);
                    if (f.csrfFields() != 1 || !sessions || token.equals(f.csrf())) {
                        problems.add(f + " (seen by " + role.getKey() + ") carries " + f.csrfFields()
                                + " csrf fields, value " + (token.equals(f.csrf()) ? "the bare token, unmasked"
                                : sessions ? "the session's" : "not the session's"));
                    }
                    if (forms.putIfAbsent(f.action(), f) == null) {
                        poster.put(f.action(), role.getKey());
                    }
                }
            }
        }
        for (Forms.Form f : Forms.of("/login", given().get("/login").asString())) {
            forms.putIfAbsent(f.action(), f); // the login form: no session yet, so no token (see below)
        }
        assertEquals(List.of(), problems);
        // every POST route of the pages is the action of a form found on them: a new form route cannot escape
        List<Routes.Route> posts = Routes.served().of("POST", t -> !t.startsWith("/api/"));
        assertEquals(List.of(), Routes.uncovered(posts, forms.keySet()), "POST routes of pages without a form seen here");

        // each form's route, posted as rendered by the person who saw it, but without the token, with the token of
        // another login session of the same person, or with the right token from another site: 403, and no change
        Map<String, String> foreignTokens = new LinkedHashMap<>();
        for (String who : roles.keySet()) {
            foreignTokens.put(who, Browser.login(who, Fixtures.PASSWORD).csrf("/account")); // the same person, elsewhere
        }
        long t1 = System.nanoTime();
        int posted = 0;
        Map<String, String> before = fingerprint(); // all refused: the same before every form and after it
        for (Forms.Form f : forms.values()) {
            if (f.action().equals("/login")) {
                continue;
            }
            String who = poster.get(f.action());
            Browser b = roles.get(who);
            String foreign = foreignTokens.get(who);
            Map<String, String> without = new LinkedHashMap<>(f.fields());
            without.remove("csrf");
            Response none = b.request().contentType(FORM).formParams(without).post(f.action());
            assertRefused(f + " without a token", none, "reload the page");
            Map<String, String> stolen = new LinkedHashMap<>(without);
            stolen.put("csrf", foreign);
            assertRefused(f + " with another session's token", b.request().contentType(FORM).formParams(stolen).post(f.action()),
                    "reload the page");
            Response crossSite = given().redirects().follow(false).cookie(Browser.COOKIE, b.cookie())
                    .header("Origin", "https://evil.example").contentType(FORM).formParams(f.fields()).post(f.action());
            assertRefused(f + " from another site", crossSite, "Origin");
            Response opaque = given().redirects().follow(false).cookie(Browser.COOKIE, b.cookie())
                    .header("Origin", "null").contentType(FORM).formParams(without).post(f.action());
            assertEquals(403, opaque.statusCode(), f + " from an opaque origin");
            assertEquals(before, fingerprint(), f + " changed something although refused");
            b.request().get("/consoles").then().statusCode(200); // still logged in (logout refused too)
            posted++;
        }
        assertTrue(posted >= posts.size() - 1, "posted " + posted + " forms for " + posts.size() + " routes");
        System.out.printf("WebHygieneTest: %d form actions found in %d ms, %d refused 4 ways each in %d ms%n", forms.size(),
                (t1 - t0) / 1_000_000, posted, (System.nanoTime() - t1) / 1_000_000);
    }

    @Test
    void theLoginFormOnlyAcceptsPostsFromOurOwnPages() {
        Map<String, String> before = fingerprint();
        long logins = Db.count("select count(*) from login_session");
        for (String origin : List.of("https://evil.example", "null")) {
            Response r = given().redirects().follow(false).header("Origin", origin).contentType(FORM)
                    .formParam("username", w.user).formParam("password", Fixtures.PASSWORD).post("/login");
            assertEquals(403, r.statusCode(), "login from Origin " + origin);
            assertTrue(r.asString().contains("did not come from a Spicegate page"), r.asString());
            assertTrue(r.contentType().startsWith("text/html"), "the portal's error page, not bare text: " + r.contentType());
            assertTrue(r.asString().contains("<h1") && r.asString().contains("Not allowed"), r.asString());
            assertNull(r.getCookie(Browser.COOKIE));
        }
        assertEquals(logins, Db.count("select count(*) from login_session"));
        assertEquals(before, fingerprint());
        // from our own page it works (and from a script without Origin, as curl does)
        given().redirects().follow(false).header("Origin", Browser.origin()).contentType(FORM)
                .formParam("username", w.user).formParam("password", Fixtures.PASSWORD).post("/login").then().statusCode(303);
    }

    @Test
    void cookieAuthenticatedApiChangesFromAnotherOriginAreRefused() {
        Browser admin = Browser.login(w.admin, Fixtures.PASSWORD);
        List<Routes.Route> changes = Routes.served().all().stream()
                .filter(r -> r.template().startsWith("/api/v1/") && !r.method().equals("GET")).toList();
        assertTrue(changes.size() >= 20, changes.toString());
        Map<String, String> before = fingerprint();
        for (Routes.Route r : changes) {
            String path = r.template().replaceAll("\\{[^}]+}", "1");
            for (String origin : List.of("https://evil.example", "null", "http://localhost:1")) {
                Response answer = given().redirects().follow(false).cookie(Browser.COOKIE, admin.cookie())
                        .header("Origin", origin).contentType("application/json").body("{}").request(r.method(), path);
                assertEquals(403, answer.statusCode(), r + " from " + origin + ": " + answer.asString());
                assertTrue(answer.asString().contains("Origin"), answer.asString());
            }
            // and with no Origin at all: a browser always sends one on a cross-site JSON call, so none is refused too
            Response none = given().redirects().follow(false).cookie(Browser.COOKIE, admin.cookie())
                    .contentType("application/json").body("{}").request(r.method(), path);
            assertEquals(403, none.statusCode(), r + " without Origin: " + none.asString());
        }
        assertEquals(before, fingerprint());
    }

    private static void assertRefused(String what, Response r, String sentence) {
        assertEquals(403, r.statusCode(), what + ": " + r.asString());
        assertTrue(r.asString().contains(sentence), what + ": " + r.asString());
    }

    /**
     * A digest of every domain table: its row count and newest row version (not the audit log, which records the
     * refused attempts' logins, nor the login sessions' sliding last-seen times; their set of ids is included).
     */
    static Map<String, String> fingerprint() {
        if (fingerprint == null) {
            List<String> tables = Db.strings("select table_name from information_schema.tables where table_schema = current_schema() "
                    + "and table_type = 'BASE TABLE' and table_name not in ('audit_event', 'login_session', 'login_failure', "
                    + "'flyway_schema_history') order by table_name");
            assertTrue(tables.size() >= 12, tables.toString());
            fingerprint = DomainFingerprint.versions(tables).and("login_session",
                    "select md5(coalesce(string_agg(token_hash || csrf_token, ',' order by token_hash), '')) from login_session");
        }
        return fingerprint.take();
    }

    private static DomainFingerprint fingerprint;
}
