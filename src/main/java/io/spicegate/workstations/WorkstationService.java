package io.spicegate.workstations;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.hibernate.query.NativeQuery;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Finds the workstation a request comes from by its source address. */
@ApplicationScoped
public class WorkstationService {

    /**
     * The candidates: active workstations with a block that may hold {@code address}, found through the GiST index
     * on {@code workstation_address.block} (V16), so an open costs the same with 3 or 1 000 workstations. A superset
     * of what {@link Workstation#matches} admits: its own family's blocks that hold the address and, for a loopback
     * address, every block touching the other family's loopback; {@link #best} then applies the precedence in one
     * place, on a handful of rows.
     */
    static String candidates(boolean loopback) {
        return """
                select w.* from workstation w
                 where w.active
                   and exists (select 1 from workstation_address a
                                where a.workstation_id = w.id
                                  and %s)
                """.formatted(loopback
                ? "(a.block >>= cast(:source as inet) or a.block && inet '127.0.0.0/8' or a.block && inet '::1/128')"
                : "a.block >>= cast(:source as inet)");
    }

    @Inject EntityManager em;

    /**
     * The active workstation whose addresses contain {@code source}; where several match, the most specific
     * block wins (a single address beats a /24), and then the one registered first.
     */
    public Optional<Workstation> bySource(String source) {
        InetAddress address;
        try {
            if (source == null || !(source.contains(":") || source.matches("[0-9.]+"))) {
                return Optional.empty();
            }
            address = InetAddress.getByName(source);
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        @SuppressWarnings("unchecked")
        List<Workstation> candidates = em.createNativeQuery(candidates(address.isLoopbackAddress()), Workstation.class)
                // the address as Java reads it (::ffff:10.0.0.5 is 10.0.0.5, no %scope), as the block column reads the text
                .setParameter("source", literal(address))
                // it reads these two tables: only pending changes to them are flushed first, not the whole session
                .unwrap(NativeQuery.class).addSynchronizedQuerySpace("workstation")
                .addSynchronizedQuerySpace("workstation_address")
                .getResultList();
        return best(candidates, address);
    }

    private static String literal(InetAddress address) {
        try {
            return InetAddress.getByAddress(address.getAddress()).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // a 4- or 16-byte address always has a literal
        }
    }

    /**
     * Of the workstations holding {@code address}, the one holding it most specifically; never a matter of the order
     * they were loaded in (two claiming the same address: the one registered first).
     */
    static Optional<Workstation> best(List<Workstation> candidates, InetAddress address) {
        return candidates.stream()
                .filter(w -> w.matches(address))
                .max(Comparator.<Workstation>comparingInt(w -> specificity(w, address))
                        .thenComparing(w -> w.id == null ? Long.MAX_VALUE : w.id, Comparator.reverseOrder()));
    }

    /**
     * How specifically {@code w} holds {@code address}: its own family before the other loopback family; then the
     * longer prefix; across families, the other family's own loopback address ({@code 127.0.0.1} for {@code ::1})
     * before any other loopback address, so {@code ::1} stays with the workstation at 127.0.0.1 when another one
     * is registered at 127.0.0.50.
     */
    private static int specificity(Workstation w, InetAddress address) {
        int best = -1;
        for (String a : w.addresses) {
            Cidr c = Cidr.parse(a);
            if (c.contains(address)) {
                boolean sameFamily = c.network().length == address.getAddress().length;
                boolean canonical = !sameFamily && isCanonicalLoopback(c);
                best = Math.max(best, (sameFamily ? 100_000 : 0) + c.prefix() * 2 + (canonical ? 1 : 0));
            }
        }
        return best;
    }

    private static boolean isCanonicalLoopback(Cidr c) {
        byte[] n = c.network();
        return n.length == 4 ? c.prefix() == 32 && n[0] == 127 && n[1] == 0 && n[2] == 0 && n[3] == 1
                : c.prefix() == 128 && java.util.Arrays.equals(n, ipv6Loopback());
    }

    private static byte[] ipv6Loopback() {
        byte[] b = new byte[16];
        b[15] = 1;
        return b;
    }
}
