package io.spicegate.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Reads audit rows back into {@link AuditEvent}s, as the tests that re-link the hash chain (an attacker's move) need them. */
final class AuditRows {

    private AuditRows() {
    }

    /** The rows from row {@code from} on, in chain order, with every column the hash covers. */
    static List<AuditEvent> from(Statement st, long from) throws SQLException {
        List<AuditEvent> rows = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("select * from audit_event where chain_seq >= (select chain_seq from audit_event "
                + "where id = " + from + ") order by chain_seq")) {
            while (rs.next()) {
                rows.add(AuditSealer.read(rs));
            }
        }
        return rows;
    }

    /** The link of the row before row {@code id} in the chain. */
    static String prevOf(Statement st, long id) throws SQLException {
        try (ResultSet rs = st.executeQuery("select prev_hash from audit_event where id = " + id)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
