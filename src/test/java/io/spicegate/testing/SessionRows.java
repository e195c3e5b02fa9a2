package io.spicegate.testing;

import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Console sessions written straight into the table, for session-log tests that need known rows at known times
 * (the portal itself only ever starts sessions now). Terminal rows may be deleted again; the trigger only guards updates.
 */
public final class SessionRows {

    private SessionRows() {
    }

    /** A finished session of one hour from {@code start}, in a terminal {@code state}. */
    public static UUID finished(String user, String console, String workstation, Instant start, String state, Long requestId) {
        UUID id = UUID.randomUUID();
        Instant end = start.plus(Duration.ofHours(1));
        try (java.sql.Connection c = Db.ownerConnection(); java.sql.Statement st = c.createStatement();
             java.sql.PreparedStatement ps = c.prepareStatement("insert into console_session (id, username, unix_username, "
                     + "console_name, workstation_name, source_address, starts_at, ends_at, state, ended_at, ended_by, end_reason, "
                     + "approved_request_id, vv_nonce) values (?, ?, ?, ?, ?, '10.0.0.9', ?, ?, ?, ?, ?, ?, ?, 'n')")) {
            // synthetic history may name request ids that do not exist: skip the foreign key for this row
            st.execute("set session_replication_role = replica");
            Object[] args = {id, user, user, console, workstation, Timestamp.from(start), Timestamp.from(end), state,
                    Timestamp.from(end), "EXPIRED".equals(state) ? "system" : user, "EXPIRED".equals(state) ? "time is up" : "test",
                    requestId};
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
            st.execute("set session_replication_role = origin");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return id;
    }

    /** Removes every session of users whose name starts with {@code prefix}. */
    public static int deleteUsersStartingWith(String prefix) {
        try {
            return Db.update("delete from console_session where username like ?", prefix.replace("_", "\\_") + "%");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
