package io.spicegate.testing;

import io.agroal.api.AgroalDataSource;
import io.quarkus.arc.Arc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Direct SQL for assertions on what the portal stored. */
public final class Db {

    private Db() {
    }

    public static Connection connection() throws SQLException {
        return Arc.container().instance(AgroalDataSource.class).get().getConnection();
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
