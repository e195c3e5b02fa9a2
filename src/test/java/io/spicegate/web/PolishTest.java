package io.spicegate.web;

import io.quarkus.arc.Arc;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Fixtures;
import io.spicegate.users.Caller;
import io.spicegate.users.User;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The finish: compressed answers when asked for, static files under content-versioned URLs (only those cached as
 * immutable), a favicon on every page, and error pages that keep the navigation for a logged-in person.
 */
@QuarkusTest
class PolishTest {

    static final Pattern VERSIONED = Pattern.compile("(?:href|src)=\"(/([a-z/]+\\.(?:css|js|svg))\\?v=([0-9a-f]{12}))\"");

    @Inject
    Fixtures fixtures;

    @Inject
    ErrorPages errorPages;

    @TestHTTPResource("/")
    URL url;

    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    // --- compression ---------------------------------------------------------------------------------------------

    @Test
    void textIsGzippedWhenAskedAndOnlyThen() throws Exception {
        String user = fixtures.user("gzip");
        String cookie = Browser.COOKIE + "=" + Browser.login(user, Fixtures.PASSWORD).cookie();
        for (String path : List.of("/style.css", "/login", "/consoles", "/js/focus.js", "/favicon.svg")) {
            Map<String, String> as = path.equals("/login") ? Map.of() : Map.of("Cookie", cookie); // logged in, /login redirects
            HttpResponse<byte[]> plain = get(path, as);
            Map<String, String> asking = new java.util.HashMap<>(as);
            asking.put("Accept-Encoding", "gzip");
            HttpResponse<byte[]> gzipped = get(path, asking);
            assertEquals(200, plain.statusCode(), path);
            assertEquals(200, gzipped.statusCode(), path);
            assertEquals("gzip", gzipped.headers().firstValue("Content-Encoding").orElse(null), path + " asked for gzip");
            assertTrue(plain.headers().firstValue("Content-Encoding").isEmpty(), path + " not asked for gzip: "
                    + plain.headers().firstValue("Content-Encoding"));
            byte[] unpacked = gunzip(gzipped.body());
            if (path.startsWith("/style") || path.startsWith("/js") || path.startsWith("/favicon")) {
                assertArrayEquals(plain.body(), unpacked, path + ": the same bytes, packed");
            } else {
                assertTrue(new String(unpacked, StandardCharsets.UTF_8).contains("</html>"), path);
            }
            if (path.equals("/style.css")) {
                assertTrue(gzipped.body().length * 2 < plain.body().length, "the stylesheet shrinks: " + gzipped.body().length
                        + " of " + plain.body().length + " bytes");
            }
        }
        // the JSON API too
        HttpResponse<byte[]> json = get("/api/v1/consoles", Map.of("Accept-Encoding", "gzip", "Authorization", basic(user)));
        assertEquals(200, json.statusCode());
        assertEquals("gzip", json.headers().firstValue("Content-Encoding").orElse(null), "JSON asked for gzip");
    }

    @Test
    void downloadsKeepTheirFileNameAndContentWhenCompressed() throws Exception {
        String admin = fixtures.user("gzip-admin", false, true);
        String cookie = Browser.COOKIE + "=" + Browser.login(admin, Fixtures.PASSWORD).cookie();
        HttpResponse<byte[]> plain = get("/admin/log.csv", Map.of("Cookie", cookie));
        HttpResponse<byte[]> csv = get("/admin/log.csv", Map.of("Cookie", cookie, "Accept-Encoding", "gzip"));
        assertEquals(200, csv.statusCode());
        byte[] body = "gzip".equals(csv.headers().firstValue("Content-Encoding").orElse("")) ? gunzip(csv.body()) : csv.body();
        assertEquals(firstLine(plain.body()), firstLine(body), "the same export, whether packed or not");
        assertTrue(firstLine(body).contains(","), firstLine(body));
        for (HttpResponse<byte[]> r : List.of(plain, csv)) {
            assertTrue(r.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment; filename="),
                    "Content-Disposition intact: " + r.headers().map());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"), r.headers().map().toString());
        }
    }

    private static String firstLine(byte[] body) {
        return new String(body, StandardCharsets.UTF_8).lines().findFirst().orElse("");
    }

    // --- versioned static files ------------------------------------------------------------------------------------

    @Test
    void theVersionFollowsTheContent() {
        String a = StaticAssets.version("body { color: #111; }".getBytes(StandardCharsets.UTF_8));
        String b = StaticAssets.version("body { color: #112; }".getBytes(StandardCharsets.UTF_8));
        assertTrue(a.matches("[0-9a-f]{12}"), a);
        assertNotEquals(a, b, "one changed character, a new URL");
        assertEquals(a, StaticAssets.version("body { color: #111; }".getBytes(StandardCharsets.UTF_8)), "same content, same URL");
        assertEquals(StaticAssets.IMMUTABLE, StaticAssets.cacheControl(a, a));
        assertEquals(StaticAssets.REVALIDATE, StaticAssets.cacheControl(a, b), "an outdated version is revalidated");
        assertEquals(StaticAssets.REVALIDATE, StaticAssets.cacheControl(a, null), "the plain URL is revalidated");
        StaticAssets assets = new StaticAssets();
        assertEquals("/style.css?v=" + StaticAssets.version(resource("style.css")), assets.url("style.css"));
        assertThrows(IllegalArgumentException.class, () -> assets.url("no-such.css"), "a page naming a missing file fails");
        assertThrows(IllegalArgumentException.class, () -> assets.url("../application.properties"));
    }

    @Test
    void pagesNameTheCurrentVersionWhichAloneIsImmutable() throws Exception {
        String html = new String(get("/login", Map.of()).body(), StandardCharsets.UTF_8);
        Matcher m = VERSIONED.matcher(html);
        int found = 0;
        while (m.find()) {
            found++;
            String versioned = m.group(1);
            String file = m.group(2);
            assertEquals(StaticAssets.version(resource(file)), m.group(3), file + ": the version is its content's");
            HttpResponse<byte[]> immutable = get(versioned, Map.of());
            assertEquals(200, immutable.statusCode(), versioned);
            assertEquals("public, max-age=31536000, immutable", immutable.headers().firstValue("Cache-Control").orElse(null), versioned);
            for (String other : List.of("/" + file, "/" + file + "?v=000000000000")) {
                HttpResponse<byte[]> r = get(other, Map.of());
                assertEquals(200, r.statusCode(), other);
                String cache = r.headers().firstValue("Cache-Control").orElse("");
                assertEquals("no-cache", cache, other + " is revalidated, never immutable");
            }
        }
        assertEquals(3, found, "the stylesheet, the favicon and focus.js are versioned: " + html);
        // a broken %-escape in the query (no Java client sends one): refused by the HTTP layer or revalidated, never a 500
        // and never immutable
        String raw = rawGet("/style.css?v=%zz");
        assertTrue(raw.startsWith("HTTP/1.1 400") || raw.startsWith("HTTP/1.1 200"), raw);
        assertFalse(raw.contains("immutable"), raw);
        assertFalse(html.contains("href=\"/style.css\""), "no unversioned stylesheet");
    }

    // --- favicon ---------------------------------------------------------------------------------------------------

    @Test
    void everyPageHasTheFavicon() throws Exception {
        HttpResponse<byte[]> svg = get("/favicon.svg", Map.of());
        assertEquals(200, svg.statusCode());
        assertTrue(svg.headers().firstValue("Content-Type").orElse("").startsWith("image/svg+xml"));
        assertTrue(new String(svg.body(), StandardCharsets.UTF_8).contains("<svg"));
        HttpResponse<byte[]> ico = get("/favicon.ico", Map.of());
        assertEquals(200, ico.statusCode(), "browsers ask for /favicon.ico on their own");
        assertArrayEquals(new byte[]{0, 0, 1, 0}, java.util.Arrays.copyOf(ico.body(), 4), "an icon file");
        String user = fixtures.user("favicon");
        String cookie = Browser.COOKIE + "=" + Browser.login(user, Fixtures.PASSWORD).cookie();
        for (String page : List.of("/login", "/consoles", "/account", "/sessions/00000000-0000-4000-8000-000000000000")) {
            String html = new String(get(page, page.equals("/login") ? Map.of() : Map.of("Cookie", cookie)).body(), StandardCharsets.UTF_8);
            assertTrue(html.matches("(?s).*<link rel=\"icon\" href=\"/favicon\\.svg\\?v=[0-9a-f]{12}\" type=\"image/svg\\+xml\">.*"),
                    page + " links the favicon");
        }
    }

    // --- error pages -----------------------------------------------------------------------------------------------

    @Test
    void errorPagesKeepTheNavigationWhenLoggedIn() throws Exception {
        String user = fixtures.user("lost");
        String cookie = Browser.COOKIE + "=" + Browser.login(user, Fixtures.PASSWORD).cookie();
        Map<String, Integer> pages = Map.of("/admin", 403, "/sessions/00000000-0000-4000-8000-000000000000", 404,
                "/admin/users/999999999", 403);
        for (var page : pages.entrySet()) {
            HttpResponse<byte[]> r = get(page.getKey(), Map.of("Cookie", cookie));
            assertEquals(page.getValue(), r.statusCode(), page.getKey());
            assertNavigation(new String(r.body(), StandardCharsets.UTF_8), user, page.getKey());
        }
        // anonymous: the bare layout, no navigation
        String anonymous = new String(get("/sessions/not-a-session", Map.of()).body(), StandardCharsets.UTF_8);
        assertFalse(anonymous.contains("Log out"), anonymous);
        // every status an error page has, for a logged-in caller as the request filter establishes him
        Arc.container().requestContext().activate();
        try {
            Method set = Caller.class.getDeclaredMethod("set", User.class, Caller.Via.class, String.class, String.class);
            set.setAccessible(true);
            set.invoke(Arc.container().instance(Caller.class).get(), User.findByUsername(user).orElseThrow(), Caller.Via.COOKIE,
                    "token", "hash");
            for (int status : List.of(403, 404, 409, 410, 429, 500)) {
                String html = errorPages.render(status, "What happened, in a sentence.");
                assertNavigation(html, user, "status " + status);
                assertTrue(html.contains("<h1>" + ErrorPages.heading(status) + "</h1>"), html);
                assertTrue(html.contains("<title>" + status + " "), html);
                assertTrue(html.contains("role=\"alert\">What happened, in a sentence.</p>"), html);
            }
            assertFalse(errorPages.render(503, "The database is away.").contains("Log out"),
                    "503 (the database away): the bare layout, whose navigation would need the database");
        } finally {
            Arc.container().requestContext().terminate();
        }
    }

    private static void assertNavigation(String html, String user, String what) {
        assertTrue(html.contains("<nav aria-label=\"Main\">"), what + ": the navigation is kept\n" + html);
        assertTrue(html.contains(">Log out</button>"), what + ": Log out is kept");
        assertTrue(html.contains(">" + user + "</a>"), what + ": My account is kept");
        assertTrue(html.contains("/style.css?v="), what + ": styled");
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private HttpResponse<byte[]> get(String path, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + url.getPort() + path));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The status line and headers of a GET sent byte for byte as written (even where a URI would refuse it). */
    private String rawGet(String target) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("localhost", url.getPort())) {
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            return answer.substring(0, Math.max(0, answer.indexOf("\r\n\r\n") + 2));
        }
    }

    private static String basic(String user) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + Fixtures.PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] gunzip(byte[] packed) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(packed))) {
            return in.readAllBytes();
        }
    }

    private static byte[] resource(String file) {
        try (InputStream in = PolishTest.class.getClassLoader().getResourceAsStream(StaticAssets.ROOT + file)) {
            assertTrue(in != null, file);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
