package io.spicegate.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A million finished console sessions, written by PostgreSQL itself ({@code generate_series}), for the session
 * log's scale tests: 1000 users, 50 consoles, 200 workstations, one session a minute from 2020-01-01; every
 * 500th REVOKED, every 250th authorised by a request. Ids ascend with the start (appending to the primary key
 * is what keeps a million inserts to seconds). All are marked by the user name prefix {@link #PREFIX} and removed
 * again by {@link #delete()}.
 */
public final class ScaleRows {

    public static final String PREFIX = "zz-scale-";

    private ScaleRows() {
    }

    /** Inserts {@code n} sessions and refreshes the planner's statistics; returns the milliseconds it took. */
    public static long insert(int n) throws SQLException {
        long t0 = System.nanoTime();
        try (Connection c = Db.ownerConnection(); Statement st = c.createStatement()) {
            // synthetic history: some rows name request ids that do not exist; skip the foreign key for them
            st.execute("set session_replication_role = replica");
            st.execute("""
                    insert into console_session (id, username, unix_username, console_name, workstation_name, source_address,
                                                 starts_at, ends_at, state, ended_at, ended_by, end_reason,
                                                 approved_request_id, vv_nonce)
                    select ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, '%1$s' || (i %% 1000), 'zzs' || (i %% 1000), 'scale-vm-' || (i %% 50),
                           'scale-ws-' || (i %% 200), '10.1.' || (i %% 200) || '.7',
                           timestamptz '2020-01-01 00:00Z' + i * interval '1 minute',
                           timestamptz '2020-01-01 00:30Z' + i * interval '1 minute',
                           case when i %% 500 = 0 then 'REVOKED' else 'EXPIRED' end,
                           timestamptz '2020-01-01 00:30Z' + i * interval '1 minute',
                           case when i %% 500 = 0 then 'admin' else 'system' end,
                           case when i %% 500 = 0 then 'scale test' else 'time is up' end,
                           case when i %% 250 = 0 then i end, 'n'
                    from generate_series(1, %2$d) as i""".formatted(PREFIX, n));
            st.execute("set session_replication_role = origin");
            st.execute("analyze console_session");
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * {@code n} consoles named {@code <prefix>-vm-<i>}, {@code perHost} to a KVM host ({@code <prefix>-kvm-<j>} at
     * 10.60.x.y), each with its own TLS port: what a realistic portal's protected destinations are made of.
     */
    public static void consoles(Connection c, String prefix, int n, int perHost) throws SQLException {
        int hosts = (n + perHost - 1) / perHost;
        try (Statement st = c.createStatement()) {
            st.execute("insert into kvm_host (name, address) select '%1$s-kvm-' || j, '10.60.' || (j / 250) || '.' || (j %% 250 + 1) "
                    .formatted(prefix) + "from generate_series(0, " + (hosts - 1) + ") j");
            st.execute(("insert into console (name, host_id, tls_port) select '%1$s-vm-' || i, h.id, 5900 + i %% %2$d "
                    + "from generate_series(0, %3$d) i join kvm_host h on h.name = '%1$s-kvm-' || (i / %2$d)")
                    .formatted(prefix, perHost, n - 1));
        }
    }

    /** Deletes every marked session (terminal rows may be deleted) and tidies up after them. */
    public static int delete() throws SQLException {
        try (Connection c = Db.ownerConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(true); // VACUUM runs outside a transaction
            int n = st.executeUpdate("delete from console_session where username like '" + PREFIX + "%'");
            st.execute("vacuum analyze console_session");
            return n;
        }
    }
}
