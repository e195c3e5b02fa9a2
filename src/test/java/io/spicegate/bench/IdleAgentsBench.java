package io.spicegate.bench;

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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Benchmark (bench profile, not CI): 10 000 idle agents long-polling one portal replica. Measured on the portal
 * process: heap in use after a full GC (jcmd GC.run, then /q/metrics jvm_memory_used_bytes), resident memory, and
 * CPU (from /proc, % of one core) over a minute of idling — every agent re-polls when its 30 s poll ends, so that is
 * ~333 polls/s, each authenticated against PostgreSQL. The same figures with no agent are taken first, in the same run.
 * Needs ulimit -n above 10 000 for this JVM and for the portal (10 000 sockets each).
 */
class IdleAgentsBench {

    static final int AGENTS = 10_000;

    @Test
    void tenThousandIdleAgents() throws Exception {
        long limit = BenchSupport.openFilesLimit();
        System.out.println("open files limit (ulimit -n): " + limit);
        assertTrue(limit > AGENTS + 1000, "raise ulimit -n above " + (AGENTS + 1000) + " (it is " + limit + ")");
        try (ExternalPostgres pg = ExternalPostgres.start()) {
            String db = pg.database("spicegate");
            Map<String, String> env = pg.portalEnv(db);
            env.put("QUARKUS_LOG_CATEGORY__IO_SPICEGATE_AUDIT__LEVEL", "WARN");
            try (PortalProcess portal = PortalProcess.start("bench-idle", env); Connection sql = pg.connect(db)) {
                BenchSupport.seedAgents(sql, "idle", "sga_idle_", AGENTS, "10.70.");
                Thread.sleep(20_000); // started, scheduled jobs ran once
                double heap0 = BenchSupport.heapAfterGcMiB(portal);
                double cpu0 = BenchSupport.cpuPercent(portal.pid(), Duration.ofSeconds(30));
                double rss0 = BenchSupport.rssMiB(portal.pid());

                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong answered = new AtomicLong();
                AtomicLong failed = new AtomicLong();
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(20)).build();
                long t0 = System.nanoTime();
                for (int i = 0; i < AGENTS; i++) {
                    poll(client, portal.base, "sga_idle_" + i, 0, stop, answered, failed);
                    if (i % 100 == 99) {
                        Thread.sleep(300); // spread over 30 s, as agents started over time are
                    }
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                double parked;
                while ((parked = BenchSupport.metricSum(portal, "spicegate_agent_polls_parked", null)) < AGENTS * 0.98
                        && System.nanoTime() < deadline) {
                    Thread.sleep(1000);
                }
                System.out.printf("%,.0f polls parked %d s after the first agent started%n", parked,
                        Duration.ofNanos(System.nanoTime() - t0).toSeconds());
                Thread.sleep(35_000); // one poll period: the polls' timeouts are spread like their starts
                long a0 = answered.get();
                double cpu = BenchSupport.cpuPercent(portal.pid(), Duration.ofSeconds(60));
                long perMinute = answered.get() - a0;
                double heap = BenchSupport.heapAfterGcMiB(portal);
                double rss = BenchSupport.rssMiB(portal.pid());
                parked = BenchSupport.metricSum(portal, "spicegate_agent_polls_parked", null);
                stop.set(true);
                System.out.println("\n=== " + AGENTS + " idle agents on one replica (external PostgreSQL, same machine) ===");
                System.out.printf("no agents:       heap after GC %6.1f MiB, RSS %6.0f MiB, CPU %5.1f %% of one core%n", heap0, rss0, cpu0);
                System.out.printf("%,d agents:   heap after GC %6.1f MiB, RSS %6.0f MiB, CPU %5.1f %% of one core "
                                + "(%,d polls answered in that minute, %,.0f parked, %d failed requests)%n",
                        AGENTS, heap, rss, cpu, perMinute, parked, failed.get());
                System.out.printf("per parked agent: %.1f KiB heap%n", (heap - heap0) * 1024 / AGENTS);
            }
        }
    }

    static void poll(HttpClient http, String base, String secret, long after, AtomicBoolean stop, AtomicLong answered,
                     AtomicLong failed) {
        if (stop.get()) {
            return;
        }
        http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/agent/v1/grants?after=" + after))
                        .header("Authorization", "Bearer " + secret).timeout(Duration.ofSeconds(90)).build(),
                HttpResponse.BodyHandlers.ofString())
                .whenComplete((r, e) -> {
                    long next = after;
                    if (r != null && r.statusCode() == 200) {
                        answered.incrementAndGet();
                        try {
                            next = Api.JSON.readTree(r.body()).get("version").asLong();
                        } catch (Exception ignored) {
                            // keep the old version
                        }
                    } else {
                        failed.incrementAndGet();
                        long again = next;
                        CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS)
                                .execute(() -> poll(http, base, secret, again, stop, answered, failed));
                        return;
                    }
                    poll(http, base, secret, next, stop, answered, failed);
                });
    }
}
