package io.spicegate.workstations;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.Db;
import io.spicegate.testing.Plans;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link WorkstationService#bySource}'s indexed query (V16's {@code block} column) finds the same workstation as the
 * Java precedence applied to every active workstation, the lookup it replaced (issue 17): on random sets of
 * overlapping blocks, both loopback families, unmasked host bits and IPv4-mapped sources; and with 1 000
 * workstations the lookup is planned through the GiST index. Rows are written behind the portal's back, as any
 * migration or script could, and removed again.
 */
@QuarkusTest
class WorkstationLookupTest {

    static final String PREFIX = "zz-lookup-";

    @Inject WorkstationService workstations;

    @AfterEach
    void removeThem() throws SQLException {
        try (Connection c = Db.connection(); Statement st = c.createStatement()) {
            st.execute("delete from workstation where name like '" + PREFIX + "%'");
        }
    }

    @Test
    void theIndexedLookupAgreesWithTheJavaPrecedenceOnRandomWorkstations() throws Exception {
        Random random = new Random(17);
        int compared = 0;
        for (int round = 0; round < 60; round++) {
            int n = 1 + random.nextInt(12);
            try (Connection c = Db.connection()) {
                for (int i = 0; i < n; i++) {
                    Set<String> addresses = new LinkedHashSet<>();
                    for (int k = 1 + random.nextInt(3); k > 0; k--) {
                        addresses.add(address(random));
                    }
                    insert(c, PREFIX + round + "-" + i, random.nextInt(5) > 0, addresses);
                }
            }
            for (int q = 0; q < 25; q++) {
                String source = source(random);
                InetAddress address = InetAddress.getByName(source);
                String[] both = QuarkusTransaction.requiringNew().call(() -> new String[] {
                        name(workstations.bySource(source)),
                        name(WorkstationService.best(Workstation.<Workstation>list("active", true), address))});
                assertEquals(both[1], both[0], "round " + round + ", source " + source);
                compared++;
            }
            removeThem();
        }
        assertEquals(60 * 25, compared);
    }

    @Test
    void theSqlReadsAnAddressAsCidrDoes() throws Exception {
        try (Connection c = Db.connection(); PreparedStatement ps = c.prepareStatement("select host(b), masklen(b) from workstation_block(?) b")) {
            for (String text : List.of("10.0.1.5", "10.0.1.5/24", " 10.0.1.0/24 ", "::1", "0:0:0:0:0:0:0:1/128",
                    "fd00::5/64", "0.0.0.0/0", "127.0.0.50/7")) {
                ps.setString(1, text);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    Cidr expected = Cidr.parse(text);
                    assertEquals(InetAddress.getByAddress(expected.network()).getHostAddress() + "/" + expected.prefix(),
                            InetAddress.getByName(rs.getString(1)).getHostAddress() + "/" + rs.getInt(2), text);
                }
            }
        }
    }

    @Test
    void withAThousandWorkstationsTheLookupUsesTheIndex() throws Exception {
        try (Connection c = Db.connection(); Statement st = c.createStatement()) {
            st.execute("insert into workstation (name) select '" + PREFIX + "' || i from generate_series(0, 999) i");
            st.execute("insert into workstation_address (workstation_id, cidr) "
                    + "select id, '10.77.' || (substring(name from " + (PREFIX.length() + 1) + ")::int / 250) || '.' "
                    + "|| (substring(name from " + (PREFIX.length() + 1) + ")::int % 250 + 1) from workstation where name like '" + PREFIX + "%'");
        }
        try (Connection c = Db.ownerConnection(); Statement st = c.createStatement()) {
            st.execute("analyze workstation");
            st.execute("analyze workstation_address");
        }
        for (boolean loopback : List.of(false, true)) {
            String source = loopback ? "::1" : "10.77.2.9";
            JsonNode plan = Plans.explain(WorkstationService.candidates(loopback).replace(":source", "?"), List.of(source));
            List<String> scans = Plans.scans(plan);
            System.out.printf("[scale] workstation lookup from %s: %s, %.2f ms%n", source, scans, plan.get("Execution Time").asDouble());
            assertFalse(scans.stream().anyMatch(s -> s.startsWith("Seq Scan on workstation_address")), scans.toString());
            assertTrue(scans.stream().anyMatch(s -> s.contains("using workstation_address_block")), scans.toString());
        }
        assertEquals(PREFIX + "509", QuarkusTransaction.requiringNew().call(() -> name(workstations.bySource("10.77.2.10"))));
    }

    /** A random address or block from a small space, so blocks overlap; host bits and odd literals too. */
    static String address(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> List.of("127.0.0.1", "127.0.0.50", "127.0.0.0/8", "127.0.0.0/24", "126.0.0.0/7").get(r.nextInt(5));
            case 1 -> List.of("::1", "::1/128", "0:0:0:0:0:0:0:1", "::/0", "0.0.0.0/0").get(r.nextInt(5));
            case 2 -> "fd00::" + Integer.toHexString(r.nextInt(4)) + (r.nextBoolean() ? "" : "/" + List.of(64, 120, 126, 128).get(r.nextInt(4)));
            default -> "10.9." + r.nextInt(2) + "." + r.nextInt(8) + (r.nextBoolean() ? "" : "/" + (8 + r.nextInt(25)));
        };
    }

    static String source(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> List.of("127.0.0.1", "127.0.0.50", "127.1.2.3", "::1", "::ffff:127.0.0.1").get(r.nextInt(5));
            case 1 -> "fd00::" + Integer.toHexString(r.nextInt(4));
            case 2 -> "::ffff:10.9." + r.nextInt(2) + "." + r.nextInt(8);
            default -> "10." + (8 + r.nextInt(2)) + "." + r.nextInt(2) + "." + r.nextInt(8);
        };
    }

    static void insert(Connection c, String name, boolean active, Set<String> addresses) throws SQLException {
        long id;
        try (PreparedStatement ps = c.prepareStatement("insert into workstation (name, active) values (?, ?) returning id")) {
            ps.setString(1, name);
            ps.setBoolean(2, active);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("insert into workstation_address (workstation_id, cidr) values (?, ?)")) {
            for (String a : addresses) {
                ps.setLong(1, id);
                ps.setString(2, a);
                ps.executeUpdate();
            }
        }
    }

    static String name(Optional<Workstation> w) {
        return w.map(x -> x.name).orElse("none");
    }
}
