package io.spicegate.agent;

import io.spicegate.protocol.Destination;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Renders the {@code iptables-restore --noflush} input that replaces the whole {@code SPICEGATE} chain of one
 * family in one transaction: an ACCEPT per granted UID and port, then a REJECT (tcp-reset) for every protected
 * destination, for everyone else including root. The rules match every packet, not only new connections, so an
 * established connection is cut by its next packet once its grant is gone. The same transaction puts the jump
 * from {@code OUTPUT} back in first place when another tool has moved, removed or duplicated it.
 */
public final class RestoreScript {

    /** The chain the agent owns, in the filter table of both families. */
    public static final String CHAIN = "SPICEGATE";
    /** The built-in chain it is jumped to from. */
    static final String HOOK = "OUTPUT";
    /** How {@code iptables -S OUTPUT} prints the agent's jump. */
    static final String JUMP = "-A " + HOOK + " -j " + CHAIN;
    /** Session ids go into a rule comment: only UUID-like text. */
    static final Pattern SESSION = Pattern.compile("[A-Za-z0-9-]{1,64}");

    private RestoreScript() {
    }

    /** The full restore input for {@code family}, given the current {@code iptables -S OUTPUT} listing. */
    public static String render(Family family, List<AcceptRule> accepts, List<Destination> protectedDestinations,
                                String outputListing) {
        return ChainWriter.render(HOOK, CHAIN, chainRules(family, accepts, protectedDestinations), outputListing);
    }

    /** The chain's rules for one family, in order: ACCEPTs for granted UIDs, then the REJECTs. */
    public static List<String> chainRules(Family family, List<AcceptRule> accepts, List<Destination> protectedDestinations) {
        List<String> rules = new ArrayList<>();
        for (AcceptRule accept : accepts) {
            if (Family.of(accept.address()) != family) {
                continue;
            }
            if (!SESSION.matcher(accept.session()).matches()) {
                throw new IllegalArgumentException("session id is not UUID-like");
            }
            for (int port : new TreeSet<>(accept.ports())) {
                rules.add("-A " + CHAIN + " -d " + Family.destination(accept.address()) + " -p tcp -m tcp --dport "
                        + ChainWriter.port(port) + " -m owner --uid-owner " + accept.uid()
                        + " -m comment --comment \"spicegate " + accept.session() + "\" -j ACCEPT");
            }
        }
        for (Destination destination : protectedDestinations) {
            if (Family.of(destination.address()) != family || destination.ports() == null || destination.ports().isEmpty()) {
                continue;
            }
            for (String chunk : ChainWriter.multiport(destination.ports())) {
                rules.add("-A " + CHAIN + " -d " + Family.destination(destination.address())
                        + " -p tcp -m multiport --dports " + chunk + " -j REJECT --reject-with tcp-reset");
            }
        }
        return rules;
    }

    /**
     * The lines that make the jump to the chain the first and only one in {@code OUTPUT}, given the listing of
     * {@code iptables -S OUTPUT}: none when it already is, else delete every jump and insert one at position 1.
     */
    public static List<String> jumpFixup(String outputListing) {
        return jumpFixup(HOOK, CHAIN, outputListing);
    }

    /** The same for any built-in chain {@code hook} and agent chain {@code chain} (the host agent's INPUT). */
    static List<String> jumpFixup(String hook, String chain, String listing) {
        String jump = "-A " + hook + " -j " + chain;
        List<String> rules = listing.lines().map(String::strip).filter(l -> l.startsWith("-A " + hook + " ")).toList();
        long jumps = rules.stream().filter(jump::equals).count();
        if (jumps == 1 && rules.get(0).equals(jump)) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        for (long i = 0; i < jumps; i++) {
            lines.add("-D " + hook + " -j " + chain);
        }
        lines.add("-I " + hook + " 1 -j " + chain);
        return lines;
    }

    /** The restore input that removes every jump to the chain and the chain itself (uninstall). */
    public static String removal(String outputListing, boolean chainExists) {
        return removal(HOOK, CHAIN, outputListing, chainExists);
    }

    static String removal(String hook, String chain, String listing, boolean chainExists) {
        String jump = "-A " + hook + " -j " + chain;
        StringBuilder script = new StringBuilder("*filter\n");
        listing.lines().map(String::strip).filter(jump::equals)
                .forEach(l -> script.append("-D ").append(hook).append(" -j ").append(chain).append('\n'));
        if (chainExists) {
            script.append("-F ").append(chain).append('\n').append("-X ").append(chain).append('\n');
        }
        return script.append("COMMIT\n").toString();
    }
}
