package io.spicegate.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Waits for the audit sealer (io.spicegate.audit.AuditSealer) to link every committed audit row into the chain,
 * instead of a sleep: tests that read or rewrite the chain's links need them filled in. Fails after a generous
 * bound (the sealer takes milliseconds; a shared machine may take longer), naming what is still unsealed.
 */
public final class Sealed {

    static final Duration BOUND = Duration.ofSeconds(30);

    private Sealed() {
    }

    /** Until no committed audit row is unsealed, through the test portal's own database. */
    public static void await() {
        try (Connection c = Db.connection()) {
            await(c);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Until no committed audit row is unsealed, on this connection (autocommit; e.g. a packaged portal's database). */
    public static void await(Connection c) throws SQLException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        long unsealed;
        try (Statement st = c.createStatement()) {
            while ((unsealed = unsealed(st)) > 0) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(unsealed + " audit row(s) still unsealed after " + BOUND.toSeconds() + " s");
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    static long unsealed(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("select count(*) from audit_event where chain_seq is null")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
