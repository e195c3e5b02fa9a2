package io.spicegate.workstations;

import jakarta.enterprise.context.ApplicationScoped;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Comparator;
import java.util.Optional;

/** Finds the workstation a request comes from by its source address. */
@ApplicationScoped
public class WorkstationService {

    /**
     * The active workstation whose addresses contain {@code source}; where several match, the most specific
     * block wins (a single address beats a /24).
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
        return Workstation.<Workstation>list("active", true).stream()
                .filter(w -> w.matches(address))
                .max(Comparator.comparingInt(w -> specificity(w, address)));
    }

    private static int specificity(Workstation w, InetAddress address) {
        int best = -1;
        for (String a : w.addresses) {
            Cidr c = Cidr.parse(a);
            if (c.contains(address)) {
                best = Math.max(best, c.prefix() + (c.network().length == address.getAddress().length ? 1000 : 0));
            }
        }
        return best;
    }
}
