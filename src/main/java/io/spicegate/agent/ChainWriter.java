package io.spicegate.agent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * One agent chain of both families ({@code SPICEGATE} from OUTPUT, {@code SPICEGATE-IN} from INPUT), each replaced
 * whole in one {@code iptables-restore --noflush} transaction, with the jump from its built-in chain kept first.
 * What goes into the chain is the caller's {@link Script}; the plumbing (listing, retry, no rewrite of an unchanged
 * chain, fail-closed fallback, removal, {@code ip netns exec}) is here, once.
 */
final class ChainWriter {

    private static final Logger LOG = Logger.getLogger(ChainWriter.class.getName());
    /** The multiport match takes at most 15 ports. */
    private static final int MULTIPORT_MAX = 15;

    /** The full restore input of one family, given the current {@code iptables -S <hook>} listing. */
    @FunctionalInterface
    interface Script {

        String render(Family family, String hookListing);
    }

    private final CommandRunner runner;
    private final String netns;
    private final String hook;
    private final String chain;
    /** The script last applied per family: an unchanged chain is not rewritten (no churn, nothing for readers to race). */
    private final Map<Family, String> applied = new EnumMap<>(Family.class);

    /** A writer of {@code chain}, jumped to from the built-in {@code hook}; {@code netns} null for the host's own namespace. */
    ChainWriter(CommandRunner runner, String netns, String hook, String chain) {
        this.runner = runner;
        this.netns = netns;
        this.hook = hook;
        this.chain = chain;
    }

    /**
     * Makes the chain of both families exactly {@code script}. When a family cannot be written, {@code closed} (the
     * chain without anything that lets a packet through, or null when {@code script} already is that) is tried, so
     * that what the chain held before, which may be out of date, does not stay.
     */
    synchronized void apply(Script script, Script closed) throws Firewall.FirewallException {
        Map<Family, String> failures = new EnumMap<>(Family.class);
        for (Family family : Family.values()) {
            try {
                applyFamily(family, script, closed);
            } catch (IOException | IllegalArgumentException e) {
                failures.put(family, e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new Firewall.FirewallException(failures);
        }
    }

    /** Forgets what was applied, so that the next apply rewrites both chains (the periodic repair). */
    synchronized void invalidate() {
        applied.clear();
    }

    /** Removes the jumps and the chains of both families (uninstall). */
    void remove() throws Firewall.FirewallException {
        Map<Family, String> failures = new EnumMap<>(Family.class);
        for (Family family : Family.values()) {
            try {
                String listing = list(family, hook);
                boolean exists = run(List.of(family.tables(), "-S", chain), null).ok();
                restore(family, RestoreScript.removal(hook, chain, listing, exists));
            } catch (IOException e) {
                failures.put(family, e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new Firewall.FirewallException(failures);
        }
    }

    /** The {@code -S} listing of a chain of one family, one rule a line. */
    String list(Family family, String listed) throws IOException {
        CommandRunner.Result result = run(List.of(family.tables(), "-S", listed), null);
        if (!result.ok()) {
            throw new IOException(family.tables() + " -S " + listed + ": " + result.firstErrorLine());
        }
        return result.stdout();
    }

    private void applyFamily(Family family, Script script, Script closed) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            // another tool may change the hook between the listing and the restore; the restore then fails as a
            // whole (nothing half-applied), and a second attempt reads the listing again
            String listing = list(family, hook);
            List<String> fixup = RestoreScript.jumpFixup(hook, chain, listing);
            if (!fixup.isEmpty() && listing.contains("-j " + chain)) {
                LOG.warning(family.tables() + ": the jump to " + chain + " was not the first rule of " + hook
                        + " (another firewall tool?); putting it back first");
            }
            try {
                String rendered = script.render(family, listing);
                if (fixup.isEmpty() && rendered.equals(applied.get(family))) {
                    return; // the chain is already exactly this and the jump is first
                }
                applied.remove(family);
                restore(family, rendered);
                applied.put(family, rendered);
                return;
            } catch (IOException e) {
                last = e;
            }
        }
        applied.remove(family);
        if (closed != null) {
            try {
                restore(family, closed.render(family, list(family, hook)));
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

    /** The restore input that replaces {@code chain} with {@code rules} and puts its jump first in {@code hook}. */
    static String render(String hook, String chain, List<String> rules, String hookListing) {
        StringBuilder script = new StringBuilder("*filter\n");
        script.append(':').append(chain).append(" - [0:0]\n");
        script.append("-F ").append(chain).append('\n');
        for (String rule : rules) {
            script.append(rule).append('\n');
        }
        for (String line : RestoreScript.jumpFixup(hook, chain, hookListing)) {
            script.append(line).append('\n');
        }
        return script.append("COMMIT\n").toString();
    }

    /** The ports, sorted and without repeats, in groups a multiport match takes; a port out of range throws. */
    static List<String> multiport(List<Integer> ports) {
        List<Integer> sorted = new ArrayList<>(new TreeSet<>(ports));
        List<String> chunks = new ArrayList<>();
        for (int from = 0; from < sorted.size(); from += MULTIPORT_MAX) {
            chunks.add(String.join(",", sorted.subList(from, Math.min(sorted.size(), from + MULTIPORT_MAX)).stream()
                    .map(ChainWriter::port).toList()));
        }
        return chunks;
    }

    /** A port as iptables takes it; one out of range throws. */
    static String port(Integer port) {
        if (port == null || port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        return Integer.toString(port);
    }
}
