package io.spicegate.agent;

import io.spicegate.protocol.Destination;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The agent's {@code SPICEGATE} chains (IPv4 and IPv6), replaced whole in one {@code iptables-restore --noflush}
 * transaction per family. With a network namespace set, every command runs inside it ({@code ip netns exec}).
 */
public final class Firewall {

    private static final Logger LOG = Logger.getLogger(Firewall.class.getName());

    private final CommandRunner runner;
    private final String netns;
    /** The script last applied per family: an unchanged chain is not rewritten (no churn, nothing for readers to race). */
    private final Map<Family, String> applied = new EnumMap<>(Family.class);

    /** A firewall driven through {@code runner}; {@code netns} null for the host's own namespace. */
    public Firewall(CommandRunner runner, String netns) {
        this.runner = runner;
        this.netns = netns;
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

    /** Makes both chains exactly: {@code accepts}, then REJECTs for {@code protectedDestinations}; jump fixed first. */
    public void apply(List<AcceptRule> accepts, List<Destination> protectedDestinations) throws FirewallException {
        Map<Family, String> failures = new EnumMap<>(Family.class);
        for (Family family : Family.values()) {
            try {
                applyFamily(family, accepts, protectedDestinations);
            } catch (IOException | IllegalArgumentException e) {
                failures.put(family, e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new FirewallException(failures);
        }
    }

    /** Forgets what was applied, so that the next apply rewrites both chains (the periodic repair). */
    public synchronized void invalidate() {
        applied.clear();
    }

    /** Fail-closed base: only the REJECTs, no grant. */
    public void applyBase(List<Destination> protectedDestinations) throws FirewallException {
        apply(List.of(), protectedDestinations);
    }

    /** Removes the jumps and the chains of both families (uninstall). */
    public void remove() throws FirewallException {
        Map<Family, String> failures = new EnumMap<>(Family.class);
        for (Family family : Family.values()) {
            try {
                String listing = list(family, "OUTPUT");
                boolean exists = run(List.of(family.tables(), "-S", RestoreScript.CHAIN), null).ok();
                restore(family, RestoreScript.removal(listing, exists));
            } catch (IOException e) {
                failures.put(family, e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new FirewallException(failures);
        }
    }

    /** The {@code -S} listing of a chain of one family, one rule a line. */
    public String list(Family family, String chain) throws IOException {
        CommandRunner.Result result = run(List.of(family.tables(), "-S", chain), null);
        if (!result.ok()) {
            throw new IOException(family.tables() + " -S " + chain + ": " + result.firstErrorLine());
        }
        return result.stdout();
    }

    private void applyFamily(Family family, List<AcceptRule> accepts, List<Destination> protectedDestinations)
            throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            // another tool may change OUTPUT between the listing and the restore; the restore then fails as a
            // whole (nothing half-applied), and a second attempt reads the listing again
            String listing = list(family, "OUTPUT");
            if (!RestoreScript.jumpFixup(listing).isEmpty() && listing.contains("-j " + RestoreScript.CHAIN)) {
                LOG.warning(family.tables() + ": the jump to " + RestoreScript.CHAIN
                        + " was not the first rule of OUTPUT (another firewall tool?); putting it back first");
            }
            try {
                String script = RestoreScript.render(family, accepts, protectedDestinations, listing);
                if (RestoreScript.jumpFixup(listing).isEmpty() && script.equals(applied.get(family))) {
                    return; // the chain is already exactly this and the jump is first
                }
                applied.remove(family);
                restore(family, script);
                applied.put(family, script);
                return;
            } catch (IOException e) {
                last = e;
            }
        }
        applied.remove(family);
        if (!accepts.isEmpty()) {
            // fail closed: whatever the chain held before may include grants that have ended
            try {
                restore(family, RestoreScript.render(family, List.of(), protectedDestinations, list(family, "OUTPUT")));
            } catch (IOException e) {
                last.addSuppressed(e);
            }
        }
        throw last;
    }

    private void restore(Family family, String script) throws IOException {
        CommandRunner.Result result = run(List.of(family.restore(), "--noflush"), script);
        if (!result.ok()) {
            throw new IOException(family.restore() + ": " + result.firstErrorLine());
        }
    }

    private CommandRunner.Result run(List<String> argv, String stdin) throws IOException {
        List<String> command = new ArrayList<>();
        if (netns != null) {
            command.addAll(List.of("ip", "netns", "exec", netns));
        }
        command.addAll(argv);
        return runner.run(command, stdin);
    }
}
