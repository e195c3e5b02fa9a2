package io.spicegate.sessions;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.spicegate.enrollment.AgentKey;
import io.spicegate.enrollment.AgentMemory;
import io.spicegate.rules.RulesChanged;
import io.spicegate.shared.DedicatedConnections;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wakes agents' long-polls when their workstation's grants (or their KVM host's tickets) change, on whichever
 * replica they poll: every change does {@code pg_notify('spicegate_grants', <workstation id> | h<host id>)} (an
 * {@link AgentKey}'s payload) in its transaction, and each portal LISTENs on one dedicated connection. Memory of
 * one process is never the source of truth, only a wake-up: a notification naming an agent also makes this replica
 * forget what it remembers of it ({@link AgentMemory}: its bearer, version, idle answer), the payload
 * {@link GrantService#DESTINATIONS_CHANGED} its protected destinations, and a lost connection all of it. The same
 * connection LISTENs for the rules version ({@link RulesChanged}), so that each replica drops compiled rule sets as
 * soon as another one commits a change.
 */
@ApplicationScoped
public class GrantNotifier {

    public static final String CHANNEL = AgentKey.CHANNEL;

    @Inject DedicatedConnections connections;

    @Inject AgentMemory memory;
    @Inject GrantService grants;

    @Inject Event<RulesChanged> rulesChanged;

    private final Map<AgentKey, Set<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();
    private volatile boolean running;
    private Thread listener;

    void start(@Observes StartupEvent event) {
        running = true;
        listener = new Thread(this::listen, "grant-notify-listener");
        listener.setDaemon(true);
        listener.start();
    }

    /**
     * The stop begins ({@code quarkus.shutdown.delay}, while the HTTP server still answers): parked polls are told to
     * poll again (503) now, not cut when the server closes, and new ones are told at once.
     */
    void draining(@Observes ShutdownDelayInitiatedEvent event) {
        stop(null);
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (listener != null) {
            listener.interrupt();
        }
        wakeAll();
    }

    /** A future completed at the next change of this agent's work. Register before reading the version. */
    public CompletableFuture<Void> next(AgentKey agent) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        waiters.computeIfAbsent(agent, k -> ConcurrentHashMap.newKeySet()).add(f);
        return f;
    }

    public void forget(AgentKey agent, CompletableFuture<Void> f) {
        waiters.computeIfPresent(agent, (k, set) -> {
            set.remove(f);
            return set.isEmpty() ? null : set;
        });
    }

    /** True once the portal is shutting down: parked polls are answered without touching the database. */
    public boolean stopping() {
        return !running;
    }

    public int waiting() {
        return waiters.values().stream().mapToInt(Set::size).sum();
    }

    void wake(AgentKey agent) {
        memory.forget(agent);
        Set<CompletableFuture<Void>> set = waiters.remove(agent);
        if (set != null) {
            set.forEach(f -> f.complete(null));
        }
    }

    /**
     * After a lost connection notifications may have been missed: every waiter re-reads its version, and every
     * compiled rule set is dropped (readers check the version anyway; this only frees them early).
     */
    void wakeAll() {
        memory.forgetAll();
        grants.forgetDestinations();
        rulesChanged.fire(new RulesChanged(null));
        for (AgentKey agent : Set.copyOf(waiters.keySet())) {
            wake(agent);
        }
    }

    private void listen() {
        long backoff = 200;
        while (running) {
            try (Connection c = connections.open()) {
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                    st.execute("LISTEN " + RulesChanged.CHANNEL);
                }
                wakeAll();
                memory.listening(true);
                backoff = 200;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] batch = pg.getNotifications(1000);
                    if (batch == null) {
                        continue;
                    }
                    for (PGNotification n : batch) {
                        if (RulesChanged.CHANNEL.equals(n.getName())) {
                            rulesChanged.fire(new RulesChanged(n.getParameter()));
                            continue;
                        }
                        if (GrantService.DESTINATIONS_CHANGED.equals(n.getParameter())) {
                            // sent before the agents' own notifications in the same transaction: they read the new list
                            grants.forgetDestinations();
                            continue;
                        }
                        try {
                            wake(AgentKey.parse(n.getParameter()));
                        } catch (NumberFormatException e) {
                            wakeAll();
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                memory.listening(false);
                if (!running) {
                    return;
                }
                Log.warnf("grant notifications: %s; reconnecting in %d ms", e.getMessage(), backoff);
                wakeAll();
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                // at most a second: a failed connect is cheap, and cross-replica wake-ups resume soon after an outage
                backoff = Math.min(backoff * 2, 1000);
            }
        }
    }
}
