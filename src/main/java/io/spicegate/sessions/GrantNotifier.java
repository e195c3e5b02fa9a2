package io.spicegate.sessions;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wakes agents' long-polls when their workstation's grants (or their KVM host's tickets) change, on whichever
 * replica they poll: every change does {@code pg_notify('spicegate_grants', <workstation id> | h<host id>)} in its
 * transaction, and each portal
 * LISTENs on one dedicated connection. Memory of one process is never the source of truth, only a wake-up.
 */
@ApplicationScoped
public class GrantNotifier {

    public static final String CHANNEL = "spicegate_grants";

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    Optional<String> url;

    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> username;

    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;

    private final Map<Long, Set<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();
    private volatile boolean running;
    private Thread listener;

    void start(@Observes StartupEvent event) {
        running = true;
        listener = new Thread(this::listen, "grant-notify-listener");
        listener.setDaemon(true);
        listener.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (listener != null) {
            listener.interrupt();
        }
        wakeAll();
    }

    /** A future completed at the next change of this workstation's grants. Register before reading the version. */
    public CompletableFuture<Void> next(long workstationId) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        waiters.computeIfAbsent(workstationId, k -> ConcurrentHashMap.newKeySet()).add(f);
        return f;
    }

    /**
     * A future completed at the next change of this KVM host's tickets. Host keys share the channel with
     * workstation ids: the payload is {@code h<id>}, the waiter key {@code -id}.
     */
    public CompletableFuture<Void> nextForHost(long hostId) {
        return next(-hostId);
    }

    public void forgetForHost(long hostId, CompletableFuture<Void> f) {
        forget(-hostId, f);
    }

    /** The notification payload for a host. */
    static String hostKey(long hostId) {
        return "h" + hostId;
    }

    public void forget(long workstationId, CompletableFuture<Void> f) {
        waiters.computeIfPresent(workstationId, (k, set) -> {
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

    void wake(long workstationId) {
        Set<CompletableFuture<Void>> set = waiters.remove(workstationId);
        if (set != null) {
            set.forEach(f -> f.complete(null));
        }
    }

    /** After a lost connection notifications may have been missed: every waiter re-reads its version. */
    void wakeAll() {
        for (Long id : Set.copyOf(waiters.keySet())) {
            wake(id);
        }
    }

    private void listen() {
        long backoff = 200;
        while (running) {
            try (Connection c = DriverManager.getConnection(url.orElseThrow(), username.orElse(null), password.orElse(null))) {
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                }
                wakeAll();
                backoff = 200;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] batch = pg.getNotifications(1000);
                    if (batch == null) {
                        continue;
                    }
                    for (PGNotification n : batch) {
                        try {
                            String p = n.getParameter();
                            wake(p.startsWith("h") ? -Long.parseLong(p.substring(1)) : Long.parseLong(p));
                        } catch (NumberFormatException e) {
                            wakeAll();
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
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
