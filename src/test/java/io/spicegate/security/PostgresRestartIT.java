package io.spicegate.security;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL restarted under load, twice — a clean fast shutdown ({@code pg_ctl stop -m fast}) and a crash
 * ({@code kill -9} of the postmaster) — the same cluster started again on the same port after ~4 s, while two
 * packaged portal replicas serve 8 API clients (Open console, My consoles, End session with HTTP Basic), two users
 * opening consoles for workstations with agents, and two simulated agents (enrolled through the API) long-polling
 * and acknowledging, one on each replica. Every response is recorded. It proves:
 * <ul>
 *   <li>during the outage every answer is a 503 with a sentence and Retry-After (no 500, no hang: every request
 *       answers within the 40 s client timeout), readiness is DOWN and liveness stays UP, the portals never exit;</li>
 *   <li>after PostgreSQL is back, without restarting the portals: readiness is UP again, opens succeed on both
 *       replicas, both portals LISTEN again, and a session opened on one replica wakes the agent parked on the other
 *       within seconds (not at its 30 s poll time);</li>
 *   <li>no audit row lost: every 201 open has exactly one SESSION_OPENED row, every 200 End its SESSION_ENDED row,
 *       no session without its row and no row without its session, the hash chain verifies, also against the
 *       portals' last audit checkpoints.</li>
 * </ul>
 * The portals run on the external database only: their own data dirs stay empty (the embedded default never
 * started) and both LISTEN on this cluster.
 * The cluster runs with {@code synchronous_commit=on} (PostgreSQL's default; the embedded test server's
 * {@code off} would let a crash lose acknowledged commits by design).
 */
class PostgresRestartIT {

    static final int CLIENTS = 8;
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(40);
    static final Duration POLL = Duration.ofSeconds(60);
    static final long DOWN_MILLIS = 4000;
    /**
     * A session opened after recovery must reach the agent parked on the other replica within this, well under the
     * poll time: only a NOTIFY (or the notifier's wake-up of all polls when it reconnects) can answer the poll sooner.
     */
    static final Duration WAKE_LIMIT = Duration.ofSeconds(20);

    /** One HTTP exchange: what, where, the answer (or the transport failure), when. */
    record Rec(String who, String kind, String replica, int status, long start, long end, String session,
               String retryAfter, String body, String failure) {
        long millis() {
            return TimeUnit.NANOSECONDS.toMillis(end - start);
        }
    }

    /** One restart of PostgreSQL and what the portals did around it (nanoTime instants). */
    static final class Outage {
        final String how;
        long down;
        long up;
        long listening;
        final Map<String, Long> ready = new ConcurrentHashMap<>();
        final Map<String, Long> firstOpen = new ConcurrentHashMap<>();
        final Map<String, Long> firstOk = new ConcurrentHashMap<>();

        Outage(String how) {
            this.how = how;
        }
    }

    final ConcurrentLinkedQueue<Rec> records = new ConcurrentLinkedQueue<>();
    /** Session ids answered 201 to an open, and those answered 200 to their End. */
    final Set<String> opened = ConcurrentHashMap.newKeySet();
    final Set<String> ended = ConcurrentHashMap.newKeySet();
    /** Grant opens: session id → (opened at, seen by its agent at, or null). */
    final Map<String, long[]> grantOpens = new ConcurrentHashMap<>();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    volatile boolean stop;
    /** Failures of the load threads themselves (bugs of this test), reported. */
    final ConcurrentLinkedQueue<Throwable> crashed = new ConcurrentLinkedQueue<>();

    Runnable guarded(Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (Throwable t) {
                t.printStackTrace();
                crashed.add(t);
            }
        };
    }

    @Test
    void portalRecoversFromAPostgresRestartUnderLoadWithNoAuditRowLost() throws Exception {
        instance = this;
        Path dataDirA = Files.createTempDirectory("sgpg-portal-a-");
        Path dataDirB = Files.createTempDirectory("sgpg-portal-b-");
        ExecutorService pool = Executors.newCachedThreadPool();
        long began = System.nanoTime();
        try (ExternalPostgres pg = ExternalPostgres.start(Map.of("synchronous_commit", "on"))) {
            String db = pg.database("sgpg");
            Map<String, String> envA = pg.portalEnv(db);
            envA.put("SPICEGATE_DATA_DIR", dataDirA.toString());
            // a long poll time sets a woken poll (the notifier works) far apart from one that timed out
            envA.put("SPICEGATE_AGENT_POLL_SECONDS", Long.toString(POLL.toSeconds()));
            Map<String, String> envB = new HashMap<>(envA);
            envB.put("SPICEGATE_DATA_DIR", dataDirB.toString());
            try (PortalProcess a = PortalProcess.start("pg-restart-a", envA);
                 PortalProcess b = PortalProcess.start("pg-restart-b", envB)) {
                Map<String, String> replicas = Map.of("A", a.base, "B", b.base);
                Map<String, String> management = Map.of("A", a.management, "B", b.management);
                Map<String, String> agentSecrets = seed(a.base);

                // the load: 8 clients, 2 grant openers (A opens for the agent on B and B for the one on A), 2 agents
                Map<String, Agent> agents = new HashMap<>();
                agents.put("B", new Agent("agent-on-B", b.base, agentSecrets.get("agw-b")));
                agents.put("A", new Agent("agent-on-A", a.base, agentSecrets.get("agw-a")));
                agents.values().forEach(ag -> pool.submit(guarded(ag)));
                List<Outage> outages = new ArrayList<>();
                for (String replica : replicas.keySet()) {
                    for (String health : List.of("ready", "live")) {
                        pool.submit(guarded(() -> monitor(replica, management.get(replica), health)));
                    }
                }
                for (int i = 0; i < CLIENTS; i++) {
                    int n = i;
                    pool.submit(guarded(() -> client(n, replicas)));
                }
                pool.submit(guarded(() -> granter("A", a.base, "10.62.0.2", agents.get("B"))));
                pool.submit(guarded(() -> granter("B", b.base, "10.62.0.1", agents.get("A"))));

                await(Duration.ofSeconds(90), () -> opened.size() > 2 * CLIENTS && agents.values().stream().allMatch(ag -> ag.okRounds > 0),
                        "the load runs");
                Thread.sleep(3000);
                restart(new Outage("clean fast shutdown (pg_ctl stop -m fast)"), outages, pg::stopFast, pg, db, replicas);
                Thread.sleep(5000);
                restart(new Outage("crash (kill -9 of the postmaster)"), outages, pg::crash, pg, db, replicas);
                Thread.sleep(5000);
                stop = true;
                pool.shutdown();
                assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS), "the load threads finished");

                assertEquals(List.of(), List.copyOf(crashed), "the load threads ran to the end");
                assertTrue(a.isAlive() && b.isAlive(), "neither portal exited");
                report(outages);
                assertAnswers(outages);
                assertAudit(pg, db, a, b);
            }
            for (Path dir : List.of(dataDirA, dataDirB)) {
                try (Stream<Path> files = Files.list(dir)) {
                    assertEquals(List.of(), files.toList(), "the portal's own data dir stays empty: no embedded PostgreSQL");
                }
            }
        } finally {
            stop = true;
            pool.shutdownNow();
            for (Path dir : List.of(dataDirA, dataDirB)) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
        System.out.printf("PostgresRestartIT ran %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began));
    }

    /** Users, consoles, rules, workstations (8 plain desks, 2 with enrolled agents); returns the agents' secrets. */
    Map<String, String> seed(String base) {
        Api admin = Api.basic(base, "admin", "first-admin-pw");
        admin.post("/api/v1/admin/hosts", Map.of("name", "kvm", "address", "127.0.0.1")).expect(201);
        List<String> users = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            users.add("u" + i);
            admin.post("/api/v1/admin/workstations", Map.of("name", "desk-" + i, "addresses", List.of("10.63.0." + (i + 1))))
                    .expect(201);
        }
        users.add("g-a");
        users.add("g-b");
        for (String u : users) {
            admin.post("/api/v1/admin/users", Map.of("username", u, "password", password(u), "roles", List.of("user")))
                    .expect(201);
            admin.post("/api/v1/admin/consoles", Map.of("name", "c-" + u, "host", "kvm",
                    "tlsPort", 26000 + users.indexOf(u))).expect(201);
            admin.post("/api/v1/admin/rules", Map.of("console", "c-" + u, "user", u, "zone", "Europe/Berlin",
                    "windows", List.of(Map.of("days", List.of("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY",
                            "SATURDAY", "SUNDAY"), "from", "00:00", "to", "00:00")))).expect(201);
        }
        Map<String, String> secrets = new HashMap<>();
        for (String ws : List.of("agw-a", "agw-b")) {
            String address = ws.equals("agw-a") ? "10.62.0.1" : "10.62.0.2";
            String token = admin.post("/api/v1/admin/workstations", Map.of("name", ws, "addresses", List.of(address)))
                    .expect(201).json().get("enrollmentToken").asText();
            secrets.put(ws, Api.anonymous(base).post("/api/agent/v1/enroll", Map.of("token", token, "hostname", ws))
                    .expect(200).json().get("secret").asText());
        }
        return secrets;
    }

    static String password(String user) {
        return "sgpg-password-" + user;
    }

    /** Open my console, read My consoles, end the session; alternating replicas; an End is retried until it answers. */
    void client(int n, Map<String, String> replicas) {
        String user = "u" + n;
        String current = null;
        for (long iteration = 0; !stop; iteration++) {
            String replica = (iteration + n) % 2 == 0 ? "A" : "B";
            String base = replicas.get(replica);
            String from = "10.63.0." + (n + 1);
            if (current == null) {
                Rec r = send(user, "open", replica, basic(base + "/api/v1/sessions", user, from)
                        .POST(json(Map.of("console", "c-" + user))));
                if (r.status == 201) {
                    current = r.session;
                    opened.add(current);
                }
            }
            send(user, "consoles", replica, basic(base + "/api/v1/consoles", user, from).GET());
            if (current != null) {
                Rec r = send(user, "end", replica, basic(base + "/api/v1/sessions/" + current, user, from).DELETE());
                if (r.status == 200) {
                    ended.add(current);
                    current = null;
                } else if (r.status == 409) {
                    current = null; // ended before, its answer lost
                }
            }
            pause(50);
        }
    }

    /** Opens a console for a workstation whose agent polls the other replica, waits until the agent has it, ends it. */
    void granter(String replica, String base, String from, Agent agent) {
        String user = "g-" + replica.toLowerCase();
        while (!stop) {
            Rec r = send(user, "grant-open", replica, basic(base + "/api/v1/sessions", user, from)
                    .POST(json(Map.of("console", "c-" + user))));
            if (r.status != 201) {
                pause(300);
                continue;
            }
            String id = r.session;
            opened.add(id);
            // opened, seen by the agent (0: not), 1 = the wait was cut short by the end of the test, 1 = done waiting
            long[] times = {r.end, 0, 0, 0};
            grantOpens.put(id, times);
            long deadline = System.nanoTime() + WAKE_LIMIT.toNanos() * 2;
            while (!agent.seen.containsKey(id) && System.nanoTime() < deadline && !stop) {
                pause(10);
            }
            Long seen = agent.seen.get(id);
            times[1] = seen == null ? 0 : seen;
            times[2] = seen == null && stop ? 1 : 0;
            times[3] = 1;
            while (true) {
                Rec e = send(user, "grant-end", replica, basic(base + "/api/v1/sessions/" + id, user, from).DELETE());
                if (e.status == 200) {
                    ended.add(id);
                    break;
                }
                if (e.status == 409) {
                    break;
                }
                pause(300);
            }
        }
    }

    /** A workstation agent as the real one speaks: long-poll with the acknowledged version, ack what it got. */
    final class Agent implements Runnable {
        final String name;
        final String base;
        final String secret;
        final Map<String, Long> seen = new ConcurrentHashMap<>();
        volatile long version;
        volatile int okRounds;

        Agent(String name, String base, String secret) {
            this.name = name;
            this.base = base;
            this.secret = secret;
        }

        @Override
        public void run() {
            String replica = name.substring(name.length() - 1);
            while (!stop) {
                Rec r = send(name, "poll", replica, HttpRequest.newBuilder(URI.create(base + "/api/agent/v1/grants?after=" + version))
                        .header("Authorization", "Bearer " + secret).timeout(POLL.plus(CLIENT_TIMEOUT)).GET());
                if (r.status != 200) {
                    pause(1000);
                    continue;
                }
                JsonNode set = parse(r.body);
                long now = System.nanoTime();
                Set<String> ids = new HashSet<>();
                set.get("grants").forEach(g -> ids.add(g.get("session").asText()));
                ids.forEach(id -> seen.putIfAbsent(id, now));
                long v = set.get("version").asLong();
                if (v != version) {
                    Rec ack = send(name, "ack", replica, HttpRequest.newBuilder(URI.create(base + "/api/agent/v1/ack"))
                            .header("Authorization", "Bearer " + secret).header("Content-Type", "application/json")
                            .POST(json(Map.of("version", v, "applied", List.copyOf(ids), "errors", List.of()))));
                    if (ack.status != 204) {
                        pause(1000);
                        continue;
                    }
                    version = v;
                }
                okRounds++;
            }
        }
    }

    /** /q/health/ready or /live of one replica (on its management port), every 100 ms. */
    void monitor(String replica, String base, String health) {
        while (!stop) {
            send("monitor", health, replica, HttpRequest.newBuilder(URI.create(base + "/q/health/" + health)).GET());
            pause(100);
        }
    }

    interface Step {
        void run() throws Exception;
    }

    /** Takes PostgreSQL down (this way), keeps it down ~4 s, starts the same cluster again, and awaits recovery. */
    void restart(Outage o, List<Outage> outages, Step takeDown, ExternalPostgres pg, String db,
                 Map<String, String> replicas) throws Exception {
        System.out.println("PostgreSQL: " + o.how);
        o.down = System.nanoTime();
        takeDown.run();
        outages.add(o);
        Thread.sleep(DOWN_MILLIS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - o.down));
        pg.startAgain();
        o.up = System.nanoTime();
        System.out.printf("PostgreSQL down %d ms (%s)%n", TimeUnit.NANOSECONDS.toMillis(o.up - o.down), o.how);
        // both portals LISTEN again (GrantNotifier's dedicated connection reconnects on its own; its last statement is
        // one of its LISTENs: grants, then the rules version)
        await(Duration.ofSeconds(30), () -> count(pg, db, "select count(*) from pg_stat_activity where query in ('LISTEN spicegate_grants', 'LISTEN spicegate_rules')") == 2,
                "both portals LISTEN again");
        o.listening = System.nanoTime();
        await(Duration.ofSeconds(60), () -> replicas.keySet().stream().allMatch(r -> firstAfter(o.up, r, "ready", 200) != null),
                "both replicas ready again");
        await(Duration.ofSeconds(120), () -> replicas.keySet().stream().allMatch(r -> firstAfter(o.up, r, "open", 201) != null),
                "opens succeed on both replicas again");
        replicas.keySet().forEach(r -> {
            o.ready.put(r, firstAfter(o.up, r, "ready", 200).end);
            o.firstOpen.put(r, firstAfter(o.up, r, "open", 201).end);
            o.firstOk.put(r, records.stream().filter(x -> x.replica.equals(r) && x.start > o.up && x.status >= 200 && x.status < 300
                    && !x.kind.equals("ready") && !x.kind.equals("live")).mapToLong(Rec::end).min().orElseThrow());
        });
        // three sessions opened after recovery on each replica reached the agent parked on the other one
        long readyAt = o.ready.values().stream().max(Long::compare).orElseThrow();
        await(Duration.ofSeconds(60), () -> Stream.of("10.62.0.1", "10.62.0.2").allMatch(ws ->
                grantsAfter(readyAt).stream().filter(g -> g.who().equals(ws.endsWith("2") ? "g-a" : "g-b")).count() >= 3),
                "three grants each way after recovery reached their agents");
    }

    /** Grant opens started after this instant that are done waiting for their agent (seen or given up). */
    List<Rec> grantsAfter(long after) {
        return records.stream().filter(r -> r.kind.equals("grant-open") && r.status == 201 && r.start > after)
                .filter(r -> grantOpens.containsKey(r.session) && grantOpens.get(r.session)[3] == 1).toList();
    }

    Rec firstAfter(long after, String replica, String kind, int status) {
        return records.stream().filter(r -> r.kind.equals(kind) && r.replica.equals(replica) && r.status == status && r.start > after)
                .min(Comparator.comparingLong(Rec::end)).orElse(null);
    }

    void report(List<Outage> outages) {
        Map<String, Map<Integer, Long>> byKind = new TreeMap<>();
        records.forEach(r -> byKind.computeIfAbsent(r.kind, k -> new TreeMap<>()).merge(r.status, 1L, Long::sum));
        System.out.println("answers by kind and status (-1 = no answer): " + byKind);
        System.out.printf("requests: %d, opens answered 201: %d, ends answered 200: %d%n", records.size(), opened.size(), ended.size());
        System.out.println("slowest answer outside long-polls: " + records.stream().filter(r -> !r.kind.equals("poll"))
                .mapToLong(Rec::millis).max().orElse(0) + " ms");
        if (!outages.isEmpty()) {
            List<Long> before = grantOpens.values().stream().filter(t -> t[1] != 0 && t[0] < outages.get(0).down)
                    .map(t -> ms(t[1] - t[0])).sorted().toList();
            System.out.println("grant wake-ups before the first restart (201 on one replica → agent on the other), ms: " + before);
        }
        for (Outage o : outages) {
            System.out.printf("%s: down %d ms; after it was back: ready on A in %d ms, on B in %d ms; first 2xx API answer on A "
                            + "in %d ms, on B in %d ms; first open 201 on A in %d ms, on B in %d ms%n",
                    o.how, ms(o.up - o.down), ms(o.ready.get("A") - o.up), ms(o.ready.get("B") - o.up),
                    ms(o.firstOk.get("A") - o.up), ms(o.firstOk.get("B") - o.up),
                    ms(o.firstOpen.get("A") - o.up), ms(o.firstOpen.get("B") - o.up));
            System.out.printf("  both portals LISTEN again (seen in pg_stat_activity) %d ms after PostgreSQL was back%n", ms(o.listening - o.up));
            List<String> wakes = records.stream().filter(r -> r.kind.equals("grant-open") && r.status == 201 && r.start > o.up)
                    .limit(6).map(r -> r.who + ": " + wake(r.session)).toList();
            System.out.println("  grant opens after it was back (opened on one replica → agent parked on the other): " + wakes);
            System.out.println("  503 sentences during the outage: " + records.stream()
                    .filter(r -> r.status == 503 && r.start >= o.down && r.start <= o.up && !r.kind.equals("ready"))
                    .map(r -> r.kind + " " + r.body).distinct().limit(6).toList());
        }
    }

    String wake(String session) {
        long[] t = grantOpens.get(session);
        return t == null || t[1] == 0 ? "not seen" : ms(t[1] - t[0]) + " ms";
    }

    void assertAnswers(List<Outage> outages) {
        List<Rec> failed = records.stream().filter(r -> r.failure != null).toList();
        assertEquals(List.of(), failed, "every request was answered within " + CLIENT_TIMEOUT.toSeconds() + " s");
        Map<String, Set<Integer>> allowed = Map.of("open", Set.of(201, 503), "consoles", Set.of(200, 503),
                "end", Set.of(200, 503, 409), "grant-open", Set.of(201, 503), "grant-end", Set.of(200, 503, 409),
                "poll", Set.of(200, 503), "ack", Set.of(204, 503), "ready", Set.of(200, 503), "live", Set.of(200));
        List<Rec> wrong = records.stream().filter(r -> !allowed.get(r.kind).contains(r.status)).toList();
        assertEquals(List.of(), wrong, "only the answers a client can act on (no 500, liveness always UP)");
        for (Rec r : records) {
            if (r.status == 503 && !r.kind.equals("ready")) {
                assertTrue(r.retryAfter != null, "503 with Retry-After: " + r);
                String error = parse(r.body).path("error").asText("");
                assertTrue(error.length() > 20 && !error.contains("Exception") && !error.contains("org."), "a sentence: " + r);
            }
        }
        for (Outage o : outages) {
            for (String replica : List.of("A", "B")) {
                assertTrue(records.stream().anyMatch(r -> r.kind.equals("ready") && r.replica.equals(replica) && r.status == 503
                        && r.start > o.down && r.end < o.up), replica + " was not ready while PostgreSQL was down (" + o.how + ")");
                assertTrue(records.stream().anyMatch(r -> r.replica.equals(replica) && r.status == 503 && !r.kind.equals("ready")
                        && r.start > o.down && r.end < o.up), replica + " answered 503 while PostgreSQL was down (" + o.how + ")");
            }
            // every grant opened once the portals were ready again reached the agent on the other replica promptly
            long readyAt = o.ready.values().stream().max(Long::compare).orElseThrow();
            List<Rec> after = records.stream().filter(r -> r.kind.equals("grant-open") && r.status == 201 && r.start > readyAt)
                    .filter(r -> grantOpens.get(r.session)[2] == 0).toList();
            assertTrue(after.size() >= 6, "grant opens after recovery: " + after.size());
            for (Rec r : after) {
                long[] t = grantOpens.get(r.session);
                assertTrue(t[1] != 0 && t[1] - t[0] < WAKE_LIMIT.toNanos(), r.who + "'s session " + r.session
                        + " opened after recovery (" + o.how + ") reached the agent on the other replica: " + wake(r.session));
            }
        }
    }

    void assertAudit(ExternalPostgres pg, String db, PortalProcess a, PortalProcess b) throws Exception {
        try (Connection sql = pg.connect(db)) {
            for (String id : opened) {
                assertEquals(1, count(sql, "select count(*) from audit_event where action = 'SESSION_OPENED' and session_id = '" + id + "'"),
                        "one SESSION_OPENED row for the 201 open of " + id);
            }
            for (String id : ended) {
                assertEquals(1, count(sql, "select count(*) from audit_event where action = 'SESSION_ENDED' and session_id = '" + id + "'"),
                        "one SESSION_ENDED row for the 200 End of " + id);
                assertEquals("ENDED", strings(sql, "select state from console_session where id = '" + id + "'").get(0));
            }
            assertEquals(0, count(sql, "select count(*) from console_session s where (select count(*) from audit_event e "
                    + "where e.action = 'SESSION_OPENED' and e.session_id = s.id) <> 1"), "every session has exactly one SESSION_OPENED row");
            assertEquals(0, count(sql, "select count(*) from audit_event e where e.action in ('SESSION_OPENED', 'SESSION_ENDED', "
                    + "'SESSION_REOPENED') and not exists (select 1 from console_session s where s.id = e.session_id)"),
                    "no session audit row without its session");
            assertEquals(0, count(sql, "select count(*) from console_session s where (s.state = 'ENDED') <> exists (select 1 "
                    + "from audit_event e where e.action = 'SESSION_ENDED' and e.session_id = s.id)"),
                    "a session is ENDED exactly when it has its SESSION_ENDED row");
            assertEquals(0, count(sql, "select count(*) from (select session_id from audit_event where action = 'SESSION_ENDED' "
                    + "group by session_id having count(*) > 1) x"), "at most one SESSION_ENDED row per session");
            long sessions = count(sql, "select count(*) from console_session");
            Set<String> inDb = new HashSet<>(strings(sql, "select id::text from console_session"));
            inDb.removeAll(opened);
            System.out.printf("audit: %d sessions, %d SESSION_OPENED rows, %d SESSION_ENDED rows, %d audit rows in all; "
                            + "%d sessions committed whose 201 the client never got (answered 503 or re-opened later)%n",
                    sessions, count(sql, "select count(*) from audit_event where action = 'SESSION_OPENED'"),
                    count(sql, "select count(*) from audit_event where action = 'SESSION_ENDED'"),
                    count(sql, "select count(*) from audit_event"), inDb.size());
        }
        Api admin = Api.basic(a.base, "admin", "first-admin-pw");
        JsonNode verify = admin.get("/api/v1/admin/audit/verify").expect(200).json();
        assertTrue(verify.get("ok").asBoolean(), verify.toString());
        // the audit checkpoints the replicas logged (before, during and after the restarts) name rows of the chain
        Pattern checkpoint = Pattern.compile("audit checkpoint head=(\\d+) hash=([0-9a-f]{64})");
        int checkpoints = 0;
        int afterOutage = 0;
        for (PortalProcess p : List.of(a, b)) {
            String log = p.logText();
            int firstOutage = log.indexOf("database unavailable");
            Matcher m = checkpoint.matcher(log);
            while (m.find()) {
                checkpoints++;
                afterOutage += firstOutage >= 0 && m.start() > firstOutage ? 1 : 0;
                JsonNode at = admin.get("/api/v1/admin/audit/verify?expectHead=" + m.group(1) + ":" + m.group(2)).expect(200).json();
                assertTrue(at.get("ok").asBoolean(), "checkpoint " + m.group(1) + ": " + at);
            }
        }
        System.out.printf("audit chain verified: %d rows (ids up to %d: sequence values of rolled-back inserts, and those "
                        + "PostgreSQL skips after a crash, are never used); %d logged checkpoints verified against it, %d of them "
                        + "taken after PostgreSQL went down the first time%n",
                verify.get("checked").asLong(), verify.get("headId").asLong(), checkpoints, afterOutage);
    }

    Rec send(String who, String kind, String replica, HttpRequest.Builder b) {
        long start = System.nanoTime();
        try {
            HttpRequest request = b.build();
            if (request.timeout().isEmpty()) {
                request = b.timeout(CLIENT_TIMEOUT).build();
            }
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            String session = null;
            if (r.statusCode() == 201) {
                session = parse(r.body()).get("id").asText();
            }
            Rec rec = new Rec(who, kind, replica, r.statusCode(), start, System.nanoTime(), session,
                    r.headers().firstValue("Retry-After").orElse(null), r.body(), null);
            records.add(rec);
            return rec;
        } catch (IOException e) {
            Rec rec = new Rec(who, kind, replica, -1, start, System.nanoTime(), null, null, null, e.toString());
            records.add(rec);
            return rec;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop = true;
            return new Rec(who, kind, replica, -2, start, System.nanoTime(), null, null, null, "interrupted");
        }
    }

    static HttpRequest.Builder basic(String url, String user, String from) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((user + ":" + password(user)).getBytes(StandardCharsets.UTF_8)))
                .header("X-Forwarded-For", from);
    }

    static HttpRequest.BodyPublisher json(Object body) {
        try {
            return HttpRequest.BodyPublishers.ofString(Api.JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(String body) {
        try {
            return Api.JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop = true;
        }
    }

    static long count(ExternalPostgres pg, String db, String query) {
        try (Connection sql = pg.connect(db)) {
            return count(sql, query);
        } catch (SQLException e) {
            return -1;
        }
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

    static PostgresRestartIT instance;

    static void await(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                System.out.println("not within " + timeout.toSeconds() + " s: " + what + "; answers so far:");
                instance.report(List.of());
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
            }
            Thread.sleep(100);
        }
    }
}
