package io.spicegate.shared;

import jakarta.transaction.RollbackException;
import org.hibernate.exception.GenericJDBCException;
import org.hibernate.exception.JDBCConnectionException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import java.sql.SQLException;
import javax.transaction.xa.XAException;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Which failures mean "the database is not there right now" (answered 503 with Retry-After, PostgresRestartIT shows
 * them under a real restart) and which are ordinary failures (500 with an error number).
 */
class DatabaseUnreachableTest {

    @Test
    void lostRefusedAndShuttingDownConnectionsAreUnreachable() {
        assertNotNull(ErrorMappers.databaseUnreachable(new JDBCConnectionException("JDBC exception executing SQL",
                new PSQLException("An I/O error occurred while sending to the backend.", PSQLState.CONNECTION_FAILURE))));
        assertNotNull(ErrorMappers.databaseUnreachable(new IllegalStateException(new PSQLException(
                "Connection to 127.0.0.1:5432 refused.", PSQLState.CONNECTION_UNABLE_TO_CONNECT))));
        assertNotNull(ErrorMappers.databaseUnreachable(new RuntimeException(new SQLException("This connection has been closed.", "08003"))));
        // a fast shutdown (57P01), a crash of another backend (57P02), the server still starting or in recovery (57P03)
        for (String state : new String[] {"57P01", "57P02", "57P03"}) {
            assertNotNull(ErrorMappers.databaseUnreachable(new GenericJDBCException("could not execute statement",
                    new SQLException("FATAL: terminating connection", state))), state);
        }
    }

    /** The shape of a commit that failed because the server went away (seen in PostgresRestartIT). */
    @Test
    void aCommitCutOffByAShutdownIsUnreachable() {
        RollbackException rollback = new RollbackException("ARJUNA016053: Could not commit transaction.");
        XAException xa = new XAException("Error trying to transactionCommit local transaction: FATAL: terminating connection");
        xa.initCause(new SQLException("FATAL: terminating connection due to administrator command", "57P01"));
        rollback.addSuppressed(xa);
        assertNotNull(ErrorMappers.databaseUnreachable(new IllegalStateException("Error invoking subclass method", rollback)));
        assertNull(ErrorMappers.databaseUnreachable(new RollbackException("marked rollback-only")));
    }

    @Test
    void otherDatabaseFailuresAreNot() {
        assertNull(ErrorMappers.databaseUnreachable(new GenericJDBCException("could not execute statement",
                new SQLException("duplicate key value violates unique constraint", "23505"))));
        assertNull(ErrorMappers.databaseUnreachable(new SQLException("no state")));
        assertNull(ErrorMappers.databaseUnreachable(new IllegalStateException("not a database failure")));
    }
}
