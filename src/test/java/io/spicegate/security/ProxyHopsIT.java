package io.spicegate.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.EmbeddedPortal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Behind a proxy the client is the rightmost X-Forwarded-For hop that is not a trusted proxy, for Open console and
 * the login audit alike: the packaged jar with README's {@code QUARKUS_HTTP_PROXY_*} settings, trusting loopback
 * (the test's own connection), a second proxy tier {@code 10.99.7.0/24} and {@code fd99::7}.
 */
class ProxyHopsIT {

    static EmbeddedPortal portal;
    static Api admin;
    static final AtomicInteger SEQ = new AtomicInteger();
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        portal = EmbeddedPortal.start("proxy-hops", Map.of(
                "QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING", "true",
                "QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED", "true",
                "QUARKUS_HTTP_PROXY_TRUSTED_PROXIES", "127.0.0.1,10.99.7.0/24,fd99::7"));
        admin = Api.basic(portal.base, "admin", "demo");
    }

    @AfterAll
    static void stop() throws Exception {
        if (portal != null) {
            portal.close();
        }
    }

    /** The source the portal audits for a failed form login sent with these X-Forwarded-For headers (none: no header). */
    static String loginSource(String... forwardedFor) throws Exception {
        String name = "hop" + SEQ.incrementAndGet();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(portal.base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=" + name + "&password=wrong"));
        for (String h : forwardedFor) {
            b.header("X-Forwarded-For", h);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode(), r.body());
        JsonNode events = admin.get("/api/v1/admin/audit?action=LOGIN_FAILED&user=" + name).expect(200).json().path("events");
        assertEquals(1, events.size(), events.toString());
        return events.get(0).path("source").asText();
    }

    @Test
    void theClientIsTheRightmostHopThatIsNotATrustedProxy() throws Exception {
        assertEquals("203.0.113.9", loginSource("10.20.30.40, 203.0.113.9"), "the issue's case");
        assertEquals("203.0.113.9", loginSource("10.20.30.40, 203.0.113.9, 10.99.7.5"), "behind two proxies");
        assertEquals("203.0.113.9", loginSource("203.0.113.9, 10.99.7.5, 10.99.7.6"), "behind three proxies");
        assertEquals("203.0.113.9", loginSource("10.20.30.40", "203.0.113.9"), "the same list in two headers");
        assertEquals("203.0.113.10", loginSource("10.20.30.40, 203.0.113.10:5555"), "with a port");
        assertEquals("10.99.7.5", loginSource("10.99.7.5"), "only trusted hops: the leftmost of them");
    }

    @Test
    void ipv6Hops() throws Exception {
        assertEquals("2001:db8:0:0:0:0:0:1", loginSource("10.20.30.40, 2001:db8::1"));
        assertEquals("2001:db8:0:0:0:0:0:2", loginSource("2001:db8::66, [2001:db8::2]:4711, fd99::7"));
    }

    @Test
    void garbageAndNoHeader() throws Exception {
        assertEquals("127.0.0.1", loginSource(), "no header: the proxy itself");
        assertEquals("203.0.113.9", loginSource("not-an-address, 203.0.113.9"), "garbage the client sent stays left");
        assertEquals("unknown", loginSource("203.0.113.9, not-an-address"), "garbage where a trusted proxy wrote: fail closed");
        assertEquals("unknown", loginSource("203.0.113.9, 10.99.7.5, "), "an empty hop");
        assertEquals("unknown", loginSource("10.0.0.1/8"), "a block is not an address");
    }

    @Test
    void openConsoleTakesTheRightmostUntrustedHop() {
        String lab = admin.post("/api/v1/admin/workstations", Map.of("name", "proxylab", "addresses", List.of("10.20.30.40")))
                .expect(201).json().path("name").asText();
        Api ralph = Api.basic(portal.base, "ralph", "demo");
        Map<String, String> vm3 = Map.of("console", "vm3");
        // a client at 203.0.113.9 claiming to be the lab: refused, nothing opened
        Api.Answer claimed = ralph.from("10.20.30.40, 203.0.113.9").post("/api/v1/sessions", vm3);
        assertEquals(403, claimed.status(), claimed.body());
        assertTrue(claimed.json().path("error").asText().contains("203.0.113.9"), claimed.body());
        JsonNode mine = ralph.get("/api/v1/sessions").expect(200).json();
        mine.forEach(s -> assertNotEquals(lab, s.path("workstation").asText(), mine.toString()));
        // the lab itself, through two proxies
        JsonNode opened = ralph.from("198.51.100.1, 10.20.30.40, 10.99.7.5").post("/api/v1/sessions", vm3).expect(201).json();
        assertEquals(lab, opened.path("workstation").asText(), opened.toString());
    }
}
