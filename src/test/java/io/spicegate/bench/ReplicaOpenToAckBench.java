package io.spicegate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.ExternalPostgres;
import io.spicegate.testing.PortalProcess;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark (bench profile, not CI): Open console → agent ack with 1 000 agents long-polling two portal replicas
 * (500 each) on one external PostgreSQL. The measuring agent polls replica B; the user opens on replica A (the
 * wake-up crosses replicas through PostgreSQL NOTIFY) and, in the same run, on replica B (same replica) for
 * comparison. Time from the user's POST to the portal's answer to the agent's ack, as in OpenToAckBench.
 */
class ReplicaOpenToAckBench {

    static final int OPENS = 200;
    static final int IDLE = 1000;

    @Test
    void openToAckAcrossReplicas() throws Exception {
        try (ExternalPostgres pg = ExternalPostgres.start()) {
            String db = pg.database("spicegate");
            Map<String, String> env = pg.portalEnv(db);
            env.put("QUARKUS_LOG_CATEGORY__IO_SPICEGATE_AUDIT__LEVEL", "WARN");
            try (PortalProcess a = PortalProcess.start("bench-replica-a", env);
                 PortalProcess b = PortalProcess.start("bench-replica-b", env);
                 Connection sql = pg.connect(db)) {
                Api admin = Api.basic(a.base, "admin", "first-admin-pw");
                admin.post("/api/v1/admin/hosts", Map.of("name", "kvm", "address", "127.0.0.1")).expect(201);
                admin.post("/api/v1/admin/consoles", Map.of("name", "vm1", "host", "kvm", "tlsPort", 23001)).expect(201);
                admin.post("/api/v1/admin/users", Map.of("username", "carol", "password", "carol-password",
                        "roles", List.of("user"))).expect(201);
                admin.post("/api/v1/admin/rules", Map.of("console", "vm1", "user", "carol", "zone", "Europe/Berlin",
                        "windows", List.of(Map.of("days", List.of("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY",
                                "SATURDAY", "SUNDAY"), "from", "00:00", "to", "00:00")))).expect(201);
                BenchSupport.seedAgents(sql, "measured", "sga_measured_", 1, "10.123.");
                BenchSupport.seedAgents(sql, "idle", "sga_idle_", IDLE, "10.124.");

                AtomicBoolean stop = new AtomicBoolean();
                HttpClient idleClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .executor(Executors.newFixedThreadPool(4)).build();
                AtomicLong answered = new AtomicLong();
                AtomicLong failed = new AtomicLong();
                for (int i = 0; i < IDLE; i++) {
                    IdleAgentsBench.poll(idleClient, i % 2 == 0 ? a.base : b.base, "sga_idle_" + i, 0, null, stop,
                            answered, failed);
                }
                Thread.sleep(10_000);
                System.out.printf("parked: replica A %.0f, replica B %.0f%n",
                        BenchSupport.metricSum(a, "spicegate_agent_polls_parked", null),
                        BenchSupport.metricSum(b, "spicegate_agent_polls_parked", null));
                String cookieA = BenchSupport.login(a.base, "carol", "carol-password");
                String cookieB = BenchSupport.login(b.base, "carol", "carol-password");
                String cross = run(a.base, cookieA, b.base, "sga_measured_0", "open on A, agent polls B");
                String same = run(b.base, cookieB, b.base, "sga_measured_0", "open on B, agent polls B");
                stop.set(true);
                System.out.println("\n=== Open console -> agent ack, " + IDLE + " agents polling 2 replicas (" + OPENS
                        + " opens each) ===");
                System.out.println(cross);
                System.out.println(same);
            }
        }
    }

    /** OPENS times: open on openBase; the agent, polling pollBase, gets the grant and acks; time until the ack answer. */
    static String run(String openBase, String cookie, String pollBase, String secret, String label) throws Exception {
        Api agent = Api.bearer(pollBase, secret);
        long version = agent.get("/api/agent/v1/grants").expect(200).json().get("version").asLong();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < OPENS + 20; i++) {
            long v = version;
            CompletableFuture<JsonNode> poll = CompletableFuture.supplyAsync(() ->
                    agent.get("/api/agent/v1/grants?after=" + v, Duration.ofSeconds(60)).expect(200).json());
            Thread.sleep(20); // the poll is parked
            long t0 = System.nanoTime();
            HttpResponse<String> opened = http.send(HttpRequest.newBuilder(URI.create(openBase + "/api/v1/sessions"))
                    .header("Cookie", "spicegate_session=" + cookie).header("Origin", openBase)
                    .header("X-Forwarded-For", "10.123.0.1").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"console\":\"vm1\"}")).build(), HttpResponse.BodyHandlers.ofString());
            if (opened.statusCode() != 201) {
                throw new AssertionError(opened.statusCode() + " " + opened.body());
            }
            JsonNode set = poll.get();
            version = set.get("version").asLong();
            List<String> applied = new ArrayList<>();
            set.get("grants").forEach(g -> applied.add(g.get("session").asText()));
            agent.post("/api/agent/v1/ack", Map.of("version", version, "applied", applied, "errors", List.of())).expect(204);
            long t1 = System.nanoTime();
            if (i >= 20) {
                micros.add((t1 - t0) / 1000);
            }
            String id = Api.JSON.readTree(opened.body()).get("id").asText();
            http.send(HttpRequest.newBuilder(URI.create(openBase + "/api/v1/sessions/" + id))
                            .header("Cookie", "spicegate_session=" + cookie).header("Origin", openBase).DELETE().build(),
                    HttpResponse.BodyHandlers.discarding());
            version = agent.get("/api/agent/v1/grants").expect(200).json().get("version").asLong();
        }
        List<Long> sorted = BenchSupport.sorted(micros);
        return String.format("%-28s p50 %6.1f ms, p99 %6.1f ms, max %6.1f ms", label, BenchSupport.percentile(sorted, 50),
                BenchSupport.percentile(sorted, 99), sorted.get(sorted.size() - 1) / 1000.0);
    }
}
