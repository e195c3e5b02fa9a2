package io.spicegate.audit;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.spicegate.shared.DedicatedConnections;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Links committed audit rows into the hash chain, one sealer per cluster: appends insert rows unchained (see
 * {@link AuditLog}), so the order of the chain is the sealer's own ({@code chain_seq}), never the ids, which a
 * sequence hands out before commit. Every replica runs this loop; only the one whose dedicated connection holds the
 * session-level advisory lock {@link #SEAL_LOCK} seals, and it seals on that same connection, so a replica that lost
 * its connection (and with it the lock) cannot write a link any more. When the holder dies, PostgreSQL ends its
 * session and frees the lock, and a standby, which tries every {@link #RETRY_MS} ms, takes over. The sealer wakes on
 * the {@code NOTIFY} each append sends at its commit (gathering {@link #GATHER_MS} ms of commits into one round), and
 * polls every {@link #POLL_MS} ms besides.
 */
@ApplicationScoped
public class AuditSealer {

    public static final String CHANNEL = "spicegate_audit";
    /** "SPICE": once the lock every append waited for, now the sealer's alone. */
    static final long SEAL_LOCK = 0x5350494345L;
    static final int BATCH = 1000;
    static final int POLL_MS = 1000;
    static final int RETRY_MS = 500;
    /**
     * After a wake-up, the commits of this many ms more are sealed in the same round: under a storm of appends one
     * round (two reads, a batch of updates, a commit) per 20 ms, not one per append.
     */
    static final int GATHER_MS = 20;

    @Inject DedicatedConnections connections;

    @Inject AuditKey key;
    @Inject EntityManager em;

    /** The unsealed rows: how many, how long the oldest has waited (seconds, by the database's clock), its id. */
    public record Tail(long rows, double oldestSeconds, Long oldestId) { }

    private final AtomicBoolean holding = new AtomicBoolean();
    private final AtomicLong sealed = new AtomicLong();
    private volatile Tail lastTail = new Tail(0, 0, null);
    private volatile boolean running;
    private volatile Connection connection;
    private Thread thread;

    void start(@Observes StartupEvent e, MeterRegistry registry) {
        Gauge.builder("spicegate_audit_seal_lag_seconds", this, s -> s.lastTail.oldestSeconds())
                .description("how long the oldest unsealed audit row has waited for the sealer (0 when none)").register(registry);
        Gauge.builder("spicegate_audit_unsealed_rows", this, s -> s.lastTail.rows())
                .description("audit rows not yet linked into the chain").register(registry);
        Gauge.builder("spicegate_audit_sealer", holding, h -> h.get() ? 1 : 0)
                .description("1 while this replica is the cluster's audit sealer").register(registry);
        running = true;
        thread = new Thread(this::run, "audit-sealer");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent e) {
        running = false;
        Connection c = connection;
        if (c != null) {
            try {
                c.close(); // frees the lock now, so a standby takes over without waiting for this process to end
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }

    /** True while this replica holds the seal lock. */
    public boolean sealing() {
        return holding.get();
    }

    /** Rows this replica has sealed since it started. */
    public long sealedHere() {
        return sealed.get();
    }

    /** The unsealed tail now. */
    @Transactional
    public Tail tail() {
        Object[] r = (Object[]) em.createNativeQuery("select count(*), coalesce(extract(epoch from clock_timestamp() "
                + "- min(appended_at)), 0), min(id) from audit_event where chain_seq is null").getSingleResult();
        return new Tail(((Number) r[0]).longValue(), Math.max(0, ((Number) r[1]).doubleValue()),
                r[2] == null ? null : ((Number) r[2]).longValue());
    }

    /** Every replica keeps its metrics of the tail current, sealer or not. */
    @Scheduled(every = "5s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshTail() {
        lastTail = tail();
    }

    private void run() {
        while (running) {
            try (Connection c = connections.open()) {
                connection = c;
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running && !tryLock(c)) {
                    pg.getNotifications(RETRY_MS);
                }
                if (!running) {
                    return;
                }
                holding.set(true);
                Log.infof("audit sealer: this replica seals the audit chain now");
                while (running) {
                    int n;
                    do {
                        n = sealRound(c); // a long tail: the next batch at once
                    } while (running && n == BATCH);
                    PGNotification[] woken = pg.getNotifications(POLL_MS);
                    if (woken != null && woken.length > 0) {
                        Thread.sleep(GATHER_MS);
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (SQLException | RuntimeException e) {
                boolean held = holding.getAndSet(false);
                if (!running) {
                    // stop() closed the connection under it: the lock is free for a standby
                    if (held) {
                        Log.infof("audit sealer: this replica stopped sealing (it is stopping)");
                    }
                    return;
                }
                if (held) {
                    Log.warnf("audit sealer: this replica stopped sealing: %s", e.getMessage());
                }
                Log.warnf("audit sealer: %s; retrying in %d ms", e.getMessage(), RETRY_MS);
                try {
                    Thread.sleep(RETRY_MS);
                } catch (InterruptedException ie) {
                    return;
                }
            } finally {
                holding.set(false);
                connection = null;
            }
        }
    }

    private static boolean tryLock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_try_advisory_lock(?)")) {
            ps.setLong(1, SEAL_LOCK);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Links up to {@link #BATCH} committed unsealed rows after the chain's head, in one transaction; returns how many.
     * The head is read from the table each round, so a sealer that takes over continues where the last one stopped.
     * Rows that carry a link without a place in the chain were planted; they are left for the verifier to name.
     */
    int sealRound(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try {
            long seq = 0;
            String prev = AuditLog.GENESIS;
            List<AuditEvent> rows = new ArrayList<>();
            try (Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("select chain_seq, hash from audit_event where chain_seq is not null "
                        + "order by chain_seq desc limit 1")) {
                    if (rs.next()) {
                        seq = rs.getLong(1);
                        prev = rs.getString(2);
                    }
                }
                try (ResultSet rs = st.executeQuery("select * from audit_event where chain_seq is null and hash is null "
                        + "order by id limit " + BATCH)) {
                    while (rs.next()) {
                        rows.add(read(rs));
                    }
                }
            }
            if (!rows.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("update audit_event set prev_hash = ?, hash = ?, chain_seq = ? "
                        + "where id = ? and chain_seq is null")) {
                    for (AuditEvent row : rows) {
                        row.prevHash = prev;
                        row.hash = key.mac(AuditLog.canonical(row));
                        ps.setString(1, row.prevHash);
                        ps.setString(2, row.hash);
                        ps.setLong(3, ++seq);
                        ps.setLong(4, row.id);
                        ps.addBatch();
                        prev = row.hash;
                    }
                    for (int n : ps.executeBatch()) {
                        if (n != 1) {
                            throw new SQLException("an audit row was sealed by someone else meanwhile");
                        }
                    }
                }
            }
            c.commit();
            sealed.addAndGet(rows.size());
            return rows.size();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** An audit row as stored, with every column its link covers. */
    public static AuditEvent read(ResultSet rs) throws SQLException {
        AuditEvent e = new AuditEvent();
        e.id = rs.getLong("id");
        e.at = rs.getObject("at", OffsetDateTime.class).toInstant();
        e.actor = rs.getString("actor");
        e.action = rs.getString("action");
        e.username = rs.getString("username");
        e.console = rs.getString("console");
        e.workstation = rs.getString("workstation");
        e.sessionId = rs.getObject("session_id", UUID.class);
        e.source = rs.getString("source");
        e.detail = rs.getString("detail");
        e.rowNonce = rs.getString("row_nonce");
        e.rowMac = rs.getString("row_mac");
        e.prevHash = rs.getString("prev_hash");
        e.hash = rs.getString("hash");
        long seq = rs.getLong("chain_seq");
        e.chainSeq = rs.wasNull() ? null : seq;
        return e;
    }
}
