package io.spicegate.testing;

import io.agroal.api.AgroalDataSource;
import io.quarkus.arc.Arc;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Direct SQL for assertions on what the portal stored: {@link #connection()} as the portal's runtime role (owns
 * nothing, may only add and read audit rows), {@link #ownerConnection()} as the schema's owner, for tests that act
 * behind the portal's back (tamper with the audit, skip foreign keys).
 */
public final class Db {

    private static Connection tamperSession;

    private Db() {
    }

    public static Connection connection() throws SQLException {
        return Arc.container().instance(AgroalDataSource.class).get().getConnection();
    }

    /** As the owner role that runs the migrations (the embedded default's generated owner credentials). */
    public static Connection ownerConnection() throws SQLException {
        Config c = ConfigProvider.getConfig();
        return DriverManager.getConnection(c.getValue("quarkus.datasource.jdbc.url", String.class),
                c.getValue("quarkus.flyway.username", String.class), c.getValue("quarkus.flyway.password", String.class));
    }

    /**
     * Runs statements as the owner with the audit's append-only trigger switched off, as an attacker holding the
     * owner's password could; the trigger is switched on again afterwards. One session for all calls, so temporary
     * tables made to put rows back live until the test drops them.
     */
    public static synchronized void tamperWithAudit(String... statements) throws SQLException {
        if (tamperSession == null || tamperSession.isClosed()) {
            tamperSession = ownerConnection();
        }
        try (java.sql.Statement st = tamperSession.createStatement()) {
            st.execute("alter table audit_event disable trigger audit_event_no_update");
            try {
                for (String s : statements) {
                    st.execute(s);
                }
            } finally {
                st.execute("alter table audit_event enable trigger audit_event_no_update");
            }
        }
    }

    /** The audit rows about a user, oldest first, as "ACTION|actor|console|detail". */
    public static List<String> auditOf(String username) {
        return strings("select action || '|' || coalesce(actor,'') || '|' || coalesce(console,'') || '|' || coalesce(detail,'') "
                + "from audit_event where username = ? order by id", username);
    }

    public static List<String> strings(String sql, Object... args) {
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static long count(String sql, Object... args) {
        return Long.parseLong(strings(sql, args).get(0));
    }

    public static int update(String sql, Object... args) throws SQLException {
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }
}
