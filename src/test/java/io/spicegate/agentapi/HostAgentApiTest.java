package io.spicegate.agentapi;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The portal's side of the KVM host agent: host enrollment, the tickets long-poll and its ack, the launch file
 * gated on the host's ack (and on the workstation's, where both have agents), and the one-time password kept out
 * of logs and the audit log.
 */
@QuarkusTest
class HostAgentApiTest {

    private static final AtomicInteger NET = new AtomicInteger();

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    String admin;

    @BeforeEach
    void setUp() {
        admin = fixtures.mondayMorningAdmin("root");
    }

    /** A KVM host whose agent is enrolled, with one TLS console: [host id, secret, console name, host name]. */
    String[] guardedHost() {
        return guardedHost(admin);
    }

    /** The same, created by {@code admin}. */
    static String[] guardedHost(String admin) {
        String name = Fixtures.unique("kvm");
        Fixtures.Enrolled host = Fixtures.enrolledHost(admin,
                Map.of("name", name, "address", "10.97.0." + (1 + NET.incrementAndGet() % 250)), "kvm-host");
        assertTrue(host.token().startsWith("sgh_"), host.token());
        assertEquals("host", host.enrollment().getString("mode"));
        assertEquals(name, host.enrollment().getString("name"));
        String console = Fixtures.unique("vm");
        asAdmin(admin).body(Map.of("name", console, "host", name, "tlsPort", 20000 + NET.get() % 1000, "hostSubject", "CN=" + name,
                "password", "static-" + console)).post("/api/v1/admin/consoles").then().statusCode(201);
        return new String[] {host.id(), host.secret(), console, name};
    }

    /** A workstation without an agent at a fresh address (its firewall state is "none"). */
    String plainWorkstation() {
        String address = "10.96.0." + (1 + NET.incrementAndGet() % 250);
        fixtures.workstation("ws", address);
        return address;
    }

    io.restassured.specification.RequestSpecification asAdmin() {
        return asAdmin(admin);
    }

    static io.restassured.specification.RequestSpecification asAdmin(String admin) {
        return Fixtures.as(admin);
    }

    static JsonPath poll(String secret, Long after) {
        var spec = given().header("Authorization", "Bearer " + secret);
        if (after != null) {
            spec = spec.queryParam("after", after);
        }
        return spec.get("/api/agent/v1/tickets").then().statusCode(200).extract().jsonPath();
    }

    static void ack(String secret, long version, List<String> applied, List<Map<String, String>> errors) {
        given().header("Authorization", "Bearer " + secret).contentType("application/json")
                .body(Map.of("version", version, "applied", applied, "errors", errors))
                .post("/api/agent/v1/tickets/ack").then().statusCode(204);
    }

    /** The launch file, asked for from the workstation the session was opened from (the only place it is served). */
    static ExtractableResponse<Response> vv(String user, String url) {
        String id = url.replaceAll(".*/sessions/([^/]+)/console\\.vv$", "$1");
        String source = Db.strings("select source_address from console_session where id = ?", java.util.UUID.fromString(id)).get(0);
        return given().auth().preemptive().basic(user, Fixtures.PASSWORD).header("X-Forwarded-For", source).get(url)
                .then().extract();
    }

    static String password(String vv) {
        return vv.lines().filter(l -> l.startsWith("password=")).findFirst().orElseThrow().substring("password=".length());
    }

    @Test
    void aHostIsEnrolledWithItsOwnKindOfToken() {
        String name = Fixtures.unique("kvm");
        ExtractableResponse<Response> created = asAdmin().body(Map.of("name", name, "address", "10.97.1.1"))
                .post("/api/v1/admin/hosts").then().statusCode(201).body("name", equalTo(name))
                .body("address", equalTo("10.97.1.1")).body("enrollmentToken", startsWith("sgh_")).extract();
        String token = created.path("enrollmentToken");
        String secret = given().contentType("application/json").body(Map.of("token", token, "hostname", "kvm1"))
                .post("/api/agent/v1/enroll").then().statusCode(200).body("mode", equalTo("host")).extract().path("secret");
        given().contentType("application/json").body(Map.of("token", token, "hostname", "kvm1"))
                .post("/api/agent/v1/enroll").then().statusCode(401).body("error", containsString("ask the administrator"));
        asAdmin().get("/api/v1/admin/hosts/" + created.path("id")).then().statusCode(200).body("enrolled", equalTo(true))
                .body("agentHostname", equalTo("kvm1")).body(org.hamcrest.Matchers.not(containsString(token)));
        assertEquals(0, Db.count("select count(*) from audit_event where detail like ? or detail like ?", "%" + token + "%",
                "%" + secret + "%"));

        // each secret opens only its own kind of long-poll
        poll(secret, null);
        given().header("Authorization", "Bearer " + secret).get("/api/agent/v1/grants").then().statusCode(401);
        Fixtures.Enrolled ws = Fixtures.enrolledWorkstation(admin,
                Map.of("name", Fixtures.unique("ws"), "addresses", List.of("10.96.9.9")), "w");
        assertEquals("workstation", ws.enrollment().getString("mode"));
        String wsSecret = ws.secret();
        given().header("Authorization", "Bearer " + wsSecret).get("/api/agent/v1/tickets").then().statusCode(401);

        // a new token locks the enrolled agent out
        String fresh = asAdmin().post("/api/v1/admin/hosts/" + created.path("id") + "/enrollment").then().statusCode(201)
                .body("enrollmentToken", startsWith("sgh_")).extract().path("enrollmentToken");
        given().header("Authorization", "Bearer " + secret).get("/api/agent/v1/tickets").then().statusCode(401);
        given().contentType("application/json").body(Map.of("token", fresh, "hostname", "kvm1"))
                .post("/api/agent/v1/enroll").then().statusCode(200).body("mode", equalTo("host"));
        String user = fixtures.user("plain");
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).contentType("application/json")
                .post("/api/v1/admin/hosts/" + created.path("id") + "/enrollment")
                .then().statusCode(403);
    }

    @Test
    void theLongPollWakesWithAFreshTicketAndCarriesWhatTheHostGuards() throws Exception {
        String[] host = guardedHost();
        String user = fixtures.user("tk");
        fixtures.rule(host[2]).user(user).save();
        String address = plainWorkstation();
        // an enrolled workstation is admitted by the host's firewall, one without an agent is not
        ExtractableResponse<Response> enrolledWs = asAdmin().body(Map.of("name", Fixtures.unique("ws"), "addresses", List.of("10.95.0.7")))
                .post("/api/v1/admin/workstations").then().statusCode(201).extract();
        JsonPath before = poll(host[1], null);
        assertFalse(before.getList("allowed").contains("10.95.0.7"), "not enrolled yet");
        given().contentType("application/json").body(Map.of("token", enrolledWs.path("enrollmentToken"), "hostname", "w"))
                .post("/api/agent/v1/enroll").then().statusCode(200);
        JsonPath first = poll(host[1], before.getLong("version"));
        assertTrue(first.getLong("version") > before.getLong("version"), "an enrollment bumps every host");
        assertTrue(first.getList("allowed").contains("10.95.0.7"));
        assertFalse(first.getList("allowed").contains(address), "a workstation without an agent stays out");
        assertEquals(1, first.getList("ports").size());
        assertEquals(List.of(), first.getList("tickets"));
        assertEquals(90, first.getInt("leaseSeconds"));

        long v = first.getLong("version");
        long started = System.nanoTime();
        CompletableFuture<JsonPath> waiting = CompletableFuture.supplyAsync(() -> poll(host[1], v));
        Thread.sleep(500);
        assertFalse(waiting.isDone(), "nothing changed yet: the poll is held");
        ExtractableResponse<Response> opened = AgentApiTest.openFrom(address, user, host[2]);
        assertEquals(201, opened.statusCode(), opened.asString());
        assertEquals("pending", opened.path("ticket"));
        assertEquals("none", opened.path("firewall"));
        JsonPath woke = waiting.get(25, TimeUnit.SECONDS);
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 25, "the open woke the poll");
        assertTrue(woke.getLong("version") > v);
        assertEquals(1, woke.getList("tickets").size());
        assertEquals(opened.path("id").toString(), woke.getString("tickets[0].session"));
        assertEquals(host[2], woke.getString("tickets[0].console"));
        assertTrue(woke.getString("tickets[0].password").length() >= 16);
        assertEquals(8L * 3600, woke.getLong("tickets[0].seconds"), "never longer than the session");

        // acked: no longer listed
        ack(host[1], woke.getLong("version"), List.of(opened.path("id").toString()), List.of());
        assertEquals(List.of(), poll(host[1], null).getList("tickets"));
        assertTrue(Db.auditOf(user).stream().anyMatch(r -> r.startsWith("TICKET_SET|" + host[3])));
    }

    @Test
    void parkedPollsOfADeletedHostAre401NotAnError() throws Exception {
        String[] host = guardedHost();
        String console = Db.strings("select id::text from console where name = ?", host[2]).get(0);
        asAdmin().delete("/api/v1/admin/consoles/" + console).then().statusCode(204); // a host with consoles stays
        long after = poll(host[1], null).getLong("version");
        AgentApiTest.parkedPollsAre401After("/api/agent/v1/tickets", host[1], after,
                () -> asAdmin().delete("/api/v1/admin/hosts/" + host[0]).then().statusCode(204));
    }

    @Test
    void theLaunchFileWaitsForTheHostsAckAndCarriesTheOneTimePassword() {
        String[] host = guardedHost();
        String user = fixtures.user("vv");
        fixtures.rule(host[2]).user(user).save();
        ExtractableResponse<Response> opened = AgentApiTest.openFrom(plainWorkstation(), user, host[2]);
        String url = opened.path("vvUrl");
        ExtractableResponse<Response> waiting = vv(user, url);
        assertEquals(503, waiting.statusCode());
        assertEquals("1", waiting.header("Retry-After"));
        assertTrue(waiting.path("error").toString().contains("is setting a one-time password"), waiting.asString());

        JsonPath set = poll(host[1], null);
        String ticket = set.getString("tickets[0].password");
        ack(host[1], set.getLong("version"), List.of(opened.path("id").toString()), List.of());
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).get("/api/v1/sessions/" + opened.path("id"))
                .then().body("ticket", equalTo("ready"));
        ExtractableResponse<Response> served = vv(user, url);
        assertEquals(200, served.statusCode(), served.asString());
        assertEquals(ticket, password(served.asString()));
        assertFalse(served.asString().contains("static-"), "not the console's static password");
        assertEquals(410, vv(user, url).statusCode());
        assertEquals(0, Db.count("select count(*) from console_session where ticket_password is not null and id = ?::uuid",
                opened.path("id").toString()), "served once: the password is forgotten");
    }

    @Test
    void bothAgentsMustAck() {
        String[] host = guardedHost();
        String user = fixtures.user("both");
        fixtures.rule(host[2]).user(user).save();
        String address = "10.94.0." + (1 + NET.incrementAndGet() % 250);
        String wsSecret = Fixtures.enrolledWorkstation(admin,
                Map.of("name", Fixtures.unique("ws"), "addresses", List.of(address)), "w").secret();
        ExtractableResponse<Response> opened = AgentApiTest.openFrom(address, user, host[2]);
        String id = opened.path("id").toString();
        JsonPath tickets = poll(host[1], null);
        ack(host[1], tickets.getLong("version"), List.of(id), List.of());
        ExtractableResponse<Response> firewall = vv(user, opened.path("vvUrl"));
        assertEquals(503, firewall.statusCode());
        assertTrue(firewall.asString().contains("firewall"), firewall.asString());
        JsonPath grants = AgentApiTest.poll(wsSecret, null);
        AgentApiTest.ack(wsSecret, grants.getLong("version"), List.of(id), List.of());
        assertEquals(200, vv(user, opened.path("vvUrl")).statusCode());
    }

    @Test
    void aReOpenGetsAFreshTicketThatAnOlderAckDoesNotCover() {
        String[] host = guardedHost();
        String user = fixtures.user("re");
        fixtures.rule(host[2]).user(user).save();
        String address = plainWorkstation();
        ExtractableResponse<Response> opened = AgentApiTest.openFrom(address, user, host[2]);
        String id = opened.path("id").toString();
        JsonPath first = poll(host[1], null);
        ExtractableResponse<Response> reopened = AgentApiTest.openFrom(address, user, host[2]);
        assertEquals(id, reopened.path("id").toString());
        JsonPath second = poll(host[1], first.getLong("version"));
        assertNotEquals(first.getString("tickets[0].password"), second.getString("tickets[0].password"));
        ack(host[1], first.getLong("version"), List.of(id), List.of()); // the agent set the first password only
        assertEquals(503, vv(user, opened.path("vvUrl")).statusCode());
        ack(host[1], second.getLong("version"), List.of(id), List.of());
        ExtractableResponse<Response> served = vv(user, opened.path("vvUrl"));
        assertEquals(200, served.statusCode());
        assertEquals(second.getString("tickets[0].password"), password(served.asString()));
    }

    @Test
    void anAgentErrorAndASilentAgentReachTheUser() {
        String[] host = guardedHost();
        String user = fixtures.user("err");
        fixtures.rule(host[2]).user(user).save();
        String address = plainWorkstation();
        ExtractableResponse<Response> opened = AgentApiTest.openFrom(address, user, host[2]);
        JsonPath set = poll(host[1], null);
        String ticket = set.getString("tickets[0].password");
        // a careless agent echoes the password in its error: the portal masks it
        ack(host[1], set.getLong("version"), List.of(), List.of(Map.of("session", opened.path("id").toString(),
                "error", "console " + host[2] + " is not configured on this host (passwd='" + ticket + "')")));
        ExtractableResponse<Response> refused = vv(user, opened.path("vvUrl"));
        assertEquals(409, refused.statusCode());
        assertTrue(refused.asString().contains("is not configured on this host"), refused.asString());
        assertFalse(refused.asString().contains(ticket), refused.asString());
        assertTrue(Db.auditOf(user).stream().anyMatch(r -> r.startsWith("TICKET_FAILED") && r.contains("passwd='***'")));
        assertFalse(Db.auditOf(user).stream().anyMatch(r -> r.contains(ticket)));

        String other = fixtures.user("slow");
        fixtures.rule(host[2]).user(other).save();
        String otherConsole = host[2];
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).delete("/api/v1/sessions/" + opened.path("id")).then().statusCode(200);
        ExtractableResponse<Response> slow = AgentApiTest.openFrom(address, other, otherConsole);
        clock.advance(Duration.ofSeconds(11));
        ExtractableResponse<Response> late = vv(other, slow.path("vvUrl"));
        assertEquals(503, late.statusCode());
        assertTrue(late.asString().contains("has not set the one-time password"), late.asString());
    }

    @Test
    void aConsoleOnAHostWithoutAnAgentKeepsItsStaticPassword() {
        String user = fixtures.user("static");
        String console = fixtures.console("vm"); // on the demo host mysrv, which has no agent
        fixtures.rule(console).user(user).save();
        ExtractableResponse<Response> opened = AgentApiTest.openFrom(plainWorkstation(), user, console);
        assertEquals("none", opened.path("ticket"));
        ExtractableResponse<Response> served = vv(user, opened.path("vvUrl"));
        assertEquals(200, served.statusCode());
        assertEquals("secret-" + console, password(served.asString()));
    }

    @Test
    void theOneTimePasswordIsNeverLoggedNorAudited() {
        List<String> lines = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = record.getMessage();
                if (record.getParameters() != null) {
                    for (Object p : record.getParameters()) {
                        message += " " + p;
                    }
                }
                synchronized (lines) {
                    lines.add(message + (record.getThrown() == null ? "" : " " + record.getThrown()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        Logger ours = Logger.getLogger("io.spicegate");
        java.util.logging.Level level = ours.getLevel();
        ours.setLevel(java.util.logging.Level.ALL); // the test profile quiets the audit log: hear everything here
        Logger audit = Logger.getLogger("io.spicegate.audit");
        java.util.logging.Level auditLevel = audit.getLevel();
        audit.setLevel(java.util.logging.Level.ALL);
        String ticket;
        try {
            String[] host = guardedHost();
            String user = fixtures.user("secret");
            fixtures.rule(host[2]).user(user).save();
            ExtractableResponse<Response> opened = AgentApiTest.openFrom(plainWorkstation(), user, host[2]);
            JsonPath set = poll(host[1], null);
            ticket = set.getString("tickets[0].password");
            ack(host[1], set.getLong("version"), List.of(opened.path("id").toString()), List.of());
            assertEquals(ticket, password(vv(user, opened.path("vvUrl")).asString()));
            given().auth().preemptive().basic(user, Fixtures.PASSWORD).delete("/api/v1/sessions/" + opened.path("id"))
                    .then().statusCode(200);
        } finally {
            root.removeHandler(capture);
            ours.setLevel(level);
            audit.setLevel(auditLevel);
        }
        synchronized (lines) {
            assertTrue(lines.stream().anyMatch(l -> l.contains("TICKET_SET")), "the capture saw the portal's log: " + lines);
            assertFalse(lines.stream().anyMatch(l -> l.contains(ticket)), "the one-time password in the log");
        }
        assertEquals(0, Db.count("select count(*) from audit_event where coalesce(detail, '') || coalesce(actor, '') "
                + "|| coalesce(source, '') like ?", "%" + ticket + "%"));
        assertEquals(0, Db.count("select count(*) from console_session where ticket_password = ?", ticket));
    }
}
