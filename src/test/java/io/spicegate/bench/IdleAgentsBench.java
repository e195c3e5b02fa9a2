package io.spicegate.bench;

import io.spicegate.testing.Api;
import io.spicegate.testing.ExternalPostgres;
import io.spicegate.testing.PortalProcess;
import io.spicegate.testing.ScaleRows;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Benchmark (bench profile, not CI): idle agents long-polling one portal replica that holds 2 000 consoles on 100
 * KVM hosts ({@link ScaleRows#consoles}). Side by side in one run, on the portal process: no agents, then 1 000,
 * then 10 000. CPU is the portal PID's user + system time from /proc over a minute, taken after a warm-up and one
 * whole poll period at each step (so every agent renewed at least once and start-up work is over); heap is the heap
 * in use after a full GC (jcmd GC.run). Every agent re-polls when its poll ends, asking to be held 60 s as the shipped
 * agent does: 17 renewals/s per 1 000 agents. Needs ulimit -n above 10 000 (10 000 sockets in this JVM and in the portal, which inherits it).
 */
class IdleAgentsBench {

    static final int AGENTS = 10_000;
    static final int CONSOLES = 2_000;
    /** How long the agents ask the portal to hold a poll: what the shipped agent asks ({@code poll.timeout.seconds} 70 less 10). */
    static final Duration POLL_PERIOD = Duration.ofSeconds(60);
    /** Why polls failed (an HTTP status or the client's exception), for the report. */
    static final Map<String, AtomicLong> FAILURES = new java.util.concurrent.ConcurrentHashMap<>();

    record Step(int agents, double cpu, double heap, double rss, long answeredPerMinute, double parked, long failed) {
    }

    @Test
    void idleAgents() throws Exception {
        long limit = BenchSupport.openFilesLimit();
        System.out.println("open files limit (ulimit -n): " + limit);
        assertTrue(limit > AGENTS + 1000, "raise ulimit -n above " + (AGENTS + 1000) + " (it is " + limit + ")");
        try (ExternalPostgres pg = ExternalPostgres.start()) {
            String db = pg.database("spicegate");
            Map<String, String> env = pg.portalEnv(db);
            env.put("QUARKUS_LOG_CATEGORY__IO_SPICEGATE_AUDIT__LEVEL", "WARN");
            try (PortalProcess portal = PortalProcess.start("bench-idle", BenchSupport.profiled(env, "idle-agents")); Connection sql = pg.connect(db)) {
                ScaleRows.consoles(sql, "idle", CONSOLES, 20);
                BenchSupport.seedAgents(sql, "idle", "sga_idle_", AGENTS, "10.70.");
                Thread.sleep(60_000); // started, scheduled jobs ran, start-up compilation settled
                List<Step> steps = new ArrayList<>();
                steps.add(measure(portal, 0, new AtomicLong(), new AtomicLong()));

                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong answered = new AtomicLong();
                AtomicLong failed = new AtomicLong();
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(20)).build();
                int started = 0;
                for (int target : new int[] {1_000, AGENTS}) {
                    for (; started < target; started++) {
                        poll(client, portal.base, "sga_idle_" + started, 0, null, stop, answered, failed);
                        if (started % 100 == 99) {
                            Thread.sleep(300); // 333 starts a second, as agents started over time are
                        }
                    }
                    awaitParked(portal, target);
                    Thread.sleep(POLL_PERIOD.plusSeconds(5).toMillis()); // every agent renewed once: timeouts spread like starts
                    steps.add(measure(portal, target, answered, failed));
                }
                stop.set(true);
                report(steps);
            }
        }
    }

    /** Waits (at most two minutes) until nearly all {@code agents} polls are parked. */
    static void awaitParked(PortalProcess portal, int agents) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (BenchSupport.metricSum(portal, "spicegate_agent_parked_polls", null) < agents * 0.98
                && System.nanoTime() < deadline) {
            Thread.sleep(1000);
        }
    }

    /** A minute of the portal's CPU, then its heap after GC, resident memory, parked polls and failures so far. */
    static Step measure(PortalProcess portal, int agents, AtomicLong answered, AtomicLong failed) throws Exception {
        long a0 = answered.get();
        double cpu = BenchSupport.cpuPercent(portal.pid(), Duration.ofSeconds(60));
        long perMinute = answered.get() - a0;
        double heap = BenchSupport.heapAfterGcMiB(portal);
        double rss = BenchSupport.rssMiB(portal.pid());
        double parked = BenchSupport.metricSum(portal, "spicegate_agent_parked_polls", null);
        Step step = new Step(agents, cpu, heap, rss, perMinute, parked, failed.get());
        System.out.println("measured: " + step);
        return step;
    }

    static void report(List<Step> steps) {
        Step none = steps.get(0);
        System.out.println("\n=== idle agents on one replica, " + CONSOLES + " consoles (external PostgreSQL, same machine) ===");
        for (Step s : steps) {
            double extra = s.cpu() - none.cpu();
            System.out.printf("%,6d agents: CPU %5.1f %% of one core (%+5.1f %% vs none; %s), heap after GC %6.1f MiB, "
                            + "RSS %5.0f MiB, %,d polls answered in that minute, %,.0f parked, %d failed%n",
                    s.agents(), s.cpu(), extra,
                    s.agents() == 0 ? "-" : String.format("%.2f %% per 1 000", extra * 1000 / s.agents()),
                    s.heap(), s.rss(), s.answeredPerMinute(), s.parked(), s.failed());
        }
        System.out.println("failed polls by cause: " + FAILURES);
    }

    /** As the shipped agent polls: after its version, saying how long it waits and which protected list it has. */
    static void poll(HttpClient http, String base, String secret, long after, String have, AtomicBoolean stop,
                     AtomicLong answered, AtomicLong failed) {
        if (stop.get()) {
            return;
        }
        http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/agent/v1/grants?after=" + after
                                + "&wait=" + POLL_PERIOD.toSeconds() + (have == null ? "" : "&have=" + have)))
                        .header("Authorization", "Bearer " + secret).timeout(Duration.ofSeconds(90)).build(),
                HttpResponse.BodyHandlers.ofString())
                .whenComplete((r, e) -> {
                    long next = after;
                    String tag = have;
                    if (r != null && r.statusCode() == 200) {
                        answered.incrementAndGet();
                        try {
                            com.fasterxml.jackson.databind.JsonNode set = Api.JSON.readTree(r.body());
                            next = set.get("version").asLong();
                            tag = set.hasNonNull("protectedTag") ? set.get("protectedTag").asText() : null;
                        } catch (Exception ignored) {
                            // keep the old version
                        }
                    } else {
                        failed.incrementAndGet();
                        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                                ? e.getCause() : e;
                        FAILURES.computeIfAbsent(r != null ? "HTTP " + r.statusCode() : cause.getClass().getSimpleName(),
                                k -> new AtomicLong()).incrementAndGet();
                        long again = next;
                        String had = tag;
                        CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS)
                                .execute(() -> poll(http, base, secret, again, had, stop, answered, failed));
                        return;
                    }
                    poll(http, base, secret, next, tag, stop, answered, failed);
                });
    }
}
