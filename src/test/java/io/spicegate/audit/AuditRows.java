package io.spicegate.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Reads audit rows back into {@link AuditEvent}s, as the tests that re-link the hash chain (an attacker's move) need them. */
final class AuditRows {

    private AuditRows() {
    }

    /** The rows from {@code from} on, in chain order, with every column the hash covers. */
    static List<AuditEvent> from(Statement st, long from) throws SQLException {
        List<AuditEvent> rows = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("select * from audit_event where id >= " + from + " order by id")) {
            while (rs.next()) {
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
                rows.add(e);
            }
        }
        return rows;
    }
}
