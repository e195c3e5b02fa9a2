package io.spicegate.agent;

import io.spicegate.protocol.Destination;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The workstation agent's {@code SPICEGATE} chains (IPv4 and IPv6), jumped to from OUTPUT and written by a
 * {@link ChainWriter} with the rules of {@link RestoreScript}. With a network namespace set, every command runs
 * inside it ({@code ip netns exec}).
 */
public final class Firewall {

    private final ChainWriter writer;

    /** A firewall driven through {@code runner}; {@code netns} null for the host's own namespace. */
    public Firewall(CommandRunner runner, String netns) {
        this.writer = new ChainWriter(runner, netns, "OUTPUT", RestoreScript.CHAIN);
    }

    /** Thrown when a family's chain could not be written; the other family was still attempted. */
    public static final class FirewallException extends IOException {

        private final Map<Family, String> failures;

        FirewallException(Map<Family, String> failures) {
            super("firewall update failed: " + failures);
            this.failures = Map.copyOf(failures);
        }

        /** Why each failed family failed. */
        public Map<Family, String> failures() {
            return failures;
        }
    }

    /**
     * Makes both chains exactly: {@code accepts}, then REJECTs for {@code protectedDestinations}; jump fixed first.
     * A family that cannot be written with the grants falls back to the REJECTs alone: whatever the chain held
     * before may include grants that have ended.
     */
    public void apply(List<AcceptRule> accepts, List<Destination> protectedDestinations) throws FirewallException {
        writer.apply((family, listing) -> RestoreScript.render(family, accepts, protectedDestinations, listing),
                accepts.isEmpty() ? null
                        : (family, listing) -> RestoreScript.render(family, List.of(), protectedDestinations, listing));
    }

    /** Forgets what was applied, so that the next apply rewrites both chains (the periodic repair). */
    public void invalidate() {
        writer.invalidate();
    }

    /** Fail-closed base: only the REJECTs, no grant. */
    public void applyBase(List<Destination> protectedDestinations) throws FirewallException {
        apply(List.of(), protectedDestinations);
    }

    /** Removes the jumps and the chains of both families (uninstall). */
    public void remove() throws FirewallException {
        writer.remove();
    }

    /** The {@code -S} listing of a chain of one family, one rule a line. */
    public String list(Family family, String chain) throws IOException {
        return writer.list(family, chain);
    }
}
