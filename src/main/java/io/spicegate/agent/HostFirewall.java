package io.spicegate.agent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The host agent's {@code SPICEGATE-IN} chains (IPv4 and IPv6), each replaced whole in one
 * {@code iptables-restore --noflush} transaction, as the workstation agent's {@link Firewall} does for OUTPUT.
 * When a family cannot be written with the allowed sources it falls back to the closed chain (loopback only).
 */
public final class HostFirewall {

    private static final Logger LOG = Logger.getLogger(HostFirewall.class.getName());

    private final CommandRunner runner;
    private final String netns;
    private final Map<Family, String> applied = new EnumMap<>(Family.class);

    /** A firewall driven through {@code runner}; {@code netns} null for the host's own namespace. */
    public HostFirewall(CommandRunner runner, String netns) {
        this.runner = runner;
        this.netns = netns;
    }

    /** Makes both chains exactly: loopback and {@code allowedSources} pass to the console {@code ports}, everyone else is rejected. */
    public synchronized void apply(List<String> allowedSources, List<Integer> ports) throws Firewall.FirewallException {
        Map<Family, String> failures = new EnumMap<>(Family.class);
        for (Family family : Family.values()) {
            try {
                applyFamily(family, allowedSources, ports);
            } catch (IOException | IllegalArgumentException e) {
                failures.put(family, e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new Firewall.FirewallException(failures);
        }
    }

    /** Fail-closed base: only loopback reaches the console ports. */
    public void applyBase(List<Integer> ports) throws Firewall.FirewallException {
        apply(List.of(), ports);
    }

    /** Forgets what was applied, so that the next apply rewrites both chains (the periodic repair). */
    public synchronized void invalidate() {
        applied.clear();
    }

    /** Removes the jumps and the chains of both families (uninstall). */
    public void remove() throws Firewall.FirewallException {
        Map<Family, String> failures = new EnumMap<>(Family.class);
        for (Family family : Family.values()) {
            try {
                String listing = list(family, InputScript.HOOK);
                boolean exists = run(List.of(family.tables(), "-S", InputScript.CHAIN), null).ok();
                restore(family, InputScript.removal(listing, exists));
            } catch (IOException e) {
                failures.put(family, e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new Firewall.FirewallException(failures);
        }
    }

    private void applyFamily(Family family, List<String> allowedSources, List<Integer> ports) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            String listing = list(family, InputScript.HOOK);
            List<String> fixup = RestoreScript.jumpFixup(InputScript.HOOK, InputScript.CHAIN, listing);
            if (!fixup.isEmpty() && listing.contains("-j " + InputScript.CHAIN)) {
                LOG.warning(family.tables() + ": the jump to " + InputScript.CHAIN
                        + " was not the first rule of INPUT (another firewall tool?); putting it back first");
            }
            try {
                String script = InputScript.render(family, allowedSources, ports, listing);
                if (fixup.isEmpty() && script.equals(applied.get(family))) {
                    return;
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
        if (!allowedSources.isEmpty()) {
            // fail closed: what the chain held before may admit workstations that are gone
            try {
                restore(family, InputScript.render(family, List.of(), ports, list(family, InputScript.HOOK)));
            } catch (IOException e) {
                last.addSuppressed(e);
            }
        }
        throw last;
    }

    private String list(Family family, String chain) throws IOException {
        CommandRunner.Result result = run(List.of(family.tables(), "-S", chain), null);
        if (!result.ok()) {
            throw new IOException(family.tables() + " -S " + chain + ": " + result.firstErrorLine());
        }
        return result.stdout();
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
