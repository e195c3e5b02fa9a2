package io.spicegate;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.ExternalPostgres;
import io.spicegate.testing.PortalProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two packaged portal replicas on one external PostgreSQL, as on Kubernetes:
 * <ul>
 *   <li>the expiry sweep runs on both (every 5 s each) and still writes exactly one SESSION_EXPIRED audit row per
 *       expired session (UPDATE ... WHERE state = 'ACTIVE' ... RETURNING), with the hash chain intact;</li>
 *   <li>100 agents (simulated over HTTP, each knowing both replicas and switching on a failed request, as the
 *       Service would route them) poll both; replica A is killed with SIGKILL; every agent carries on against B
 *       (all 100 parked there), no grant acknowledged before the kill is lost, and sessions opened on B during the
 *       failover reach their agents and are acknowledged.</li>
 * </ul>
 * Replica B logs JSON (QUARKUS_LOG_CONSOLE_JSON_ENABLED=true), which is checked on the way.
 */
class ReplicaFailoverIT {

    static final int AGENTS = 100;
    static final int EXPIRING = 6;
    static final Pattern EXPIRED_LOG = Pattern.compile("expired (\\d+) console sessions");

    @Test
    void expiryHappensOnceAndAgentsSurviveTheLossOfAReplica() throws Exception {
        try (ExternalPostgres pg = ExternalPostgres.start()) {
            String db = pg.database("spicegate");
            Map<String, String> envA = pg.portalEnv(db);
            envA.put("QUARKUS_LOG_CATEGORY__IO_SPICEGATE_SESSIONS__LEVEL", "DEBUG"); // "expired N console sessions"
            Map<String, String> envB = new HashMap<>(envA);
            envB.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true");
            List<SimAgent> agents = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(AGENTS);
            try (PortalProcess a = PortalProcess.start("failover-a", envA);
                 PortalProcess b = PortalProcess.start("failover-b", envB);
                 Connection sql = pg.connect(db)) {
                Api adminA = Api.basic(a.base, "admin", "first-admin-pw");
                adminA.post("/api/v1/admin/hosts", Map.of("name", "kvm", "address", "127.0.0.1")).expect(201);
                for (String user : List.of("carol", "eve")) {
                    adminA.post("/api/v1/admin/users", Map.of("username", user, "password", user + "-password",
                            "roles", List.of("user"))).expect(201);
                }
                for (int i = 0; i < EXPIRING; i++) {
                    adminA.post("/api/v1/admin/consoles", Map.of("name", "exp-" + i, "host", "kvm", "tlsPort", 24000 + i)).expect(201);
                    adminA.post("/api/v1/admin/rules", rule("exp-" + i, "eve", 1)).expect(201);
                }
                for (int i = 0; i < 30; i++) {
                    adminA.post("/api/v1/admin/consoles", Map.of("name", "fo-" + i, "host", "kvm", "tlsPort", 25000 + i)).expect(201);
                    adminA.post("/api/v1/admin/rules", rule("fo-" + i, "carol", null)).expect(201);
                }
                seedWorkstations(sql);

                // eve's sessions end after the rule's 1 minute, opened on both replicas
                List<String> expiring = new ArrayList<>();
                for (int i = 0; i < EXPIRING; i++) {
                    PortalProcess via = i % 2 == 0 ? a : b;
                    expiring.add(Api.basic(via.base, "eve", "eve-password").from("10.61.0." + (i + 1))
                            .post("/api/v1/sessions", Map.of("console", "exp-" + i)).expect(201).json().get("id").asText());
                }
                long expiringOpened = System.nanoTime();

                // 100 agents, half starting on each replica
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(3)).build();
                for (int i = 0; i < AGENTS; i++) {
                    SimAgent agent = new SimAgent(http, "sga_it_" + i, i % 2 == 0 ? List.of(a.base, b.base) : List.of(b.base, a.base));
                    agents.add(agent);
                    pool.submit(agent);
                }
                await(Duration.ofSeconds(60), () -> agents.stream().allMatch(ag -> ag.version > 0), "every agent polled once");

                // grants for workstations 0..19, opened on A and on B, acknowledged by their agents
                List<String> before = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    before.add(open(i < 10 ? a : b, i));
                }
                await(Duration.ofSeconds(60), () -> unacked(sql, before) == 0, "the agents acknowledged 20 grants");

                // the sweep on both replicas: one audit row per expired session
                await(Duration.ofSeconds(150), () -> count(sql, "select count(*) from console_session where state = 'EXPIRED'") == EXPIRING,
                        "eve's sessions expired");
                Thread.sleep(11_000); // at least two more sweeps on each replica
                System.out.printf("%d sessions expired %d s after they were opened%n", EXPIRING,
                        Duration.ofNanos(System.nanoTime() - expiringOpened).toSeconds());
                for (String id : expiring) {
                    assertEquals(1, count(sql, "select count(*) from audit_event where action = 'SESSION_EXPIRED' and session_id = '"
                            + id + "'"), "one SESSION_EXPIRED row for " + id);
                }
                assertEquals(EXPIRING, count(sql, "select count(*) from audit_event where action = 'SESSION_EXPIRED'"));
                int byA = expiredInLog(a.logText());
                int byB = expiredInLog(b.logText());
                System.out.println("expired by replica A: " + byA + ", by replica B: " + byB);
                assertEquals(EXPIRING, byA + byB, "each expiry was done by exactly one replica");
                assertEquals(true, adminA.get("/api/v1/admin/audit/verify").expect(200).json().get("ok").asBoolean());
                assertJsonLog(b.logText());

                // kill -9 replica A while the agents poll
                Map<SimAgent, Long> versionsBefore = new HashMap<>();
                agents.forEach(ag -> versionsBefore.put(ag, ag.version));
                long killed = System.nanoTime();
                Process kill = new ProcessBuilder("kill", "-9", Long.toString(a.pid())).start();
                assertEquals(0, kill.waitFor());
                a.kill(); // waits until it is gone
                List<String> during = new ArrayList<>();
                for (int i = 20; i < 30; i++) {
                    during.add(open(b, i));
                }
                await(Duration.ofSeconds(60), () -> unacked(sql, during) == 0, "grants opened on B during the failover acknowledged");
                long acked = System.nanoTime();
                await(Duration.ofSeconds(60), () -> parkedOn(b) == AGENTS, "all " + AGENTS + " agents parked on replica B");
                System.out.printf("after kill -9 of replica A: 10 new grants acked in %d ms, all %d agents parked on B in %d ms "
                                + "(%d failovers)%n", Duration.ofNanos(acked - killed).toMillis(), AGENTS,
                        Duration.ofNanos(System.nanoTime() - killed).toMillis(), agents.stream().mapToInt(ag -> ag.failovers.get()).sum());

                // no grant lost: every agent holds exactly the sessions of its workstation, at the database's version
                for (int i = 0; i < AGENTS; i++) {
                    SimAgent ag = agents.get(i);
                    Set<String> expected = new HashSet<>(strings(sql, "select s.id::text from console_session s join workstation w "
                            + "on w.id = s.workstation_id where w.name = 'ws-" + i + "' and s.state = 'ACTIVE'"));
                    assertEquals(expected, ag.grants, "agent " + i + " holds its workstation's grants");
                    assertEquals(count(sql, "select grant_version from workstation where name = 'ws-" + i + "'"), ag.version,
                            "agent " + i + " is at its workstation's version");
                }
                assertEquals(0, unacked(sql, before), "grants acknowledged before the kill stay acknowledged");
                assertEquals(30, count(sql, "select count(*) from console_session where state = 'ACTIVE'"));
            } finally {
                agents.forEach(SimAgent::stop);
                pool.shutdownNow();
                pool.awaitTermination(20, TimeUnit.SECONDS);
            }
        }
    }

    static Map<String, Object> rule(String console, String user, Integer maxMinutes) {
        Map<String, Object> r = new HashMap<>(Map.of("console", console, "user", user, "zone", "Europe/Berlin",
                "windows", List.of(Map.of("days", List.of("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY",
                        "SATURDAY", "SUNDAY"), "from", "00:00", "to", "00:00"))));
        if (maxMinutes != null) {
            r.put("maxMinutes", maxMinutes);
        }
        return r;
    }

    /** Workstations ws-0..99 (10.60.0.1..100) with enrolled agents whose secret is sga_it_<n>; desk-0..5 without. */
    static void seedWorkstations(Connection sql) throws SQLException {
        try (Statement st = sql.createStatement()) {
            st.execute("""
                    insert into workstation (name, secret_hash, enrolled_at, last_seen_at)
                    select 'ws-' || n, encode(sha256(convert_to('sga_it_' || n, 'UTF8')), 'hex'), now(), now()
                    from generate_series(0, 99) n""");
            st.execute("insert into workstation (name) select 'desk-' || n from generate_series(0, 5) n");
            st.execute("""
                    insert into workstation_address (workstation_id, cidr)
                    select id, case when name like 'ws-%' then '10.60.0.' || (substring(name from 4)::int + 1)
                                    else '10.61.0.' || (substring(name from 6)::int + 1) end
                    from workstation""");
        }
    }

    /** carol opens fo-<n> from workstation ws-<n> on this replica. */
    static String open(PortalProcess via, int n) {
        return Api.basic(via.base, "carol", "carol-password").from("10.60.0." + (n + 1))
                .post("/api/v1/sessions", Map.of("console", "fo-" + n)).expect(201).json().get("id").asText();
    }

    static long unacked(Connection sql, List<String> sessions) {
        return count(sql, "select count(*) from console_session where grant_applied_at is null and id::text in ('"
                + String.join("','", sessions) + "')");
    }

    static long parkedOn(PortalProcess p) {
        Matcher m = Pattern.compile("(?m)^spicegate_agent_polls_parked ([0-9.]+)$")
                .matcher(Api.anonymous(p.management).get("/q/metrics").expect(200).body());
        return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
    }

    static int expiredInLog(String log) {
        int n = 0;
        Matcher m = EXPIRED_LOG.matcher(log);
        while (m.find()) {
            n += Integer.parseInt(m.group(1));
        }
        return n;
    }

    /** Replica B's log lines are JSON objects (level, logger, message), the startup line included. */
    static void assertJsonLog(String log) throws IOException {
        int json = 0;
        for (String line : log.lines().toList()) {
            if (line.startsWith("{")) {
                JsonNode n = Api.JSON.readTree(line);
                assertTrue(n.has("level") && n.has("loggerName") && n.has("message"), line);
                json++;
            } else {
                assertTrue(!line.contains(" INFO ") && !line.contains(" WARN ") && !line.contains(" ERROR "), "a plain log line: " + line);
            }
        }
        assertTrue(json > 3, "JSON log lines: " + json);
    }

    static long count(Connection sql, String query) {
        return Long.parseLong(strings(sql, query).get(0));
    }

    static List<String> strings(Connection sql, String query) {
        try (PreparedStatement ps = sql.prepareStatement(query); ResultSet rs = ps.executeQuery()) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static void await(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
            }
            Thread.sleep(200);
        }
    }

    /**
     * An agent as the real one speaks: long-poll with the last acknowledged version, ack what it got; on a failed
     * request or a 503 it moves to its next portal URL. The version moves on only once the ack went through, so an
     * ack lost with a dying replica is repeated against the other.
     */
    static final class SimAgent implements Runnable {
        final HttpClient http;
        final String secret;
        final List<String> urls;
        final AtomicInteger failovers = new AtomicInteger();
        volatile long version;
        volatile Set<String> grants = Set.of();
        volatile boolean stopped;
        int current;

        SimAgent(HttpClient http, String secret, List<String> urls) {
            this.http = http;
            this.secret = secret;
            this.urls = urls;
        }

        @Override
        public void run() {
            while (!stopped && !Thread.currentThread().isInterrupted()) {
                String base = urls.get(current);
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/agent/v1/grants?after=" + version))
                            .header("Authorization", "Bearer " + secret).timeout(Duration.ofSeconds(45)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        failover();
                        continue;
                    }
                    JsonNode set = Api.JSON.readTree(r.body());
                    long v = set.get("version").asLong();
                    Set<String> ids = new HashSet<>();
                    set.get("grants").forEach(g -> ids.add(g.get("session").asText()));
                    if (v != version) {
                        HttpResponse<String> ack = http.send(HttpRequest.newBuilder(URI.create(base + "/api/agent/v1/ack"))
                                .header("Authorization", "Bearer " + secret).header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(15))
                                .POST(HttpRequest.BodyPublishers.ofString(Api.JSON.writeValueAsString(Map.of("version", v,
                                        "applied", List.copyOf(ids), "errors", List.of())))).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (ack.statusCode() != 204) {
                            failover();
                            continue;
                        }
                        grants = ids;
                        version = v;
                    }
                } catch (IOException e) {
                    failover();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void failover() {
            failovers.incrementAndGet();
            current = (current + 1) % urls.size();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void stop() {
            stopped = true;
        }
    }
}
