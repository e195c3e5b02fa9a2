package io.spicegate.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Renders the {@code iptables-restore --noflush} input that replaces the host agent's {@code SPICEGATE-IN} chain
 * of one family in one transaction (DESIGN.md host agent): loopback (the host itself) and the addresses of
 * enrolled, active workstations go on ({@code RETURN} to the rest of {@code INPUT}: the chain only narrows), and
 * every other source is REJECTed (tcp-reset) on the console ports, so a password alone gets nobody in. Like the
 * workstation chain it matches every packet, so a workstation that is removed loses its established connections
 * too, and the same transaction puts the jump from {@code INPUT} back in first place.
 */
public final class InputScript {

    /** The chain the host agent owns, in the filter table of both families. */
    public static final String CHAIN = "SPICEGATE-IN";
    /** The built-in chain it is jumped to from. */
    static final String HOOK = "INPUT";

    private InputScript() {
    }

    /** The full restore input for {@code family}, given the current {@code iptables -S INPUT} listing. */
    public static String render(Family family, List<String> allowedSources, List<Integer> ports, String inputListing) {
        return ChainWriter.render(HOOK, CHAIN, chainRules(family, allowedSources, ports), inputListing);
    }

    /** The chain's rules for one family: loopback, the allowed sources, then the REJECT; nothing without ports. */
    public static List<String> chainRules(Family family, List<String> allowedSources, List<Integer> ports) {
        List<String> rules = new ArrayList<>();
        List<String> chunks = ChainWriter.multiport(ports);
        if (chunks.isEmpty()) {
            return rules;
        }
        rules.add("-A " + CHAIN + " -i lo -j RETURN");
        for (String source : new TreeSet<>(allowedSources)) {
            if (Family.of(source) != family) {
                continue;
            }
            for (String chunk : chunks) {
                rules.add("-A " + CHAIN + " -s " + Family.destination(source) + " -p tcp -m multiport --dports "
                        + chunk + " -j RETURN");
            }
        }
        for (String chunk : chunks) {
            rules.add("-A " + CHAIN + " -p tcp -m multiport --dports " + chunk
                    + " -j REJECT --reject-with tcp-reset");
        }
        return rules;
    }

    /** The restore input that removes every jump to the chain and the chain itself (uninstall). */
    public static String removal(String inputListing, boolean chainExists) {
        return RestoreScript.removal(HOOK, CHAIN, inputListing, chainExists);
    }
}
