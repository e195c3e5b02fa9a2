package io.spicegate.agent;

import java.util.List;

/**
 * The host agent's {@code SPICEGATE-IN} chains (IPv4 and IPv6), jumped to from INPUT and written by a
 * {@link ChainWriter} with the rules of {@link InputScript}, as the workstation agent's {@link Firewall} does for
 * OUTPUT. When a family cannot be written with the allowed sources it falls back to the closed chain (loopback only).
 */
public final class HostFirewall {

    private final ChainWriter writer;

    /** A firewall driven through {@code runner}; {@code netns} null for the host's own namespace. */
    public HostFirewall(CommandRunner runner, String netns) {
        this.writer = new ChainWriter(runner, netns, InputScript.HOOK, InputScript.CHAIN);
    }

    /** Makes both chains exactly: loopback and {@code allowedSources} pass to the console {@code ports}, everyone else is rejected. */
    public void apply(List<String> allowedSources, List<Integer> ports) throws Firewall.FirewallException {
        // fail closed: what the chain held before may admit workstations that are gone
        writer.apply((family, listing) -> InputScript.render(family, allowedSources, ports, listing),
                allowedSources.isEmpty() ? null : (family, listing) -> InputScript.render(family, List.of(), ports, listing));
    }

    /** Fail-closed base: only loopback reaches the console ports. */
    public void applyBase(List<Integer> ports) throws Firewall.FirewallException {
        apply(List.of(), ports);
    }

    /** Forgets what was applied, so that the next apply rewrites both chains (the periodic repair). */
    public void invalidate() {
        writer.invalidate();
    }

    /** Removes the jumps and the chains of both families (uninstall). */
    public void remove() throws Firewall.FirewallException {
        writer.remove();
    }
}
