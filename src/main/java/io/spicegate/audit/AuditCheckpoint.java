package io.spicegate.audit;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies the audit chain's head (its newest sealed row, see {@link AuditSealer}) outside the table — a log line and the metric {@code spicegate_audit_head_id}
 * — every minute it moved, so that cutting off the newest rows is detectable: the verifier is given the last
 * checkpoint and names the missing row.
 */
@ApplicationScoped
public class AuditCheckpoint {

    @Inject EntityManager em;

    private final AtomicLong headId = new AtomicLong();
    private final AtomicLong rows = new AtomicLong();
    private volatile String headHash;

    void register(@Observes StartupEvent e, MeterRegistry registry) {
        Gauge.builder("spicegate_audit_head_id", headId, AtomicLong::get)
                .description("id of the audit chain's newest sealed row at the last checkpoint").register(registry);
        Gauge.builder("spicegate_audit_rows", rows, AtomicLong::get)
                .description("sealed audit rows at the last checkpoint").register(registry);
    }

    @Scheduled(every = "60s", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @Transactional
    void checkpoint() {
        @SuppressWarnings("unchecked")
        // the chain's head is its last sealed place (ids are not the chain's order); places run 1, 2, 3, ...
        List<Object[]> head = em.createNativeQuery("select id, hash, chain_seq from audit_event where chain_seq is not null "
                + "order by chain_seq desc limit 1").getResultList();
        if (head.isEmpty()) {
            return;
        }
        long id = ((Number) head.get(0)[0]).longValue();
        if (id != headId.get()) {
            headId.set(id);
            headHash = (String) head.get(0)[1];
            rows.set(((Number) head.get(0)[2]).longValue());
            Log.infof("audit checkpoint head=%d hash=%s rows=%d", id, headHash, rows.get());
        }
    }

    public long headId() {
        return headId.get();
    }

    public String headHash() {
        return headHash;
    }
}
