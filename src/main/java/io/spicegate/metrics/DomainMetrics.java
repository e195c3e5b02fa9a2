package io.spicegate.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.spicegate.sessions.GrantNotifier;
import io.spicegate.shared.SpicegateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The domain's gauges on {@code /q/metrics}: live console sessions, grants waiting for an agent's ack, how long
 * ago the stalest agent was seen and how many are past their lease, pending off-hours requests, and long-polls
 * parked on this replica. The database figures are the same on every replica; each replica re-reads them every
 * 10 s (one query), so a scrape never waits for the database and never blocks the event loop.
 */
@ApplicationScoped
public class DomainMetrics {

    @Inject EntityManager em;
    @Inject Clock clock;
    @Inject SpicegateConfig config;
    @Inject GrantNotifier notifier;

    /** The last figures read from the database; every gauge reads one field. */
    record Figures(double activeSessions, double awaitingAck, double oldestAgentSeenSeconds, double staleAgents,
                   double pendingApprovals) {
        static final Figures NONE = new Figures(0, 0, 0, 0, 0);
    }

    private volatile Figures figures = Figures.NONE;

    void register(@Observes StartupEvent e, MeterRegistry registry) {
        Gauge.builder("spicegate_sessions_active", this, m -> m.figures.activeSessions())
                .description("console sessions ACTIVE now (all replicas; refreshed every 10 s)").register(registry);
        Gauge.builder("spicegate_grants_awaiting_ack", this, m -> m.figures.awaitingAck())
                .description("live sessions on agent workstations whose grant the agent has not acknowledged yet")
                .register(registry);
        Gauge.builder("spicegate_agents_oldest_seen_seconds", this, m -> m.figures.oldestAgentSeenSeconds())
                .description("seconds since the least recently seen enrolled, active workstation agent polled")
                .baseUnit("seconds").register(registry);
        Gauge.builder("spicegate_agents_stale", this, m -> m.figures.staleAgents())
                .description("enrolled, active workstation agents not seen for longer than the lease (plus the "
                        + "last-seen flush interval: replicas write last seen in batches)").register(registry);
        Gauge.builder("spicegate_approvals_pending", this, m -> m.figures.pendingApprovals())
                .description("off-hours requests waiting for an approver (0 where the feature is not installed)")
                .register(registry);
        Gauge.builder("spicegate_agent_parked_polls", notifier, GrantNotifier::waiting)
                .description("agent long-polls parked on this replica, waiting for a change").register(registry);
        // the earlier name of the same gauge, kept for existing dashboards and alerts
        Gauge.builder("spicegate_agent_polls_parked", notifier, GrantNotifier::waiting)
                .description("agent long-polls parked on this replica (old name of spicegate_agent_parked_polls)")
                .register(registry);
        // incremented by AuthService; registered here so that both series exist (at 0) from the start
        registry.counter("spicegate_logins_failed", "method", "form");
        registry.counter("spicegate_logins_failed", "method", "basic");
    }

    @Scheduled(every = "10s", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @Transactional
    void refresh() {
        figures = read(clock.instant());
    }

    /** One round trip for the session and agent figures; the requests table is asked about only where it exists. */
    Figures read(Instant now) {
        OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
        Object[] row = (Object[]) em.createNativeQuery("""
                select (select count(*) from console_session where state = 'ACTIVE' and ends_at > ?1),
                       (select count(*) from console_session s join workstation w on w.id = s.workstation_id
                         where s.state = 'ACTIVE' and s.ends_at > ?1 and w.secret_hash is not null
                           and s.grant_applied_at is null and s.firewall_error is null),
                       (select coalesce(extract(epoch from (?1 - min(coalesce(last_seen_at, enrolled_at)))), 0)
                          from workstation where active and secret_hash is not null),
                       (select count(*) from workstation where active and secret_hash is not null
                           and coalesce(last_seen_at, enrolled_at) < ?2),
                       to_regclass('access_request') is not null""")
                .setParameter(1, at).setParameter(2, at.minusSeconds(staleAfterSeconds(config)))
                .getSingleResult();
        double pending = 0;
        if (Boolean.TRUE.equals(row[4])) {
            // the off-hours requests feature (V3) may not be installed on this database yet
            pending = ((Number) em.createNativeQuery("select count(*) from access_request where state = 'PENDING'")
                    .getSingleResult()).doubleValue();
        }
        return new Figures(num(row[0]), num(row[1]), Math.max(0, num(row[2])), num(row[3]), pending);
    }

    /**
     * An agent is stale once not seen for longer than its lease plus the last-seen flush interval: each replica
     * writes last seen only that often ({@code enrollment/LastSeen}), so a polling agent never looks stale.
     */
    public static long staleAfterSeconds(SpicegateConfig config) {
        return (long) config.agent().leaseSeconds() + config.agent().lastSeenFlushSeconds();
    }

    private static double num(Object o) {
        return o == null ? 0 : ((Number) o).doubleValue();
    }
}
