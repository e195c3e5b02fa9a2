package io.spicegate.bench;

import io.spicegate.testing.Api;
import io.spicegate.testing.Crowd;
import io.spicegate.testing.ExternalPostgres;
import io.spicegate.testing.PortalProcess;
import io.spicegate.testing.Sealed;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark (bench profile, not CI), issue 17 row 3: Open console with 16 concurrent clients against the packaged
 * portal on an external PostgreSQL with 4 000 consoles, as a ratio to a trivial logged-in call
 * ({@code GET /api/v1/sessions}) by the same 16 clients in the same run (trivial, opens, trivial again). Every open is
 * a new session (each client, at a workstation of its own, takes the next user of a {@link Crowd}, each with a
 * console of their own). While the
 * opens run, the audit's unsealed tail is sampled; afterwards every session has its one audit row and the chain
 * verifies.
 */
class OpenRateBench {

    static final int CLIENTS = 16;
    static final int MEMBERS = 6000;
    static final Duration PHASE = Duration.ofSeconds(10);

    @Test
    void opensPerSecondAgainstTrivialCalls() throws Exception {
        try (ExternalPostgres pg = ExternalPostgres.start()) {
            String db = pg.database("spicegate");
            Map<String, String> env = pg.portalEnvTwoRoles(db);
            env.put("QUARKUS_LOG_CATEGORY__IO_SPICEGATE_AUDIT__LEVEL", "WARN");
            try (PortalProcess portal = PortalProcess.start("bench-opens", BenchSupport.profiled(env, "opens")); Connection sql = pg.connect(db)) {
                Api admin = Api.basic(portal.base, "admin", "first-admin-pw");
                admin.post("/api/v1/admin/hosts", Map.of("name", "mysrv", "address", "127.0.0.1")).expect(201);
                // each client at a workstation of its own, as 16 people would be: opens at one workstation bump its one
                // grant version row in turn, which would measure that row's lock, not the portal
                for (int t = 0; t < CLIENTS; t++) {
                    admin.post("/api/v1/admin/workstations", Map.of("name", "desk-" + t, "addresses", List.of(desk(t)))).expect(201);
                }
                Crowd crowd = Crowd.seed(sql, "bo", MEMBERS, Instant.now());
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                AtomicInteger next = new AtomicInteger();

                // warm-up: long enough that the JIT has compiled both paths (3 s left the first trivial phase at
                // less than half the last one, which flattered the ratio)
                for (int round = 0; round < 2; round++) {
                    run(http, t -> crowd.sessions(http, portal.base, t + 1), PHASE);
                    run(http, t -> crowd.open(http, portal.base, next.incrementAndGet(), desk(t)), Duration.ofSeconds(5));
                }
                double trivial1 = run(http, t -> crowd.sessions(http, portal.base, t + 1), PHASE);
                AtomicLong maxUnsealed = new AtomicLong();
                AtomicLong maxLagMs = new AtomicLong();
                Thread sampler = new Thread(() -> sample(sql, maxUnsealed, maxLagMs));
                sampler.start();
                double opens = run(http, t -> crowd.open(http, portal.base, next.incrementAndGet(), desk(t)), PHASE);
                sampler.interrupt();
                sampler.join();
                double trivial2 = run(http, t -> crowd.sessions(http, portal.base, t + 1), PHASE);
                if (next.get() >= MEMBERS) {
                    throw new AssertionError("the crowd ran out: seed more members");
                }
                Sealed.await(sql);
                long sessions = count(sql, "select count(*) from console_session");
                long rows = count(sql, "select count(*) from audit_event where action = 'SESSION_OPENED'");
                boolean ok = admin.get("/api/v1/admin/audit/verify").expect(200).json().get("ok").asBoolean();
                if (sessions != rows || !ok) {
                    throw new AssertionError(sessions + " sessions, " + rows + " SESSION_OPENED rows, chain ok: " + ok);
                }
                double trivial = (trivial1 + trivial2) / 2;
                System.out.printf("%n== Open console, %d clients, %d consoles ==%n", CLIENTS, MEMBERS);
                System.out.printf("trivial GET /api/v1/sessions: %.0f/s and %.0f/s (before and after)%n", trivial1, trivial2);
                System.out.printf("POST /api/v1/sessions (open): %.0f/s, ratio %.2f of trivial%n", opens, opens / trivial);
                System.out.printf("while opening: at most %d audit rows unsealed, oldest at most %d ms; %d sessions, one "
                        + "SESSION_OPENED row each, chain verifies%n", maxUnsealed.get(), maxLagMs.get(), sessions);
            }
        }
    }

    static String desk(int client) {
        return "10.70.0." + (client + 1);
    }

    interface Call {
        int send(int client) throws Exception;
    }

    /** The 16 clients call for this long; returns successful calls a second. */
    static double run(HttpClient http, Call call, Duration length) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        AtomicLong ok = new AtomicLong();
        long end = System.nanoTime() + length.toNanos();
        long start = System.nanoTime();
        List<Future<Object>> clients = new java.util.ArrayList<>();
        for (int t = 0; t < CLIENTS; t++) {
            int client = t;
            clients.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    int status = call.send(client);
                    if (status / 100 != 2) {
                        throw new AssertionError("status " + status);
                    }
                    ok.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<Object> f : clients) {
            f.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
        return ok.get() / (Duration.ofNanos(System.nanoTime() - start).toNanos() / 1e9);
    }

    /** Every 50 ms: how many audit rows wait for the sealer, and how long the oldest has waited. */
    static void sample(Connection sql, AtomicLong maxUnsealed, AtomicLong maxLagMs) {
        try (Statement st = sql.createStatement()) {
            while (!Thread.currentThread().isInterrupted()) {
                try (ResultSet rs = st.executeQuery("select count(*), coalesce(extract(epoch from clock_timestamp() - "
                        + "min(appended_at)) * 1000, 0) from audit_event where chain_seq is null")) {
                    rs.next();
                    maxUnsealed.accumulateAndGet(rs.getLong(1), Math::max);
                    maxLagMs.accumulateAndGet((long) rs.getDouble(2), Math::max);
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static long count(Connection sql, String query) throws Exception {
        try (Statement st = sql.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
