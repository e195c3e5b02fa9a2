package io.spicegate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.ExternalPostgres;
import io.spicegate.testing.PortalProcess;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Benchmark (bench profile, not CI): Open console → agent ack, p50/p99, with 1 and with 1 000 agents
 * long-polling one packaged portal on an external PostgreSQL with 2 000 consoles and 20 000 rules. Agents are simulated over HTTP exactly as the real agent speaks (poll,
 * ack at once); the measured time is from the user's POST /api/v1/sessions to the portal's answer to the
 * agent's ack, i.e. what a user waits before the launch file is served.
 */
class OpenToAckBench {

    static final int OPENS = 200;
    static final String CONSOLE = "c-0000";

    @Test
    void openToAck() throws Exception {
        try (ExternalPostgres pg = ExternalPostgres.start()) {
            String db = pg.database("spicegate");
            Map<String, String> env = pg.portalEnv(db);
            env.put("QUARKUS_LOG_CATEGORY__IO_SPICEGATE_AUDIT__LEVEL", "WARN");
            try (PortalProcess portal = PortalProcess.start("bench-portal", BenchSupport.profiled(env, "open-to-ack"));
                 Connection sql = pg.connect(db)) {
                Api admin = Api.basic(portal.base, "admin", "first-admin-pw");
                admin.post("/api/v1/admin/users", Map.of("username", "bench", "password", "bench-password",
                        "roles", List.of("user"))).expect(201);
                // the fleet of issue 17: 2 000 consoles, the user in 50 groups, 20 000 rules; every poll answer and
                // every open is decided against it. The measured console is open to the user all week.
                MyConsolesBench.seed(sql);
                admin.post("/api/v1/admin/rules", Map.of("console", CONSOLE, "user", "bench", "zone", "Europe/Berlin",
                        "windows", List.of(Map.of("days", List.of("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY",
                                "SATURDAY", "SUNDAY"), "from", "00:00", "to", "00:00")))).expect(201);
                String measured = enroll(admin, portal, "bench-ws", "10.123.0.1");
                String cookie = login(portal.base, "bench", "bench-password");
                List<String> results = new ArrayList<>();
                results.add(run(portal, measured, cookie, 0));
                List<String> idleSecrets = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    idleSecrets.add(enroll(admin, portal, "idle-" + i, "10.124." + (i / 250) + "." + (1 + i % 250)));
                }
                AtomicBoolean stop = new AtomicBoolean();
                HttpClient idleClient = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(4)).build();
                for (String s : idleSecrets) {
                    idlePoll(idleClient, portal.base, s, 0, stop);
                }
                Thread.sleep(5000); // every idle agent is now parked in a long-poll
                results.add(run(portal, measured, cookie, idleSecrets.size()));
                stop.set(true);
                System.out.println("\n=== Open console -> agent ack (" + OPENS + " opens each; 2 000 consoles, 20 000 rules) ===");
                results.forEach(System.out::println);
            }
        }
    }

    /** OPENS times: open, the measuring agent receives the grant and acks; the time until that ack is answered. */
    static String run(PortalProcess portal, String secret, String cookie, int idle) throws Exception {
        Api agent = Api.bearer(portal.base, secret);
        long version = agent.get("/api/agent/v1/grants").expect(200).json().get("version").asLong();
        HttpClient http = HttpClient.newHttpClient();
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < OPENS + 20; i++) {
            long v = version;
            CompletableFuture<JsonNode> poll = CompletableFuture.supplyAsync(() ->
                    agent.get("/api/agent/v1/grants?after=" + v, Duration.ofSeconds(60)).expect(200).json());
            Thread.sleep(20); // the poll is parked
            long t0 = System.nanoTime();
            HttpResponse<String> opened = http.send(HttpRequest.newBuilder(URI.create(portal.base + "/api/v1/sessions"))
                    .header("Cookie", "spicegate_session=" + cookie).header("Origin", portal.base)
                    .header("X-Forwarded-For", "10.123.0.1").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"console\":\"" + CONSOLE + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
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
            http.send(HttpRequest.newBuilder(URI.create(portal.base + "/api/v1/sessions/" + id))
                    .header("Cookie", "spicegate_session=" + cookie).header("Origin", portal.base).DELETE().build(),
                    HttpResponse.BodyHandlers.discarding());
            version = agent.get("/api/agent/v1/grants").expect(200).json().get("version").asLong();
        }
        Collections.sort(micros);
        return String.format("%5d idle agents polling: p50 %.1f ms, p99 %.1f ms, max %.1f ms", idle,
                micros.get(micros.size() / 2) / 1000.0, micros.get((int) (micros.size() * 0.99)) / 1000.0,
                micros.get(micros.size() - 1) / 1000.0);
    }

    static void idlePoll(HttpClient http, String base, String secret, long after, AtomicBoolean stop) {
        if (stop.get()) {
            return;
        }
        http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/agent/v1/grants?after=" + after))
                        .header("Authorization", "Bearer " + secret).timeout(Duration.ofSeconds(90)).build(),
                HttpResponse.BodyHandlers.ofString())
                .whenComplete((r, e) -> {
                    long next = after;
                    if (r != null && r.statusCode() == 200) {
                        try {
                            next = Api.JSON.readTree(r.body()).get("version").asLong();
                        } catch (Exception ignored) {
                            // keep the old version
                        }
                    }
                    idlePoll(http, base, secret, next, stop);
                });
    }

    static String enroll(Api admin, PortalProcess portal, String name, String address) {
        String token = admin.post("/api/v1/admin/workstations", Map.of("name", name, "addresses", List.of(address)))
                .expect(201).json().get("enrollmentToken").asText();
        return Api.anonymous(portal.base).post("/api/agent/v1/enroll", Map.of("token", token, "hostname", name))
                .expect(200).json().get("secret").asText();
    }

    static String login(String base, String user, String password) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", base)
                .POST(HttpRequest.BodyPublishers.ofString("username=" + user + "&password="
                        + URLEncoder.encode(password, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
    }
}
