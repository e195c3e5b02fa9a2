package io.spicegate.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.Crowd;
import io.spicegate.testing.ExternalPostgres;
import io.spicegate.testing.PortalProcess;
import io.spicegate.testing.Sealed;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audit sealer against packaged portals on an external PostgreSQL (which outlives them), with two database roles
 * (the sealer writes as the runtime role, through its one column grant):
 * <ul>
 *   <li>{@code kill -9} of the portal in the middle of an Open console storm loses no committed row: every session
 *       that committed has its one SESSION_OPENED row, and none without; after a restart no row is unsealed and the
 *       chain verifies (by SQL and by the admin API);</li>
 *   <li>two replicas: one sealer at a time (one holder of the seal lock in {@code pg_locks}, one replica saying so in
 *       its log), rows appended on both are sealed; the sealing replica is killed with SIGKILL and the other takes
 *       over and seals new rows.</li>
 * </ul>
 */
class AuditSealerIT {

    static final String SEALING = "audit sealer: this replica seals the audit chain now";
    static final String ADMIN_PASSWORD = "first-admin-pw";

    @Test
    void aKilledPortalLosesNoCommittedRowAndLeavesNoneUnsealedAfterRestart() throws Exception {
        try (ExternalPostgres pg = ExternalPostgres.start()) {
            String db = pg.database("sealer_kill");
            Map<String, String> env = pg.portalEnvTwoRoles(db);
            Crowd crowd;
            int opened;
            AtomicInteger answered = new AtomicInteger();
            try (PortalProcess portal = PortalProcess.start("sealer-kill", env); Connection sql = pg.connect(db)) {
                crowd = office(portal, sql, "kc", 800);
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                ExecutorService pool = Executors.newFixedThreadPool(16);
                AtomicInteger next = new AtomicInteger();
                AtomicInteger created = new AtomicInteger();
                List<Future<?>> clients = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    clients.add(pool.submit(() -> {
                        int i;
                        while ((i = next.incrementAndGet()) <= crowd.size()) {
                            try {
                                if (crowd.open(http, portal.base, i) == 201) {
                                    created.incrementAndGet();
                                }
                                answered.incrementAndGet();
                            } catch (Exception e) {
                                return; // the portal is gone
                            }
                        }
                    }));
                }
                await(Duration.ofSeconds(120), () -> created.get() >= 200, "200 opens before the kill");
                assertEquals(0, new ProcessBuilder("kill", "-9", Long.toString(portal.pid())).start().waitFor());
                portal.kill();
                for (Future<?> f : clients) {
                    f.get(2, TimeUnit.MINUTES);
                }
                pool.shutdown();
                opened = created.get();
                assertTrue(opened < crowd.size(), "the kill came mid-storm: " + opened + " of " + crowd.size());

                // what committed is whole: each session its one audit row, no audit row without its session
                long sessions = count(sql, "select count(*) from console_session where username like 'kc%'");
                assertTrue(sessions >= opened, sessions + " sessions, " + opened + " answered 201");
                assertEquals(sessions, count(sql, "select count(*) from audit_event where action = 'SESSION_OPENED' and username like 'kc%'"));
                assertEquals(0, count(sql, "select count(*) from console_session s where s.username like 'kc%' and (select count(*) "
                        + "from audit_event a where a.session_id = s.id and a.action = 'SESSION_OPENED') <> 1"));
                System.out.printf("kill -9 after %d opens answered (%d created): %d sessions committed, %d audit rows unsealed at the kill%n",
                        answered.get(), opened, sessions, count(sql, "select count(*) from audit_event where chain_seq is null"));
            }
            try (PortalProcess again = PortalProcess.start("sealer-kill-again", env); Connection sql = pg.connect(db)) {
                Sealed.await(sql);
                ConcurrentOpenTest.assertOneChain(sql);
                long rows = count(sql, "select count(*) from audit_event");
                JsonNode verify = Api.basic(again.base, "admin", ADMIN_PASSWORD).get("/api/v1/admin/audit/verify").expect(200).json();
                assertTrue(verify.get("ok").asBoolean(), verify.toString());
                assertTrue(verify.get("checked").asLong() >= rows, rows + " rows sealed before: " + verify);
            }
        }
    }

    @Test
    void twoReplicasHaveOneSealerAndTheOtherTakesOverWhenItIsKilled() throws Exception {
        try (ExternalPostgres pg = ExternalPostgres.start()) {
            String db = pg.database("sealer_two");
            Map<String, String> env = pg.portalEnvTwoRoles(db);
            try (PortalProcess a = PortalProcess.start("sealer-a", env);
                 PortalProcess b = PortalProcess.start("sealer-b", env);
                 Connection sql = pg.connect(db)) {
                Crowd crowd = office(a, sql, "tr", 60);
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                await(Duration.ofSeconds(30), () -> holders(sql) == 1, "one holder of the seal lock");
                PortalProcess sealer = a.logText().contains(SEALING) ? a : b;
                PortalProcess standby = sealer == a ? b : a;
                assertTrue(sealer.logText().contains(SEALING), "a replica says it seals");
                assertTrue(!standby.logText().contains(SEALING), "only one replica says it seals");
                for (int i = 1; i <= 40; i++) {
                    assertEquals(201, crowd.open(http, (i % 2 == 0 ? a : b).base, i), "open " + i);
                }
                Sealed.await(sql);
                ConcurrentOpenTest.assertOneChain(sql);
                assertEquals(1, holders(sql), "still one holder");

                long killed = System.nanoTime();
                assertEquals(0, new ProcessBuilder("kill", "-9", Long.toString(sealer.pid())).start().waitFor());
                sealer.kill();
                for (int i = 41; i <= 60; i++) {
                    assertEquals(201, crowd.open(http, standby.base, i), "open " + i + " on the survivor");
                }
                Sealed.await(sql);
                System.out.printf("after kill -9 of the sealing replica: 20 new rows sealed by the other %d ms after the kill%n",
                        Duration.ofNanos(System.nanoTime() - killed).toMillis());
                assertTrue(standby.logText().contains(SEALING), "the survivor took over:\n" + standby.tail());
                assertEquals(1, holders(sql));
                ConcurrentOpenTest.assertOneChain(sql);
                assertEquals(60, count(sql, "select count(*) from audit_event where action = 'SESSION_OPENED' and username like 'tr%'"));
                JsonNode verify = Api.basic(standby.base, "admin", ADMIN_PASSWORD).get("/api/v1/admin/audit/verify").expect(200).json();
                assertTrue(verify.get("ok").asBoolean(), verify.toString());
            }
        }
    }

    /** Host mysrv, a workstation for loopback (where the test's requests come from), and a crowd. */
    static Crowd office(PortalProcess portal, Connection sql, String prefix, int n) throws SQLException {
        Api admin = Api.basic(portal.base, "admin", ADMIN_PASSWORD);
        admin.post("/api/v1/admin/hosts", Map.of("name", "mysrv", "address", "127.0.0.1")).expect(201);
        admin.post("/api/v1/admin/workstations", Map.of("name", "loop", "addresses", List.of("127.0.0.1"))).expect(201);
        return Crowd.seed(sql, prefix, n, Instant.now());
    }

    /** Sessions holding the seal lock (classid and objid are the high and low halves of the 64-bit key). */
    static long holders(Connection sql) {
        return count(sql, "select count(*) from pg_locks where locktype = 'advisory' and granted and objsubid = 1 "
                + "and classid = " + (AuditSealer.SEAL_LOCK >>> 32) + " and objid = " + (AuditSealer.SEAL_LOCK & 0xffffffffL));
    }

    static long count(Connection sql, String query) {
        try (Statement st = sql.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static void await(Duration bound, java.util.function.BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + bound.toSeconds() + " s: " + what);
            }
            Thread.sleep(20);
        }
    }
}
