package io.spicegate.shared;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When rows were last used (an agent's poll, a personal API token's call), kept in memory and written in batches:
 * one {@code UPDATE … FROM (VALUES …)} per {@link Column} every {@code spicegate.agent.last-seen-flush-seconds} and
 * at shutdown, instead of a row write per call. The column only ever moves forward ({@code greatest}), so replicas
 * flushing in any order agree. What is lost in a crash is at most one interval of "last used", never a decision.
 */
@ApplicationScoped
public class Touches {

    /** Rows per statement: two bind parameters each, well under PostgreSQL's 65 535. */
    static final int BATCH = 5_000;

    /**
     * A {@code timestamptz} column of a table with a {@code bigint id}; both names come from our code (they are
     * written into SQL), never from input.
     */
    public record Column(String table, String column) {
        public Column {
            if (!table.matches("[a-z_]+") || !column.matches("[a-z_]+")) {
                throw new IllegalArgumentException("not an SQL name: " + table + "." + column);
            }
        }
    }

    private record Row(Column column, long id) { }

    @Inject EntityManager em;

    private final Map<Row, Instant> pending = new ConcurrentHashMap<>();

    /** Row {@code id}'s {@code column} was used at {@code now}. */
    public void touch(Column column, long id, Instant now) {
        pending.merge(new Row(column, id), now, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** How many rows of {@code column} wait to be written. */
    public int pending(Column column) {
        return (int) pending.keySet().stream().filter(r -> r.column().equals(column)).count();
    }

    @Scheduled(every = "${spicegate.agent.last-seen-flush-seconds:60}s", delayed = "${spicegate.agent.last-seen-flush-seconds:60}s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        flush();
    }

    /** At shutdown: what is pending is written (the database may already be gone; then it is lost, and said so). */
    public void onStop(@Observes ShutdownEvent event) {
        try {
            flush();
        } catch (RuntimeException e) {
            // the database is gone first: only "last used" of the last interval is lost
            Log.warnf("last seen / last used of this replica's callers not written at shutdown: %s", e.getMessage());
        }
    }

    /** Writes what is pending, one statement per column (and per {@link #BATCH} rows); returns the statements run. */
    public int flush() {
        if (pending.isEmpty()) {
            return 0;
        }
        Map<Column, List<Map.Entry<Long, Instant>>> taken = new LinkedHashMap<>();
        for (Row row : List.copyOf(pending.keySet())) {
            Instant at = pending.get(row);
            // removed only if no newer call came meanwhile: that one is written next time
            if (at != null && pending.remove(row, at)) {
                taken.computeIfAbsent(row.column(), c -> new ArrayList<>()).add(Map.entry(row.id(), at));
            }
        }
        int statements = 0;
        for (Map.Entry<Column, List<Map.Entry<Long, Instant>>> e : taken.entrySet()) {
            List<Map.Entry<Long, Instant>> rows = e.getValue();
            for (int from = 0; from < rows.size(); from += BATCH) {
                List<Map.Entry<Long, Instant>> batch = rows.subList(from, Math.min(rows.size(), from + BATCH));
                QuarkusTransaction.requiringNew().run(() -> write(e.getKey(), batch));
                statements++;
            }
        }
        return statements;
    }

    private void write(Column column, List<Map.Entry<Long, Instant>> rows) {
        List<String> values = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            values.add("(cast(?" + (2 * i + 1) + " as bigint), cast(?" + (2 * i + 2) + " as timestamptz))");
        }
        String c = column.column();
        Query q = em.createNativeQuery("update " + column.table() + " m set " + c + " = greatest(m." + c + ", v.at) "
                + "from (values " + String.join(", ", values) + ") as v(id, at) where m.id = v.id");
        for (int i = 0; i < rows.size(); i++) {
            q.setParameter(2 * i + 1, rows.get(i).getKey());
            q.setParameter(2 * i + 2, rows.get(i).getValue());
        }
        q.executeUpdate();
    }
}
