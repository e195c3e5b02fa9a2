package io.spicegate.agentapi;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strict mode that holds (issue 13 point 3): the portal never hands a strict workstation's user the .vv (409 naming
 * the command to run instead, which the session page shows once both agents acked); the agent's launch file carries
 * the session's one-time password where the host has an agent, a fresh one at every re-open, and never the
 * console's static password.
 */
@QuarkusTest
class StrictLaunchTest {

    private static final AtomicInteger NET = new AtomicInteger();

    @Inject
    Fixtures fixtures;

    String admin;

    @BeforeEach
    void setUp() {
        admin = fixtures.mondayMorningAdmin("root");
    }

    /** A strict workstation whose agent is enrolled: [address, secret]. */
    String[] strictWorkstation() {
        String address = "10.93.0." + (1 + NET.incrementAndGet() % 250);
        String secret = Fixtures.enrolledWorkstation(admin,
                Map.of("name", Fixtures.unique("strict"), "addresses", List.of(address), "strict", true), "s").secret();
        return new String[] {address, secret};
    }

    static ExtractableResponse<Response> get(String user, String path) {
        return given().auth().preemptive().basic(user, Fixtures.PASSWORD).get(path).then().extract();
    }

    /** As {@link #get}, from {@code address} (the session's own workstation: the only place a .vv is ever served). */
    static ExtractableResponse<Response> getFrom(String address, String user, String path) {
        return given().auth().preemptive().basic(user, Fixtures.PASSWORD).header("X-Forwarded-For", address)
                .get(path).then().extract();
    }

    static String launchFileOf(JsonPath grants, String session) {
        List<Map<String, Object>> all = grants.getList("grants");
        Map<String, Object> grant = all.stream().filter(g -> session.equals(g.get("session")))
                .findFirst().orElseThrow(() -> new AssertionError("no grant for " + session + ": " + all));
        return (String) grant.get("launchFile");
    }

    @Test
    void theStrictUserGetsACommandNotTheFileAndTheAgentsFileCarriesTheOneTimePassword() throws Exception {
        String[] host = HostAgentApiTest.guardedHost(admin);
        String console = host[2];
        String user = fixtures.user("strict");
        fixtures.rule(console).user(user).save();
        String[] ws = strictWorkstation();
        ExtractableResponse<Response> opened = AgentApiTest.openFrom(ws[0], user, console);
        assertEquals(201, opened.statusCode(), opened.asString());
        String id = opened.path("id").toString();
        assertNull(opened.path("vvUrl"), "the portal serves no launch file to a strict workstation");
        assertEquals("spicegate-open " + console, opened.path("command"));
        assertEquals(false, opened.path("vvAvailable"));
        assertEquals("pending", opened.path("firewall"));

        // the .vv is refused, through the API and the pages alike, with the command to run instead; nothing changes
        for (String url : List.of("/api/v1/sessions/" + id + "/console.vv", "/sessions/" + id + "/console.vv")) {
            ExtractableResponse<Response> refused = getFrom(ws[0], user, url);
            assertEquals(409, refused.statusCode(), url + ": " + refused.asString());
            assertTrue(refused.asString().contains("run this in a terminal: spicegate-open " + console + " ("), refused.asString());
        }
        assertFalse(Db.auditOf(user).stream().anyMatch(r -> r.startsWith("VV_DOWNLOADED")));

        // the grant's launch file carries the one-time password the host agent sets, not the static one
        JsonPath tickets = HostAgentApiTest.poll(host[1], null);
        String ticket = tickets.getString("tickets[0].password");
        JsonPath grants = AgentApiTest.poll(ws[1], null);
        String vv = launchFileOf(grants, id);
        assertEquals(ticket, HostAgentApiTest.password(vv));
        assertFalse(vv.contains("static-"), "never the console's static password: " + vv.lines().filter(l -> l.startsWith("password")).toList());

        // ready only once both agents acked: the page says wait until then, then shows the command
        String page = get(user, "/sessions/" + id + "?opened=1").asString();
        assertTrue(page.contains("preparing your launch file"), page);
        assertFalse(page.contains("id=\"command\""), page);
        assertTrue(page.contains("http-equiv=\"refresh\" content=\"1\""), "the page waits by itself");
        AgentApiTest.ack(ws[1], grants.getLong("version"), List.of(id), List.of());
        assertEquals("pending", get(user, "/api/v1/sessions/" + id).path("firewall"), "the host has not set the ticket yet");
        HostAgentApiTest.ack(host[1], tickets.getLong("version"), List.of(id), List.of());
        assertEquals("ready", get(user, "/api/v1/sessions/" + id).path("firewall"));
        page = get(user, "/sessions/" + id + "?opened=1").asString();
        assertTrue(page.contains("<code id=\"command\">spicegate-open " + console + "</code>"), page);
        assertFalse(page.contains("console.vv"), "no download link and no redirect to one");

        // a re-open: a fresh file with a fresh ticket; not ready until the agent acked the version that carries it
        ExtractableResponse<Response> again = AgentApiTest.openFrom(ws[0], user, console);
        assertEquals(id, again.path("id").toString());
        assertEquals("pending", again.path("firewall"));
        JsonPath freshTickets = HostAgentApiTest.poll(host[1], tickets.getLong("version"));
        String fresh = freshTickets.getString("tickets[0].password");
        assertNotEquals(ticket, fresh);
        JsonPath freshGrants = AgentApiTest.poll(ws[1], grants.getLong("version"));
        assertEquals(fresh, HostAgentApiTest.password(launchFileOf(freshGrants, id)));
        HostAgentApiTest.ack(host[1], freshTickets.getLong("version"), List.of(id), List.of());
        AgentApiTest.ack(ws[1], grants.getLong("version"), List.of(id), List.of()); // a late ack of the old file
        assertEquals("pending", get(user, "/api/v1/sessions/" + id).path("firewall"), "the old file is not the fresh one");
        AgentApiTest.ack(ws[1], freshGrants.getLong("version"), List.of(id), List.of());
        assertEquals("ready", get(user, "/api/v1/sessions/" + id).path("firewall"));

        // once the one-time password is forgotten, the grant carries no file at all: never the static password
        Db.update("update console_session set ticket_password = null where id = ?::uuid", id);
        assertNull(launchFileOf(AgentApiTest.poll(ws[1], null), id));
        assertEquals(0, Db.count("select count(*) from audit_event where coalesce(detail, '') like ? or coalesce(detail, '') like ?",
                "%" + ticket + "%", "%" + fresh + "%"), "one-time passwords stay out of the audit log");
    }

    @Test
    void aStrictWorkstationOnAHostWithoutAnAgentGetsTheStaticPasswordInItsFile() {
        String user = fixtures.user("plainhost");
        String console = fixtures.console("vm"); // on the demo host mysrv, which has no agent
        fixtures.rule(console).user(user).save();
        String[] ws = strictWorkstation();
        ExtractableResponse<Response> opened = AgentApiTest.openFrom(ws[0], user, console);
        assertEquals(201, opened.statusCode(), opened.asString());
        assertEquals("none", opened.path("ticket"));
        assertEquals("secret-" + console, HostAgentApiTest.password(launchFileOf(AgentApiTest.poll(ws[1], null),
                opened.path("id").toString())));
        assertEquals(409, getFrom(ws[0], user, "/api/v1/sessions/" + opened.path("id") + "/console.vv").statusCode());
    }
}
