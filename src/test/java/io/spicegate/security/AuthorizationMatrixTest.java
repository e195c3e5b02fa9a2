package io.spicegate.security;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.consoles.ConsoleAdmin;
import io.spicegate.requests.RequestService;
import io.spicegate.sessions.SessionService;
import io.spicegate.testing.Api;
import io.spicegate.testing.Db;
import io.spicegate.testing.DomainFingerprint;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import io.spicegate.users.AuthFilter;
import io.spicegate.users.AuthService;
import io.spicegate.workstations.WorkstationAdmin;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The authorisation matrix: every HTTP route of the running portal, called by every kind of caller, answers as the
 * table {@code src/test/resources/security/authorization-matrix.tsv} says, and a refused call changes nothing.
 *
 * <p><b>Which routes.</b> {@link #everyRouteHasARowAndEveryRowARoute} enumerates what the running portal serves, from
 * four sources so that no route can hide: its OpenAPI document ({@code /q/openapi?format=json}); the compiled JAX-RS
 * resources in {@code io.spicegate} ({@code @Path} and HTTP-method annotations read by reflection, so a resource hidden
 * from OpenAPI still counts; a sub-resource locator shows up as {@code LOCATOR} and has to be dealt with); the named
 * routes of the Vert.x router and its sub-routers (the Quarkus endpoints under {@code /q/}, which are not JAX-RS); and the
 * static files under {@code META-INF/resources}. The union must equal the table's rows: the failure lists every route
 * without a row and every row without a route. Templates are compared as declared ({@code {id}}, regexes dropped).
 *
 * <p><b>Who calls.</b> Eight callers, one column each, each authenticating as it really does: nobody; {@code user}, the
 * owner of the objects; {@code other}, another plain user; {@code approver}, named approver on user's rules;
 * {@code approver2}, an approver of someone else only; {@code admin}; {@code ws-agent}, the enrolled agent of
 * workstation B (user's sessions are on workstation A); {@code host-agent}, the enrolled agent of a KVM host that does
 * not run the consoles used here. People use their login cookie, our Origin and their own CSRF token on pages and HTTP
 * Basic on {@code /api}; agents send {@code Authorization: Bearer <secret>} everywhere (they have nothing else). People
 * come from workstation A's address (X-Forwarded-For, trusted from loopback in tests). Their password hashes are bcrypt at
 * the lowest cost, so some 300 HTTP Basic logins go through the same check as always and still take little time.
 *
 * <p><b>Which objects.</b> The table's {@code fill} column names the kinds of object a call is about; they are created
 * fresh for the row (a live session of user with its grant acked by A's agent, a pending request of user that approver
 * may decide, a user, a group, a host, a console, a rule, a workstation, a one-time enrollment token...), so a good
 * caller never gets an accidental 404. Refused calls share the row's objects; after a call that may change them (any
 * success) the next caller gets new ones, so no answer depends on the order of the columns. Bodies are minimal valid
 * ones, so an allowed caller gets the success status and the matrix proves authorisation, not validation. The agents'
 * long-polls are called with {@code after=-1}, which never equals the version, so they answer at once.
 *
 * <p><b>Nothing changes.</b> Around every refused call (4xx, or a redirect to the login page) that could change something
 * (every POST, PUT and DELETE, and every GET about an object: a GET uses up a launch file) and every call marked
 * {@code !} (answered for the caller's own data only) a fingerprint of the domain tables is compared: the row count of
 * every table, and the content of every row that belongs to this test (names starting {@code sgaz}), leaving out the
 * audit log, the login and lockout tables, and the agents' own bookkeeping (last seen, acked version, reported facts). A
 * {@code !} call must in addition not show the fill's objects (session ids, console names...) in its body.
 *
 * <p>All mismatches are collected and reported together: route, caller, expected, got, and the start of the body.
 */
@QuarkusTest
class AuthorizationMatrixTest {

    static final String MATRIX = "security/authorization-matrix.tsv";
    static final List<String> CALLERS = List.of("anon", "user", "other", "approver", "approver2", "admin", "ws-agent",
            "host-agent");
    static final Set<String> PEOPLE = Set.of("user", "other", "approver", "approver2", "admin");
    static final Set<String> KINDS = Set.of("session", "request", "reqconsole", "openable", "user", "group", "host",
            "console", "rule", "workstation", "wstoken", "hosttoken", "token");
    static final String ACTOR = "sgaz-setup";
    static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z0-9.]+)}");
    static final AtomicInteger ADDRESSES = new AtomicInteger();
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Inject
    io.spicegate.users.ApiTokens apiTokens;

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @Inject
    SessionService sessions;

    @Inject
    RequestService requests;

    @Inject
    ConsoleAdmin consoleAdmin;

    @Inject
    WorkstationAdmin workstationAdmin;

    @Inject
    Router router;

    @TestHTTPResource("/")
    URL url;

    /** The callers and the places they work from, made once for the class. */
    static World world;

    record World(Map<String, String> usernames, String kvm, String addressA, String secretA, String secretB,
                 String hostSecret, String passwordHash) { }

    /** A logged-in browser: its cookie and its CSRF token. */
    record Login(String cookie, String csrf) { }

    final Map<String, Login> logins = new TreeMap<>();

    long timeMake;
    static long timeFingerprint;
    long timeCall;

    @BeforeEach
    void setUp() {
        clock.berlin("2026-11-23T10:00"); // Monday 10:00: user's "always" rules allow, his Saturday rules need approval
        if (world == null) {
            world = makeWorld();
        }
    }

    // ------------------------------------------------------------------------------------------------ the routes

    @Test
    void everyRouteHasARowAndEveryRowARoute() throws Exception {
        Set<String> served = new TreeSet<>();
        served.addAll(fromOpenApi());
        served.addAll(fromResourceClasses());
        served.addAll(fromVertxRouter());
        served.addAll(fromStaticFiles());
        Set<String> rows = new TreeSet<>();
        for (Row r : matrix()) {
            rows.add(r.route());
        }
        Set<String> missing = new TreeSet<>(served);
        missing.removeAll(rows);
        Set<String> stale = new TreeSet<>(rows);
        stale.removeAll(served);
        StringBuilder problems = new StringBuilder();
        if (!missing.isEmpty()) {
            problems.append("Routes the portal serves without a row in ").append(MATRIX)
                    .append(" (add one, with the expected answer for every caller):\n");
            missing.forEach(r -> problems.append("  ").append(r).append('\n'));
        }
        if (!stale.isEmpty()) {
            problems.append("Rows in ").append(MATRIX).append(" whose route the portal no longer serves (remove or rename them):\n");
            stale.forEach(r -> problems.append("  ").append(r).append('\n'));
        }
        if (!problems.isEmpty()) {
            fail(problems.toString());
        }
        assertTrue(served.size() > 100, "the enumeration found the portal's routes: " + served.size());
    }

    List<String> fromOpenApi() {
        List<String> out = Routes.fromOpenApi().stream().map(Routes.Route::toString).toList();
        assertTrue(out.size() > 50, "OpenAPI lists the API and the pages: " + out);
        return out;
    }

    /** Every JAX-RS resource method compiled into io.spicegate, whether OpenAPI shows it or not. */
    List<String> fromResourceClasses() throws IOException {
        Path classes = mainClasses();
        List<String> out = new ArrayList<>();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try (Stream<Path> files = Files.walk(classes.resolve("io/spicegate"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> c;
                try {
                    c = Class.forName(name, false, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    throw new AssertionError("cannot load " + name + " to look for JAX-RS routes: " + e, e);
                }
                jakarta.ws.rs.Path root = c.getAnnotation(jakarta.ws.rs.Path.class);
                for (Method m : c.getDeclaredMethods()) {
                    String http = httpMethod(m);
                    jakarta.ws.rs.Path sub = m.getAnnotation(jakarta.ws.rs.Path.class);
                    if (http == null && sub == null) {
                        continue;
                    }
                    if (root == null) {
                        out.add((http == null ? "LOCATOR" : http) + " " + name + "#" + m.getName() + " (no @Path on its class)");
                        continue;
                    }
                    String path = "/" + root.value() + "/" + (sub == null ? "" : sub.value());
                    out.add((http == null ? "LOCATOR" : http) + " " + normalise(path));
                }
            }
        }
        assertTrue(out.size() > 100, "found the resource classes under " + classes + ": " + out.size());
        return out;
    }

    static String httpMethod(Method m) {
        for (Annotation a : m.getAnnotations()) {
            jakarta.ws.rs.HttpMethod h = a.annotationType().getAnnotation(jakarta.ws.rs.HttpMethod.class);
            if (h != null) {
                return h.value();
            }
        }
        return null;
    }

    /**
     * The Vert.x routes with a path: Quarkus' own endpoints under /q/ on the public port (OpenAPI, Swagger UI; health
     * and metrics are on the management interface's own router).
     */
    List<String> fromVertxRouter() {
        List<String> out = new ArrayList<>();
        collect(router, "", out);
        assertTrue(out.stream().anyMatch(r -> r.equals("GET /q/openapi")), "the router shows the /q endpoints: " + out);
        return out;
    }

    private static void collect(Router r, String prefix, List<String> out) {
        for (Route route : r.getRoutes()) {
            String path = route.getPath();
            if (path == null) {
                continue; // handlers for every request (body, CORS, static files, the JAX-RS dispatcher)
            }
            if (route.getSubRouter() != null) {
                collect(route.getSubRouter(), prefix + path, out);
                continue;
            }
            String full = normalise(prefix + path);
            if (full.equals("/")) {
                continue; // the JAX-RS dispatcher and the static files are mounted here: enumerated on their own
            }
            Set<HttpMethod> methods = route.methods();
            if (methods == null || methods.isEmpty()) {
                out.add("GET " + full);
            } else {
                for (HttpMethod m : methods) {
                    if (m != HttpMethod.HEAD && m != HttpMethod.OPTIONS) {
                        out.add(m.name() + " " + full);
                    }
                }
            }
        }
    }

    List<String> fromStaticFiles() throws IOException {
        Path root = mainClasses().resolve("META-INF/resources");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(f -> "GET /" + root.relativize(f).toString().replace('\\', '/')).toList();
        }
    }

    static Path mainClasses() {
        try {
            Path p = Path.of(AuthFilter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(p.resolve("io/spicegate"))) {
                return p;
            }
        } catch (Exception e) {
            // fall back to the Maven layout
        }
        Path p = Path.of("target/classes");
        assertTrue(Files.isDirectory(p.resolve("io/spicegate")), "the compiled classes are at " + p.toAbsolutePath());
        return p;
    }

    static String normalise(String path) {
        return Routes.normalise(path);
    }

    // ------------------------------------------------------------------------------------------------ the matrix

    /** One line of the table. */
    record Row(int line, String route, String fill, Map<String, String> cells, String body) {
        String method() {
            return route.substring(0, route.indexOf(' '));
        }

        String template() {
            return route.substring(route.indexOf(' ') + 1);
        }
    }

    static List<Row> matrix() throws IOException {
        List<Row> rows = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(MATRIX)) {
            if (in == null) {
                throw new AssertionError(MATRIX + " is not on the test classpath");
            }
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length != 3 + CALLERS.size() || !f[0].matches("(GET|HEAD|POST|PUT|DELETE|PATCH) /\\S*")) {
                    throw new AssertionError(MATRIX + " line " + (i + 1) + ": expected 'METHOD /path', fill, "
                            + CALLERS.size() + " caller columns (" + CALLERS + ") and a body, tab-separated; got: " + line);
                }
                Map<String, String> cells = new LinkedHashMap<>();
                for (int c = 0; c < CALLERS.size(); c++) {
                    String cell = f[2 + c].strip();
                    if (!cell.matches("login|[1-5][0-9][0-9]!?")) {
                        throw new AssertionError(MATRIX + " line " + (i + 1) + ", column " + CALLERS.get(c)
                                + ": a status (e.g. 200, 403), 'login' or a status with '!', not '" + cell + "'");
                    }
                    cells.put(CALLERS.get(c), cell);
                }
                if (!seen.add(f[0])) {
                    throw new AssertionError(MATRIX + " line " + (i + 1) + ": a second row for " + f[0]);
                }
                rows.add(new Row(i + 1, f[0], f[1].strip(), cells, f[2 + CALLERS.size()].strip()));
            }
        }
        return rows;
    }

    @Test
    void everyCallerGetsTheExpectedAnswerAndRefusalsChangeNothing() throws Exception {
        List<String> mismatches = new ArrayList<>();
        int checks = 0;
        Map<String, String> lastAfter = null; // the fingerprint after the previous refused call, while nothing happened since
        for (Row row : matrix()) {
            Map<String, Obj> objects = null;
            for (String caller : CALLERS) {
                String cell = row.cells().get(caller);
                boolean refused = cell.equals("login") || cell.startsWith("4");
                boolean ownOnly = cell.endsWith("!");
                long t0 = System.nanoTime();
                boolean fresh = objects == null;
                if (fresh) {
                    objects = make(row);
                }
                long t1 = System.nanoTime();
                // a GET about nothing in particular (a list, a form) has nothing to change: no fingerprint
                boolean watch = ownOnly || refused && !(row.method().equals("GET") && row.fill().equals("-"));
                Map<String, String> before = !watch ? null : lastAfter != null && !fresh ? lastAfter : fingerprint();
                lastAfter = null;
                long t2 = System.nanoTime();
                Answer a = call(row, caller, objects);
                long t3 = System.nanoTime();
                timeMake += t1 - t0;
                timeCall += t3 - t2;
                checks++;
                List<String> wrong = new ArrayList<>();
                if (cell.equals("login")) {
                    if (a.status() != 303 || a.location() == null || !a.location().contains("/login?next=")) {
                        wrong.add("expected a redirect to the login page, got " + a.status() + " " + a.location());
                    }
                } else if (a.status() != Integer.parseInt(cell.replace("!", ""))) {
                    wrong.add("expected " + cell + ", got " + a.status());
                }
                if (ownOnly) {
                    for (Map.Entry<String, Obj> o : objects.entrySet()) {
                        if (a.body().contains(o.getValue().marker())) {
                            wrong.add("the answer shows " + o.getKey() + " " + o.getValue().marker() + " of another owner");
                        }
                    }
                }
                boolean changed = false;
                if (before != null) {
                    Map<String, String> after = fingerprint();
                    lastAfter = after;
                    if (!after.equals(before)) {
                        changed = true;
                        List<String> tables = DomainFingerprint.changed(before, after);
                        wrong.add((refused ? "a refused call" : "a call answered for the caller's own data") + " changed " + tables);
                    }
                }
                if (!wrong.isEmpty()) {
                    mismatches.add(row.route() + " [line " + row.line() + "] as " + caller + ": " + String.join("; ", wrong)
                            + "\n      body: " + excerpt(a.body()));
                }
                if (!(refused || ownOnly) || changed) {
                    objects = null; // the next caller gets objects nobody has touched
                    lastAfter = null;
                    restoreCallers();
                }
            }
        }
        System.out.printf("authorisation matrix: %d calls; making objects %d ms, fingerprints %d ms, calls %d ms%n", checks,
                timeMake / 1_000_000, timeFingerprint / 1_000_000, timeCall / 1_000_000);
        if (!mismatches.isEmpty()) {
            fail(mismatches.size() + " of " + checks + " calls did not answer as " + MATRIX + " says:\n  "
                    + String.join("\n  ", mismatches));
        }
    }

    static String excerpt(String body) {
        String b = body == null ? "" : body.replaceAll("\\s+", " ").strip();
        Matcher m = Pattern.compile("<main.*").matcher(b); // pages: skip the head and the navigation
        if (m.find()) {
            b = m.group();
        }
        return b.length() > 240 ? b.substring(0, 240) + "…" : b;
    }

    // ------------------------------------------------------------------------------------------------ calling

    record Answer(int status, String body, String location) { }

    Answer call(Row row, String caller, Map<String, Obj> objects) {
        Map<String, String> values = new TreeMap<>();
        values.put("owner", world.usernames().get("user"));
        values.put("password", Fixtures.PASSWORD);
        values.put("kvm", world.kvm());
        values.put("unique", Fixtures.unique("sgaz-new"));
        values.put("address", address());
        objects.forEach((kind, o) -> {
            values.put(kind, o.id());
            values.put(kind + ".name", o.name());
        });
        boolean api = row.template().startsWith("/api/");
        Login login = PEOPLE.contains(caller) && !api ? login(caller) : null;
        values.put("csrf", login == null ? "" : login.csrf());

        String path = row.template();
        StringBuilder query = new StringBuilder();
        if (!row.fill().equals("-")) {
            for (String item : row.fill().split(",")) {
                item = item.strip();
                if (item.startsWith("?")) {
                    for (String kv : item.substring(1).split("&")) {
                        String[] p = kv.split("=", 2);
                        query.append(query.isEmpty() ? "?" : "&").append(p[0]).append('=')
                                .append(URLEncoder.encode(substitute(p[1], values), StandardCharsets.UTF_8));
                    }
                } else if (item.contains("=")) {
                    String[] p = item.split("=", 2);
                    path = path.replace("{" + p[0] + "}", URLEncoder.encode(objects.get(p[1]).id(), StandardCharsets.UTF_8));
                }
            }
        }
        if (path.contains("{")) {
            throw new AssertionError(row.route() + " [line " + row.line() + "]: the fill column does not fill " + path);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String origin = url.toString().replaceAll("/$", "");
        if (PEOPLE.contains(caller)) {
            headers.put("X-Forwarded-For", world.addressA());
            if (api) {
                String user = world.usernames().get(caller);
                headers.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (user + ":" + Fixtures.PASSWORD).getBytes(StandardCharsets.UTF_8)));
            } else {
                headers.put("Cookie", AuthFilter.COOKIE + "=" + login.cookie());
                headers.put("Origin", origin);
            }
        } else if (caller.equals("ws-agent")) {
            headers.put("Authorization", "Bearer " + world.secretB());
        } else if (caller.equals("host-agent")) {
            headers.put("Authorization", "Bearer " + world.hostSecret());
        } else if (!api) {
            headers.put("Origin", origin); // a browser on our page
        }
        String type = null;
        String body = null;
        if (row.body().startsWith("json:")) {
            type = "application/json";
            body = substitute(row.body().substring(5), values);
        } else if (row.body().startsWith("form:")) {
            type = "application/x-www-form-urlencoded";
            StringBuilder form = new StringBuilder();
            for (String kv : row.body().substring(5).split("&")) {
                String[] p = kv.split("=", 2);
                String v = java.net.URLDecoder.decode(p.length > 1 ? p[1] : "", StandardCharsets.UTF_8);
                form.append(form.isEmpty() ? "" : "&").append(p[0]).append('=')
                        .append(URLEncoder.encode(substitute(v, values), StandardCharsets.UTF_8));
            }
            body = form.toString();
        } else if (!row.body().equals("-")) {
            throw new AssertionError(row.route() + " [line " + row.line() + "]: a body is json:..., form:... or -");
        }
        return send(row.method(), path + query, headers, type, body);
    }

    static String substitute(String text, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            if (v == null) {
                throw new AssertionError("no value for ${" + m.group(1) + "} in '" + text + "': name the kind in the fill column");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    Answer send(String method, String pathAndQuery, Map<String, String> headers, String type, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.toString().replaceAll("/$", "") + pathAndQuery))
                .timeout(Duration.ofSeconds(30));
        headers.forEach(b::header);
        if (type != null) {
            b.header("Content-Type", type);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body(), r.headers().firstValue("Location").orElse(null));
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + pathAndQuery, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The caller's browser login, renewed when a call (logout, a password change) has ended it. */
    Login login(String caller) {
        Login l = logins.get(caller);
        if (l != null && Db.count("select count(*) from login_session where token_hash = ?", AuthService.sha256(l.cookie())) == 1) {
            return l;
        }
        String origin = url.toString().replaceAll("/$", "");
        String form = "username=" + URLEncoder.encode(world.usernames().get(caller), StandardCharsets.UTF_8)
                + "&password=" + URLEncoder.encode(Fixtures.PASSWORD, StandardCharsets.UTF_8) + "&next=/consoles";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(origin + "/login")).header("Origin", origin)
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            String cookie = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(AuthFilter.COOKIE + "="))
                    .map(c -> c.substring(AuthFilter.COOKIE.length() + 1, c.indexOf(';'))).findFirst()
                    .orElseThrow(() -> new AssertionError("login of " + caller + " failed: " + r.statusCode() + " " + r.body()));
            Answer page = send("GET", "/account", Map.of("Cookie", AuthFilter.COOKIE + "=" + cookie), null, null);
            Matcher m = CSRF.matcher(page.body());
            if (page.status() != 200 || !m.find()) {
                throw new AssertionError("no CSRF token for " + caller + " on /account: " + page.status());
            }
            l = new Login(cookie, m.group(1));
            logins.put(caller, l);
            return l;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Undoes what allowed calls did to the callers themselves (a changed password), so the next call logs in as before. */
    void restoreCallers() throws Exception {
        Db.update("update app_user set password_hash = ?, active = true where username = any (?)", world.passwordHash(),
                world.usernames().values().toArray(String[]::new));
    }

    static String address() {
        int n = ADDRESSES.incrementAndGet();
        return "10.61." + (1 + n / 250) + "." + (1 + n % 250);
    }

    // ------------------------------------------------------------------------------------------------ the objects

    /** An object a call is about: the value for its path parameter, its name, and what would show it in a body. */
    record Obj(String id, String name, String marker) { }

    Map<String, Obj> make(Row row) throws Exception {
        Map<String, Obj> out = new LinkedHashMap<>();
        if (row.fill().equals("-")) {
            return out;
        }
        for (String item : row.fill().split(",")) {
            item = item.strip();
            if (item.startsWith("?")) {
                continue;
            }
            String kind = item.contains("=") ? item.substring(item.indexOf('=') + 1) : item;
            if (!KINDS.contains(kind)) {
                throw new AssertionError(MATRIX + " line " + row.line() + ": unknown kind '" + kind + "' (one of " + KINDS + ")");
            }
            out.put(kind, make(kind));
        }
        return out;
    }

    Obj make(String kind) throws Exception {
        String user = world.usernames().get("user");
        return switch (kind) {
            case "session" -> {
                String console = console();
                fixtures.rule(console).user(user).save();
                String id = sessions.open(userId(user), console, 60, world.addressA()).session().id().toString();
                // workstation A's agent applies the grant, so the launch file is served at once
                String version = Db.strings("select grant_version::text from workstation w join console_session s "
                        + "on s.workstation_id = w.id where s.id = ?::uuid", id).get(0);
                Answer ack = send("POST", "/api/agent/v1/ack", Map.of("Authorization", "Bearer " + world.secretA()),
                        "application/json", "{\"version\": " + version + ", \"applied\": [\"" + id + "\"], \"errors\": []}");
                assertEquals(204, ack.status(), ack.body());
                yield new Obj(id, console, id);
            }
            case "request" -> {
                String console = requestableConsole();
                long id = requests.create(userId(user), new RequestService.NewRequest(console, null, 60, "sgaz needs it"),
                        world.addressA()).id();
                yield new Obj(Long.toString(id), console, console);
            }
            case "reqconsole" -> {
                String console = requestableConsole();
                yield new Obj(console, console, console);
            }
            case "openable" -> {
                String console = console();
                fixtures.rule(console).user(user).save();
                yield new Obj(console, console, console);
            }
            case "user" -> {
                String name = fixtures.user("sgaz-victim");
                yield new Obj(Long.toString(userId(name)), name, name);
            }
            case "group" -> {
                String name = fixtures.group("sgaz-group");
                yield new Obj(Db.strings("select id::text from user_group where name = ?", name).get(0), name, name);
            }
            case "host", "hosttoken" -> {
                ConsoleAdmin.HostCreated h = consoleAdmin.createHost(new ConsoleAdmin.HostInput(Fixtures.unique("sgaz-host"),
                        "127.0.0.1", null), ACTOR);
                yield kind.equals("host") ? new Obj(Long.toString(h.id()), h.name(), h.name())
                        : new Obj(h.enrollmentToken(), h.name(), h.name());
            }
            case "console" -> {
                String name = console();
                yield new Obj(Db.strings("select id::text from console where name = ?", name).get(0), name, name);
            }
            case "rule" -> {
                String console = console();
                long id = fixtures.rule(console).user(user).save();
                yield new Obj(Long.toString(id), console, console);
            }
            case "workstation", "wstoken" -> {
                WorkstationAdmin.Created w = workstationAdmin.create(new WorkstationAdmin.Input(Fixtures.unique("sgaz-ws"),
                        List.of(address()), true, false), ACTOR);
                yield kind.equals("workstation") ? new Obj(Long.toString(w.id()), w.name(), w.name())
                        : new Obj(w.enrollmentToken(), w.name(), w.name());
            }
            case "token" -> {
                String name = Fixtures.unique("sgaz-token");
                long id = apiTokens.create(userId(user), name, 7).id();
                yield new Obj(Long.toString(id), name, name);
            }
            default -> throw new AssertionError("unknown kind " + kind);
        };
    }

    /** A console on this test's KVM host (no host agent there, so launch files need no one-time password). */
    String console() {
        return consoleAdmin.createConsole(new ConsoleAdmin.ConsoleInput(Fixtures.unique("sgaz-vm"), world.kvm(), 5930, null,
                "CN=sgaz", "sgaz-spice", "authorisation matrix"), ACTOR).name();
    }

    /** A console user may use on Saturdays only, so on Monday he may ask approver for it. */
    String requestableConsole() {
        String console = console();
        fixtures.rule(console).user(world.usernames().get("user")).window(EnumSet.of(DayOfWeek.SATURDAY), "08:00", "18:00")
                .approver(world.usernames().get("approver")).save();
        return console;
    }

    static long userId(String username) {
        return Long.parseLong(Db.strings("select id::text from app_user where username = ?", username).get(0));
    }

    World makeWorld() {
        Map<String, String> users = new LinkedHashMap<>();
        users.put("user", fixtures.user("sgaz-user"));
        users.put("other", fixtures.user("sgaz-other"));
        users.put("approver", fixtures.user("sgaz-approver", true, false));
        users.put("approver2", fixtures.user("sgaz-approver2", true, false));
        users.put("admin", fixtures.user("sgaz-admin", false, true));
        String kvm = consoleAdmin.createHost(new ConsoleAdmin.HostInput(Fixtures.unique("sgaz-kvm"), "127.0.0.1", null), ACTOR).name();
        String addressA = address();
        String secretA = enroll(workstationAdmin.create(new WorkstationAdmin.Input(Fixtures.unique("sgaz-ws-a"),
                List.of(addressA), true, false), ACTOR).enrollmentToken());
        String secretB = enroll(workstationAdmin.create(new WorkstationAdmin.Input(Fixtures.unique("sgaz-ws-b"),
                List.of(address()), true, false), ACTOR).enrollmentToken());
        String hostSecret = enroll(consoleAdmin.createHost(new ConsoleAdmin.HostInput(Fixtures.unique("sgaz-kvm-agent"),
                "127.0.0.1", null), ACTOR).enrollmentToken());
        // the same bcrypt check as every login, at the lowest cost: some 300 Basic logins stay cheap
        String hash = io.quarkus.elytron.security.common.BcryptUtil.bcryptHash(Fixtures.PASSWORD, 4);
        try {
            Db.update("update app_user set password_hash = ? where username = any (?)", hash, users.values().toArray(String[]::new));
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        World w = new World(users, kvm, addressA, secretA, secretB, hostSecret, hash);
        world = w;
        // approver2 decides for someone: other, on a console of his own
        String console = console();
        fixtures.rule(console).user(users.get("other")).window(EnumSet.of(DayOfWeek.SATURDAY), "08:00", "18:00")
                .approver(users.get("approver2")).save();
        return w;
    }

    String enroll(String token) {
        Answer a = send("POST", "/api/agent/v1/enroll", Map.of(), "application/json",
                "{\"token\": \"" + token + "\", \"hostname\": \"sgaz\"}");
        assertEquals(200, a.status(), a.body());
        try {
            return Api.JSON.readTree(a.body()).path("secret").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ fingerprint

    /**
     * Per table: its row count, and a hash of this test's own rows (names starting sgaz), without the audit log, the
     * login and lockout tables, and the agents' bookkeeping columns (last seen, acked version, reported facts).
     */
    static Map<String, String> fingerprint() {
        long started = System.nanoTime();
        String mine = "'sgaz%'";
        Map<String, String> sql = new LinkedHashMap<>();
        sql.put("app_user", "select to_jsonb(t)::text from app_user t where username like " + mine);
        sql.put("user_group", "select to_jsonb(t)::text from user_group t where name like " + mine);
        sql.put("group_member", "select gm.group_id || ':' || gm.user_id from group_member gm join app_user u on u.id = gm.user_id "
                + "join user_group g on g.id = gm.group_id where u.username like " + mine + " or g.name like " + mine);
        sql.put("kvm_host", "select (to_jsonb(t) - 'last_seen_at' - 'acked_version' - 'agent_hostname')::text from kvm_host t "
                + "where name like " + mine);
        sql.put("console", "select to_jsonb(t)::text from console t where name like " + mine);
        sql.put("workstation", "select (to_jsonb(t) - 'last_seen_at' - 'acked_version' - 'agent_version' - 'agent_hostname' "
                + "- 'remote_viewer' - 'drift')::text from workstation t where name like " + mine);
        sql.put("workstation_address", "select a.workstation_id || ':' || a.cidr from workstation_address a join workstation w "
                + "on w.id = a.workstation_id where w.name like " + mine);
        sql.put("access_rule", "select to_jsonb(r)::text from access_rule r join console c on c.id = r.console_id where c.name like " + mine);
        sql.put("rule_window", "select to_jsonb(w)::text from rule_window w join access_rule r on r.id = w.rule_id "
                + "join console c on c.id = r.console_id where c.name like " + mine);
        sql.put("rule_approver", "select a.rule_id || ':' || a.user_id from rule_approver a join app_user u on u.id = a.user_id "
                + "where u.username like " + mine);
        sql.put("console_session", "select to_jsonb(s)::text from console_session s where s.username like " + mine
                + " or s.console_name like " + mine);
        sql.put("access_request", "select to_jsonb(r)::text from access_request r where r.username like " + mine);
        Map<String, String> f = DomainFingerprint.rows(sql).take();
        timeFingerprint += System.nanoTime() - started;
        return f;
    }
}
