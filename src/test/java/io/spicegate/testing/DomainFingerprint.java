package io.spicegate.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of the domain tables, one text per table read in one query, to prove that a refused call changed
 * nothing: take one before and one after, compare, and name the {@link #changed} tables.
 */
public final class DomainFingerprint {

    /** The domain: everything but the audit log, the login bookkeeping and Flyway's history. */
    public static final List<String> DOMAIN_TABLES = List.of("app_user", "user_group", "group_member", "kvm_host", "console",
            "workstation", "workstation_address", "access_rule", "rule_window", "rule_approver", "console_session",
            "access_request", "api_token");

    private final Map<String, String> digests;
    private final List<String> order;
    private final String sql;

    private DomainFingerprint(Map<String, String> digests) {
        this.digests = Map.copyOf(digests);
        StringBuilder sb = new StringBuilder("select ");
        digests.values().forEach(d -> sb.append(sb.length() > 7 ? ", " : "").append("(").append(d).append(")::text"));
        this.sql = sb.toString();
        this.order = List.copyOf(digests.keySet());
    }

    /** Per table: an md5 of all its rows, whole. */
    public static DomainFingerprint contents(List<String> tables) {
        Map<String, String> d = new LinkedHashMap<>();
        for (String t : tables) {
            d.put(t, "select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from " + t + " x");
        }
        return new DomainFingerprint(d);
    }

    /**
     * Columns the portal writes on its own, in the background: the agents' last seen and the API tokens' last used,
     * flushed once a minute ({@code shared/Touches}). A fingerprint that saw them would race that flush.
     */
    static final Map<String, String> BACKGROUND = Map.of("workstation", "last_seen_at", "kvm_host", "last_seen_at",
            "api_token", "last_used_at");

    /**
     * Per table: its row count and newest row version ({@code xmin}), so an insert, update or delete shows; for a table
     * with a {@link #BACKGROUND} column, an md5 of its rows without that column instead.
     */
    public static DomainFingerprint versions(List<String> tables) {
        Map<String, String> d = new LinkedHashMap<>();
        for (String t : tables) {
            String background = BACKGROUND.get(t);
            d.put(t, background == null ? "select count(*) || '/' || coalesce(max(xmin::text::bigint), 0) from " + t
                    : "select count(*) || '/' || md5(coalesce(string_agg((to_jsonb(x) - '" + background + "')::text, '|' "
                    + "order by (to_jsonb(x) - '" + background + "')::text), '')) from " + t + " x");
        }
        return new DomainFingerprint(d);
    }

    /** Per table: its row count, and an md5 of the texts a query of the caller's own rows yields (one text column). */
    public static DomainFingerprint rows(Map<String, String> rowQueryByTable) {
        Map<String, String> d = new LinkedHashMap<>();
        rowQueryByTable.forEach((table, rows) -> d.put(table, "select (select count(*) from " + table + ")::text || '/' || "
                + "(select coalesce(md5(string_agg(x, '|' order by x)), '') from (" + rows + ") as q(x))"));
        return new DomainFingerprint(d);
    }

    /** This fingerprint and one more entry: a scalar SQL query yielding text. */
    public DomainFingerprint and(String name, String scalarQuery) {
        Map<String, String> d = new LinkedHashMap<>();
        order.forEach(k -> d.put(k, digests.get(k)));
        d.put(name, scalarQuery);
        return new DomainFingerprint(d);
    }

    /** Takes the fingerprint on a new connection of the test database. */
    public Map<String, String> take() {
        try (Connection c = Db.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return read(rs);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The statement to take this fingerprint many times on one connection ({@link #take(PreparedStatement)}). */
    public PreparedStatement prepare(Connection connection) throws SQLException {
        return connection.prepareStatement(sql);
    }

    public Map<String, String> take(PreparedStatement prepared) {
        try (ResultSet rs = prepared.executeQuery()) {
            return read(rs);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> read(ResultSet rs) throws SQLException {
        rs.next();
        Map<String, String> f = new TreeMap<>();
        for (int i = 0; i < order.size(); i++) {
            f.put(order.get(i), rs.getString(i + 1));
        }
        return f;
    }

    /** The tables whose entry differs between two fingerprints. */
    public static List<String> changed(Map<String, String> before, Map<String, String> after) {
        return before.keySet().stream().filter(k -> !before.get(k).equals(after.get(k))).toList();
    }
}
