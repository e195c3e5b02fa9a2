package io.spicegate.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.EmbeddedPortal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way in that PackagedPortalIT does not already take, against the packaged jar with its production clock and
 * configuration (the embedded default): the local form login (right, wrong, a hostile name that must not forge a
 * log line), HTTP Basic, and the workstation and host agents' enroll → poll → ack with plain HTTP calls.
 * (OIDC and LDAP against the packaged jar are issue 14's.)
 */
class WaysInIT {

    static EmbeddedPortal portal;
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        portal = EmbeddedPortal.start("ways-in", Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (portal != null) {
            portal.close();
        }
    }

    static HttpResponse<String> formLogin(String username, String password) throws Exception {
        String body = "username=" + URLEncoder.encode(username, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&next=%2Fconsoles";
        return HTTP.send(HttpRequest.newBuilder(URI.create(portal.base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Health and metrics answer on the management port only: the public port, the one users reach, has neither. */
    @Test
    void healthAndMetricsOnlyOnTheManagementPort() throws Exception {
        for (String path : List.of("/q/health", "/q/health/ready", "/q/health/live", "/q/metrics")) {
            assertEquals(404, HTTP.send(HttpRequest.newBuilder(URI.create(portal.base + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "public " + path);
            HttpResponse<String> m = HTTP.send(HttpRequest.newBuilder(URI.create(portal.management + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, m.statusCode(), "management " + path);
        }
        assertTrue(HTTP.send(HttpRequest.newBuilder(URI.create(portal.management + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body().contains("spicegate_sessions_active"));
        assertEquals(200, HTTP.send(HttpRequest.newBuilder(URI.create(portal.base + "/q/openapi")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode(), "the API description stays public");
    }

    @Test
    void localFormLogin() throws Exception {
        HttpResponse<String> ok = formLogin("ralph", "demo");
        assertEquals(303, ok.statusCode(), ok.body());
        String cookie = ok.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("spicegate_session="))
                .findFirst().orElseThrow().split(";")[0];
        HttpResponse<String> consoles = HTTP.send(HttpRequest.newBuilder(URI.create(portal.base + "/consoles"))
                .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, consoles.statusCode());
        assertTrue(consoles.body().contains("id=\"console-vm3\""), "ralph's page lists vm3");
        HttpResponse<String> wrong = formLogin("ralph", "not-demo");
        assertEquals(401, wrong.statusCode());
        assertTrue(wrong.body().contains("Wrong username or password"), wrong.body());
    }

    @Test
    void aLoginNameCannotStartALogLine() throws Exception {
        assertEquals(401, formLogin("x\nFAKE LINE injected", "whatever").statusCode());
        assertEquals(401, formLogin("y\r\nFAKE LINE crlf", "whatever").statusCode());
        Api admin = Api.basic(portal.base, "admin", "demo");
        JsonNode events = admin.get("/api/v1/admin/audit?action=LOGIN_FAILED").expect(200).json().path("events");
        assertTrue(events.toString().contains("x\\nfake line injected"), "the failed login is audited: " + events);
        String log = portal.process.logText();
        assertTrue(log.contains("x\\nfake line injected"), "the portal logs the name escaped:\n" + portal.process.tail());
        assertTrue(log.contains("y\\r\\nfake line crlf"), "CR too:\n" + portal.process.tail());
        assertFalse(log.lines().anyMatch(l -> l.toLowerCase().startsWith("fake line")),
                "no log line starts with the injected text:\n" + portal.process.tail());
    }

    @Test
    void httpBasic() {
        Api.basic(portal.base, "ralph", "demo").get("/api/v1/consoles").expect(200);
        Api.Answer wrong = Api.basic(portal.base, "ralph", "nope").get("/api/v1/consoles").expect(401);
        assertEquals("Wrong username or password.", wrong.json().path("error").asText());
        Api.anonymous(portal.base).get("/api/v1/consoles").expect(401);
    }

    @Test
    void workstationAgentEnrollPollAck() {
        Api admin = Api.basic(portal.base, "admin", "demo");
        JsonNode ws = admin.post("/api/v1/admin/workstations", Map.of("name", "waysin-ws", "addresses", List.of("10.99.31.1")))
                .expect(201).json();
        String token = ws.path("enrollmentToken").asText();
        Api anonymous = Api.anonymous(portal.base);
        String secret = anonymous.post("/api/agent/v1/enroll", Map.of("token", token, "hostname", "waysin-ws"))
                .expect(200).json().path("secret").asText();
        assertFalse(secret.isEmpty());
        anonymous.post("/api/agent/v1/enroll", Map.of("token", token, "hostname", "waysin-ws")).expect(401);
        Api agent = Api.bearer(portal.base, secret);
        JsonNode grants = agent.get("/api/agent/v1/grants").expect(200).json();
        long version = grants.path("version").asLong();
        assertTrue(grants.path("leaseSeconds").asLong() > 0, grants.toString());
        agent.post("/api/agent/v1/ack", Map.of("version", version, "applied", List.of(), "errors", List.of())).expect(204);
        Api.bearer(portal.base, "sgw_not-a-secret").get("/api/agent/v1/grants").expect(401);
        assertTrue(admin.get("/api/v1/admin/workstations/" + ws.path("id").asText()).expect(200).json()
                .path("enrolled").asBoolean(), "the workstation shows as enrolled");
    }

    @Test
    void hostAgentEnrollPollAck() {
        Api admin = Api.basic(portal.base, "admin", "demo");
        JsonNode host = admin.post("/api/v1/admin/hosts", Map.of("name", "waysin-kvm", "address", "10.99.32.1"))
                .expect(201).json();
        String token = host.path("enrollmentToken").asText();
        Api anonymous = Api.anonymous(portal.base);
        JsonNode enrolled = anonymous.post("/api/agent/v1/enroll", Map.of("token", token, "hostname", "waysin-kvm"))
                .expect(200).json();
        assertEquals("host", enrolled.path("mode").asText(), enrolled.toString());
        Api agent = Api.bearer(portal.base, enrolled.path("secret").asText());
        JsonNode tickets = agent.get("/api/agent/v1/tickets").expect(200).json();
        agent.post("/api/agent/v1/tickets/ack", Map.of("version", tickets.path("version").asLong(), "applied", List.of(),
                "errors", List.of())).expect(204);
        agent.get("/api/agent/v1/grants").expect(401);
        assertTrue(admin.get("/api/v1/admin/hosts/" + host.path("id").asText()).expect(200).json().path("enrolled").asBoolean());
    }

    /**
     * Issue 16's ways in, with the production clock: open for a chosen length, Extend by the API and by the page's
     * form (cookie, CSRF token, Origin), the refusals beyond the limits, the live pulse and the week picture.
     */
    @Test
    void openForALengthExtendPulseAndThePicture() throws Exception {
        Api ralph = Api.basic(portal.base, "ralph", "demo");
        JsonNode opened = ralph.post("/api/v1/sessions", Map.of("console", "vm3", "minutes", 30)).expect(201).json();
        String id = opened.path("id").asText();
        try {
            java.time.Instant start = java.time.Instant.parse(opened.path("startsAt").asText());
            java.time.Instant end = java.time.Instant.parse(opened.path("endsAt").asText());
            assertEquals(Duration.ofMinutes(30), Duration.between(start, end), opened.toString());

            JsonNode extended = ralph.post("/api/v1/sessions/" + id + "/extend", Map.of("minutes", 15)).expect(200).json();
            assertEquals(end.plus(Duration.ofMinutes(15)), java.time.Instant.parse(extended.path("endsAt").asText()));
            for (Object odd : List.of(0, -1, 1441, "abc")) {
                Api.Answer bad = ralph.post("/api/v1/sessions/" + id + "/extend", Map.of("minutes", odd)).expect(400);
                assertFalse(bad.json().path("error").asText().isBlank(), bad.body());
            }
            // vm3's rule allows 480 minutes from the start: 1440 more is refused with the sentence, and nothing moves
            Api.Answer beyond = ralph.post("/api/v1/sessions/" + id + "/extend", Map.of("minutes", 1440)).expect(409);
            assertTrue(beyond.json().path("error").asText().contains("at most"), beyond.body());
            Api.basic(portal.base, "charlie", "demo").post("/api/v1/sessions/" + id + "/extend", Map.of("minutes", 15))
                    .expect(404);

            // the page's form, as a browser posts it
            HttpResponse<String> login = formLogin("ralph", "demo");
            String cookie = login.headers().allValues("Set-Cookie").stream()
                    .filter(c -> c.startsWith("spicegate_session=")).findFirst().orElseThrow().split(";")[0];
            HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(portal.base + "/sessions/" + id))
                    .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            java.util.regex.Matcher csrf = java.util.regex.Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"")
                    .matcher(page.body());
            assertTrue(csrf.find(), page.body());
            HttpResponse<String> form = HTTP.send(HttpRequest.newBuilder(URI.create(portal.base + "/sessions/" + id + "/extend"))
                    .header("Cookie", cookie).header("Origin", portal.base)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("csrf=" + csrf.group(1) + "&minutes=15")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(303, form.statusCode(), form.body());
            assertEquals(end.plus(Duration.ofMinutes(30)), java.time.Instant.parse(
                    ralph.get("/api/v1/sessions/" + id).expect(200).json().path("endsAt").asText()));
            JsonNode rows = Api.basic(portal.base, "admin", "demo")
                    .get("/api/v1/admin/audit?action=SESSION_EXTENDED&session=" + id).expect(200).json().path("events");
            assertEquals(2, rows.size(), "one row per extension: " + rows);

            JsonNode pulse = ralph.get("/api/v1/requests/pulse").expect(200).json();
            assertTrue(pulse.has("toDecide") && pulse.has("unseen") && pulse.has("stamp"), pulse.toString());
            Api.anonymous(portal.base).get("/api/v1/requests/pulse").expect(401);

            HttpResponse<String> picture = HTTP.send(HttpRequest.newBuilder(URI.create(portal.base + "/consoles/vm3"))
                    .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, picture.statusCode());
            assertTrue(picture.body().contains("<svg"), "the week is drawn");
            HttpResponse<String> notMine = HTTP.send(HttpRequest.newBuilder(URI.create(portal.base + "/consoles/debianx"))
                    .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, notMine.statusCode());
        } finally {
            ralph.delete("/api/v1/sessions/" + id);
        }
    }
}
