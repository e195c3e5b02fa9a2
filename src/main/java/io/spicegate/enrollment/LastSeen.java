package io.spicegate.enrollment;

import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each agent last called this replica, kept in memory and written to {@code last_seen_at} in batches: one
 * {@code UPDATE … FROM (VALUES …)} per agent kind every {@code spicegate.agent.last-seen-flush-seconds} and at
 * shutdown, instead of a row write per poll. The column only ever moves forward ({@code greatest}), so replicas
 * flushing in any order agree. What is lost in a crash is at most one interval of "last seen", never a grant.
 */
@ApplicationScoped
public class LastSeen {

    /** Rows per statement: two bind parameters each, well under PostgreSQL's 65 535. */
    static final int BATCH = 5_000;

    @Inject EntityManager em;

    private final Map<AgentKey, Instant> pending = new ConcurrentHashMap<>();

    /** The agent called in at {@code now}. */
    public void seen(AgentKey agent, Instant now) {
        pending.merge(agent, now, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** How many agents wait to be written. */
    public int pending() {
        return pending.size();
    }

    @Scheduled(every = "${spicegate.agent.last-seen-flush-seconds:60}s", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        flush();
    }

    void onStop(@Observes ShutdownEvent event) {
        try {
            flush();
        } catch (RuntimeException e) {
            // the database is gone first: only "last seen" of the last interval is lost, never a grant
            Log.warnf("last seen of this replica's agents not written at shutdown: %s", e.getMessage());
        }
    }

    /** Writes what is pending, one statement per kind (and per {@link #BATCH} agents); returns the statements run. */
    public int flush() {
        if (pending.isEmpty()) {
            return 0;
        }
        Map<AgentKey, Instant> taken = new HashMap<>();
        for (AgentKey agent : List.copyOf(pending.keySet())) {
            Instant at = pending.get(agent);
            // removed only if no newer call came meanwhile: that one is written next time
            if (at != null && pending.remove(agent, at)) {
                taken.put(agent, at);
            }
        }
        int statements = 0;
        for (AgentKind kind : AgentKind.values()) {
            List<Map.Entry<AgentKey, Instant>> rows = taken.entrySet().stream()
                    .filter(e -> e.getKey().kind() == kind).toList();
            for (int from = 0; from < rows.size(); from += BATCH) {
                List<Map.Entry<AgentKey, Instant>> batch = rows.subList(from, Math.min(rows.size(), from + BATCH));
                QuarkusTransaction.requiringNew().run(() -> write(kind, batch));
                statements++;
            }
        }
        return statements;
    }

    private void write(AgentKind kind, List<Map.Entry<AgentKey, Instant>> rows) {
        List<String> values = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            values.add("(cast(?" + (2 * i + 1) + " as bigint), cast(?" + (2 * i + 2) + " as timestamptz))");
        }
        Query q = em.createNativeQuery("update " + kind.table + " m set last_seen_at = greatest(m.last_seen_at, v.seen) "
                + "from (values " + String.join(", ", values) + ") as v(id, seen) where m.id = v.id");
        for (int i = 0; i < rows.size(); i++) {
            q.setParameter(2 * i + 1, rows.get(i).getKey().id());
            q.setParameter(2 * i + 2, rows.get(i).getValue());
        }
        q.executeUpdate();
    }
}
