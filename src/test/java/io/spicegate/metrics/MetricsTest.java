package io.spicegate.metrics;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.Management;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.UserTransaction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What operators scrape: the domain gauges and the failed-login counter on /q/metrics (management port), and Swagger UI in prod. */
@QuarkusTest
class MetricsTest {

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @Inject
    DomainMetrics metrics;

    @Inject
    EntityManager em;

    @Inject
    UserTransaction tx;

    String admin;

    @BeforeEach
    void setUp() {
        clock.berlin("2026-11-23T10:00");
        admin = fixtures.user("root", false, true);
    }

    @TestHTTPResource("/")
    URL app;

    @Test
    void addressesAsSentNeverBecomeUriLabels() throws Exception {
        // an agent's poll spelled oddly (it is routed all the same), and 4xx answers for addresses as sent
        Fixtures.Enrolled ws = Fixtures.enrolledWorkstation(admin, java.util.Map.of("name", Fixtures.unique("ws"),
                "addresses", List.of("10.98.201." + (1 + (int) (Math.random() * 250)))), "metrics-host");
        long version = io.restassured.RestAssured.given().header("Authorization", "Bearer " + ws.secret())
                .get("/api/agent/v1/grants").then().statusCode(200).extract().jsonPath().getLong("version");
        for (String odd : List.of("/api/agent//v1/grants", "/api/agent/v1/gr%61nts", "/api/agent/./v1/grants")) {
            String answer = raw(odd + "?after=" + version + "&wait=1", "Authorization: Bearer " + ws.secret());
            assertTrue(answer.startsWith("HTTP/1.1 200"), odd + ": " + answer);
        }
        for (int i = 0; i < 5; i++) {
            raw("/zz" + i + "%ZZ");
            raw("/api/v1/zz" + i);
            raw("/api/v1//consoles?x=" + i);
        }
        String text = Management.given(management).get("/q/metrics").then().statusCode(200).extract().asString();
        List<String> labels = text.lines().filter(l -> l.startsWith("http_server_requests_seconds_count"))
                .map(l -> l.replaceAll(".*uri=\"([^\"]*)\".*", "$1")).distinct().toList();
        for (String label : labels) {
            assertFalse(label.contains("zz") || label.contains("//") || label.contains("%") || label.contains("/./")
                    || label.startsWith("/api/agent/v1/grants"), "an address as sent became a label: " + label + " in " + labels);
        }
    }

    /** A GET sent as written (no client re-encodes it); the answer's text. */
    private String raw(String target, String... headers) throws java.io.IOException {
        StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
        for (String h : headers) {
            request.append(h).append("\r\n");
        }
        try (java.net.Socket socket = new java.net.Socket("localhost", app.getPort())) {
            socket.getOutputStream().write(request.append("\r\n").toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyDomainMetricIsExposed() {
        String text = Management.given(management).get("/q/metrics").then().statusCode(200).extract().asString();
        for (String name : List.of("spicegate_sessions_active", "spicegate_grants_awaiting_ack",
                "spicegate_agents_oldest_seen_seconds", "spicegate_agents_stale", "spicegate_approvals_pending",
                "spicegate_agent_polls_parked", "spicegate_logins_failed_total{method=\"basic\"}",
                "spicegate_logins_failed_total{method=\"form\"}", "jvm_memory_used_bytes", "process_cpu_usage",
                "agroal_active_count")) {
            assertTrue(text.contains(name), name + " is missing from /q/metrics");
        }
    }

    @Test
    void aFailedLoginCountsOnce() {
        double before = scrape("spicegate_logins_failed_total{method=\"basic\"}");
        given().auth().preemptive().basic(admin, "not-the-password").get("/api/v1/consoles").then().statusCode(401);
        assertEquals(before + 1, scrape("spicegate_logins_failed_total{method=\"basic\"}"));
    }

    @Test
    void sessionsWaitingForTheirAgentAndStaleAgentsAreCounted() throws Exception {
        String user = fixtures.user("metered");
        String console = fixtures.console("metered");
        fixtures.rule(console).user(user).save();
        String address = "10.97.0." + (1 + (int) (Math.random() * 250));
        ExtractableResponse<Response> created = given().auth().preemptive().basic(admin, Fixtures.PASSWORD)
                .contentType("application/json").body(Map.of("name", Fixtures.unique("ws"), "addresses", List.of(address)))
                .post("/api/v1/admin/workstations").then().statusCode(201).extract();
        given().contentType("application/json").body(Map.of("token", created.path("enrollmentToken"), "hostname", "h"))
                .post("/api/agent/v1/enroll").then().statusCode(200);
        DomainMetrics.Figures before = read();

        given().auth().preemptive().basic(user, Fixtures.PASSWORD).header("X-Forwarded-For", address)
                .contentType("application/json").body(Map.of("console", console)).post("/api/v1/sessions")
                .then().statusCode(201).body("firewall", containsString("pending"));
        // the agent was last seen an hour ago: past its 90 s lease
        Db.update("update workstation set last_seen_at = ? where id = ?",
                Timestamp.from(clock.instant().minusSeconds(3600)), ((Number) created.path("id")).longValue());
        DomainMetrics.Figures after = read();

        assertEquals(before.activeSessions() + 1, after.activeSessions());
        assertEquals(before.awaitingAck() + 1, after.awaitingAck());
        assertEquals(before.staleAgents() + 1, after.staleAgents());
        assertTrue(after.oldestAgentSeenSeconds() >= 3600, "oldest agent seen " + after.oldestAgentSeenSeconds() + " s ago");

        // the scheduled refresh publishes the same figures
        QuarkusTransaction.requiringNew().run(metrics::refresh);
        assertEquals(after.activeSessions(), scrape("spicegate_sessions_active"));
        assertEquals(after.staleAgents(), scrape("spicegate_agents_stale"));
    }

    /** The requests table arrives with the off-hours feature (V3): counted where it exists, 0 where it does not. */
    @Test
    void pendingApprovalsOnlyWhereTheRequestsTableExists() throws Exception {
        boolean installed = Db.count("select count(*) from pg_class where relname = 'access_request' "
                + "and relnamespace = 'public'::regnamespace") > 0;
        if (installed) {
            // the real table (issue 4): the gauge counts exactly its PENDING rows
            assertEquals(Db.count("select count(*) from access_request where state = 'PENDING'"), read().pendingApprovals());
            return;
        }
        assertEquals(0, read().pendingApprovals());
        // a stand-in table that lives only in this transaction shadows (or stands for) the real one
        tx.begin();
        try {
            em.createNativeQuery("create temp table access_request (state varchar(9)) on commit drop").executeUpdate();
            em.createNativeQuery("insert into access_request values ('PENDING'), ('PENDING'), ('APPROVED')").executeUpdate();
            assertEquals(2, metrics.read(clock.instant()).pendingApprovals());
        } finally {
            tx.rollback();
        }
    }

    @Test
    void swaggerUiIsServedInProduction() {
        given().get("/q/swagger-ui").then().statusCode(200).body(containsString("swagger"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/agent/v1/grants"));
    }

    DomainMetrics.Figures read() {
        return QuarkusTransaction.requiringNew().call(() -> metrics.read(clock.instant()));
    }

    double scrape(String series) {
        String text = Management.given(management).get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(text);
        if (!m.find()) {
            throw new AssertionError(series + " not found in /q/metrics");
        }
        return Double.parseDouble(m.group(1));
    }
}
