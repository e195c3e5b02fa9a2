package io.spicegate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged portal as an operator runs it: {@code java -jar target/quarkus-app/quarkus-run.jar} with only a
 * port and a data directory, i.e. the embedded PostgreSQL default (DESIGN.md "Portal process"). A new user
 * uses it through the API and the pages; a restart on the same data directory keeps the data; stopping the
 * portal stops its PostgreSQL.
 */
class PackagedPortalIT {

    static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    static final Duration STOP_GRACE = Duration.ofSeconds(20);
    static final Duration POSTGRES_GONE_TIMEOUT = Duration.ofSeconds(10);
    static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    static final Pattern OPENED = Pattern.compile("/sessions/([0-9a-f-]{36})\\?opened=1$");
    static final String COOKIE = "spicegate_session";

    final ObjectMapper json = new ObjectMapper();
    final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    Path buildDir;
    Path log;
    Path dataDir;
    int port;
    String base;
    /** The management interface: health and metrics, and only there. */
    String management;
    Process portal;

    @BeforeEach
    void freshDataDirAndPort() throws IOException {
        buildDir = Path.of(System.getProperty("spicegate.build-dir", "target")).toAbsolutePath();
        log = buildDir.resolve("packaged-portal.log");
        Files.deleteIfExists(log);
        dataDir = Files.createTempDirectory("spicegate-packaged-");
        port = freePort();
        base = "http://127.0.0.1:" + port;
        management = "http://127.0.0.1:" + freePort();
    }

    @AfterEach
    void stopAndClean() throws Exception {
        try {
            stopPortal();
        } finally {
            deleteRecursively(dataDir);
        }
    }

    @Test
    void aNewUserOpensAConsoleAndTheDataSurvivesARestart() throws Exception {
        startPortal();

        // the embedded default commits durably: an answered open's audit row survives a crash of its PostgreSQL
        String opts = Files.readString(dataDir.resolve("postgres/postmaster.opts"));
        assertTrue(opts.contains("synchronous_commit=on"), "the embedded PostgreSQL runs with " + opts);
        // zonky passes -F (fsync off) first; the -c fsync=on after it is what PostgreSQL keeps
        assertTrue(opts.contains("fsync=on") && opts.indexOf("fsync=on") > opts.indexOf("-F"), "the embedded PostgreSQL runs with " + opts);

        // a new user finds the login page
        HttpResponse<String> login = send(get("/login"));
        assertEquals(200, login.statusCode(), login.body());
        assertTrue(login.body().contains("name=\"username\""), "the login page has a username field");
        // its stylesheet, from the jar, under the content-versioned URL the page names: cached for good
        Matcher css = Pattern.compile("href=\"(/style\\.css\\?v=[0-9a-f]{12})\"").matcher(login.body());
        assertTrue(css.find(), "the login page names its versioned stylesheet");
        HttpResponse<String> style = send(get(css.group(1)));
        assertEquals(200, style.statusCode());
        assertTrue(style.body().contains(".badge"), "the stylesheet itself");
        assertEquals("public, max-age=31536000, immutable", style.headers().firstValue("Cache-Control").orElse(null));

        // ralph through the API: vm3 is his at any hour
        JsonNode vm3 = consoleNamed(consolesOfRalph(), "vm3");
        assertEquals("ALLOWED", vm3.path("decision").asText(), vm3.toString());

        HttpResponse<String> opened = send(basic(post("/api/v1/sessions", "application/json", "{\"console\":\"vm3\"}")));
        assertEquals(201, opened.statusCode(), opened.body());
        JsonNode session = json.readTree(opened.body());
        String sessionId = session.path("id").asText();
        String vvUrl = session.path("vvUrl").asText();
        assertEquals("vm3", session.path("console").asText());
        assertFalse(sessionId.isEmpty(), opened.body());
        assertFalse(vvUrl.isEmpty(), opened.body());

        HttpResponse<String> vv = send(basic(get(vvUrl)));
        assertLaunchFile(vv);
        HttpResponse<String> again = send(basic(get(vvUrl)));
        assertEquals(410, again.statusCode(), again.body());
        String error = json.readTree(again.body()).path("error").asText();
        assertTrue(error.length() > 20 && error.endsWith("."), "410 should say what to do: " + again.body());

        // ralph through the pages: log in with the form, Open console with the CSRF token, fetch the file
        String cookie = formLogin("ralph", "demo");
        HttpResponse<String> consoles = send(withCookie(get("/consoles"), cookie));
        assertEquals(200, consoles.statusCode(), consoles.body());
        assertTrue(consoles.body().contains("id=\"console-vm3\""), "My consoles lists vm3");
        Matcher csrf = CSRF.matcher(consoles.body());
        assertTrue(csrf.find(), "My consoles carries a CSRF token");
        HttpResponse<String> open = send(withCookie(post("/consoles/vm3/open", "application/x-www-form-urlencoded",
                form(Map.of("csrf", csrf.group(1)))), cookie));
        assertEquals(303, open.statusCode(), open.body());
        String location = open.headers().firstValue("Location").orElse("");
        Matcher m = OPENED.matcher(location);
        assertTrue(m.find(), "Open console should lead to the session page: " + location);
        // one ACTIVE session per user, console and workstation: opening again re-opens it with a fresh file
        assertEquals(sessionId, m.group(1), "the page re-opens ralph's session from the API");
        assertLaunchFile(send(withCookie(get("/sessions/" + m.group(1) + "/console.vv"), cookie)));

        stopPortal();

        // same data directory: no second demo load, ralph's session still there
        startPortal();
        List<JsonNode> after = consolesOfRalph();
        assertEquals(List.of("vm3"), after.stream().map(c -> c.path("name").asText()).toList(),
                "ralph still has exactly one console after a restart");
        HttpResponse<String> mine = send(basic(get("/api/v1/sessions")));
        assertEquals(200, mine.statusCode(), mine.body());
        List<String> ids = new ArrayList<>();
        json.readTree(mine.body()).forEach(s -> ids.add(s.path("id").asText()));
        assertTrue(ids.contains(sessionId), "ralph's session survived the restart: " + mine.body());
        assertNotNull(formLogin("ralph", "demo"), "the form login still works after a restart");
    }

    // --- the portal process ---------------------------------------------------------------------------

    void startPortal() throws Exception {
        Path jar = buildDir.resolve("quarkus-app").resolve("quarkus-run.jar");
        assertTrue(Files.isRegularFile(jar), jar + " is missing: run 'mvnw package' first");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(javaBin, "-jar", jar.toString())
                .directory(buildDir.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        // the embedded default: no datasource settings at all, whatever the machine running the build has
        env.keySet().removeIf(k -> k.startsWith("QUARKUS_DATASOURCE") || k.startsWith("SPICEGATE_"));
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_MANAGEMENT_PORT", management.substring(management.lastIndexOf(':') + 1));
        env.put("SPICEGATE_DATA_DIR", dataDir.toString());
        Files.writeString(log, "=== starting " + String.join(" ", pb.command()) + " on port " + port + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        portal = pb.start();
        awaitReady();
    }

    void awaitReady() throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!portal.isAlive()) {
                throw new AssertionError("the portal exited with " + portal.exitValue() + " before it was ready:\n" + logTail());
            }
            try {
                HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(management + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(30)).GET());
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the portal was not ready within " + READY_TIMEOUT.toSeconds() + " s (last: " + last
                + "):\n" + logTail());
    }

    /** Stops only the process this test started, then checks its PostgreSQL went with it. */
    void stopPortal() throws Exception {
        Process p = portal;
        portal = null;
        if (p == null) {
            return;
        }
        try {
            p.destroy();
            if (!p.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            assertPostgresGone();
        }
    }

    void assertPostgresGone() throws InterruptedException {
        long deadline = System.nanoTime() + POSTGRES_GONE_TIMEOUT.toNanos();
        List<String> left = postgresOfThisTest();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(250);
            left = postgresOfThisTest();
        }
        assertTrue(left.isEmpty(), "the embedded PostgreSQL outlived the portal: " + left + "\n" + logTail());
    }

    /** postgres processes whose command line names this test's data directory. */
    List<String> postgresOfThisTest() {
        String dir = dataDir.toString();
        return ProcessHandle.allProcesses()
                .map(h -> h.pid() + " " + commandLine(h.pid()))
                .filter(line -> line.contains("postgres") && line.contains(dir))
                .toList();
    }

    static String commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException | RuntimeException e) {
            return ""; // gone meanwhile, or not ours to read
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "--- last lines of " + log + " ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ": " + e + ")";
        }
    }

    // --- HTTP as a user and a browser would -------------------------------------------------------------

    List<JsonNode> consolesOfRalph() throws Exception {
        HttpResponse<String> r = send(basic(get("/api/v1/consoles")));
        assertEquals(200, r.statusCode(), r.body());
        List<JsonNode> list = new ArrayList<>();
        json.readTree(r.body()).forEach(list::add);
        return list;
    }

    static JsonNode consoleNamed(List<JsonNode> consoles, String name) {
        return consoles.stream().filter(c -> name.equals(c.path("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no console " + name + " in " + consoles));
    }

    /** Logs in through the form as a browser does; returns the login cookie's value. */
    String formLogin(String username, String password) throws Exception {
        HttpResponse<String> r = send(post("/login", "application/x-www-form-urlencoded",
                form(Map.of("username", username, "password", password, "next", "/consoles"))));
        assertEquals(303, r.statusCode(), r.body());
        return r.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(COOKIE + "="))
                .map(c -> c.substring(COOKIE.length() + 1).split(";", 2)[0])
                .filter(v -> !v.isEmpty())
                .findFirst().orElseThrow(() -> new AssertionError("no " + COOKIE + " cookie after login: " + r.headers()));
    }

    static void assertLaunchFile(HttpResponse<String> vv) {
        assertEquals(200, vv.statusCode(), vv.body());
        assertTrue(vv.headers().firstValue("Content-Type").orElse("").startsWith("application/x-virt-viewer"),
                vv.headers().toString());
        assertTrue(vv.body().startsWith("[virt-viewer]\n"), "a .vv file");
        assertTrue(vv.body().contains("\ntls-port=20006\n"), "vm3's TLS port");
    }

    HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET();
    }

    /** A POST as from one of our pages: browsers send Origin, and the portal checks it. */
    HttpRequest.Builder post(String path, String contentType, String body) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType)
                .header("Origin", base)
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    static HttpRequest.Builder basic(HttpRequest.Builder request) {
        return request.header("Authorization", "Basic "
                + Base64.getEncoder().encodeToString("ralph:demo".getBytes(StandardCharsets.UTF_8)));
    }

    static HttpRequest.Builder withCookie(HttpRequest.Builder request, String cookie) {
        return request.header("Cookie", COOKIE + "=" + cookie);
    }

    static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
