package io.spicegate.agent;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The host agent's INPUT chain: loopback and enrolled workstations pass to the console ports, everyone else is reset. */
class InputScriptTest {

    private static final String CLEAN_INPUT = "-P INPUT ACCEPT\n-A INPUT -j SPICEGATE-IN\n-A INPUT -i lo -j ACCEPT\n";
    private static final List<Integer> PORTS = List.of(20004, 20002);

    @Test
    void replacesTheWholeChainInOneTransaction() {
        assertEquals("""
                *filter
                :SPICEGATE-IN - [0:0]
                -F SPICEGATE-IN
                -A SPICEGATE-IN -i lo -j RETURN
                -A SPICEGATE-IN -s 10.0.1.0/24 -p tcp -m multiport --dports 20002,20004 -j RETURN
                -A SPICEGATE-IN -s 10.99.1.1/32 -p tcp -m multiport --dports 20002,20004 -j RETURN
                -A SPICEGATE-IN -p tcp -m multiport --dports 20002,20004 -j REJECT --reject-with tcp-reset
                COMMIT
                """, InputScript.render(Family.V4, List.of("10.99.1.1", "fd00::5", "10.0.1.0/24"), PORTS, CLEAN_INPUT));
    }

    @Test
    void splitsByFamily() {
        assertEquals(List.of(
                "-A SPICEGATE-IN -i lo -j RETURN",
                "-A SPICEGATE-IN -s fd00::5/128 -p tcp -m multiport --dports 20002,20004 -j RETURN",
                "-A SPICEGATE-IN -p tcp -m multiport --dports 20002,20004 -j REJECT --reject-with tcp-reset"),
                InputScript.chainRules(Family.V6, List.of("10.99.1.1", "fd00::5"), PORTS));
    }

    @Test
    void failClosedLetsOnlyLoopbackIn() {
        assertEquals(List.of(
                "-A SPICEGATE-IN -i lo -j RETURN",
                "-A SPICEGATE-IN -p tcp -m multiport --dports 20002,20004 -j REJECT --reject-with tcp-reset"),
                InputScript.chainRules(Family.V4, List.of(), PORTS));
    }

    @Test
    void withoutConsolePortsTheChainIsEmpty() {
        assertEquals(List.of(), InputScript.chainRules(Family.V4, List.of("10.99.1.1"), List.of()));
    }

    @Test
    void theJumpIsPutBackFirstInInput() {
        assertEquals(List.of(), RestoreScript.jumpFixup("INPUT", InputScript.CHAIN, CLEAN_INPUT));
        assertEquals(List.of("-I INPUT 1 -j SPICEGATE-IN"),
                RestoreScript.jumpFixup("INPUT", InputScript.CHAIN, "-P INPUT ACCEPT\n-A INPUT -i lo -j ACCEPT\n"));
        assertEquals(List.of("-D INPUT -j SPICEGATE-IN", "-D INPUT -j SPICEGATE-IN", "-I INPUT 1 -j SPICEGATE-IN"),
                RestoreScript.jumpFixup("INPUT", InputScript.CHAIN,
                        "-A INPUT -i lo -j ACCEPT\n-A INPUT -j SPICEGATE-IN\n-A INPUT -j SPICEGATE-IN\n"));
        // the workstation agent's OUTPUT jump is none of its business
        assertEquals(List.of("-I INPUT 1 -j SPICEGATE-IN"), RestoreScript.jumpFixup("INPUT", InputScript.CHAIN,
                "-A OUTPUT -j SPICEGATE\n"));
    }

    @Test
    void moreThanFifteenPortsAreSplitForMultiport() {
        List<Integer> ports = IntStream.rangeClosed(20001, 20020).boxed().toList();
        List<String> rules = InputScript.chainRules(Family.V4, List.of("10.99.1.1"), ports);
        assertEquals(5, rules.size());
        assertEquals("-A SPICEGATE-IN -p tcp -m multiport --dports 20016,20017,20018,20019,20020 -j REJECT --reject-with tcp-reset",
                rules.get(4));
    }

    @Test
    void nothingButAddressesAndPortsGetsIntoTheScript() {
        assertThrows(IllegalArgumentException.class,
                () -> InputScript.chainRules(Family.V4, List.of("10.0.0.1 -j ACCEPT"), PORTS));
        assertThrows(IllegalArgumentException.class, () -> InputScript.chainRules(Family.V4, List.of(), List.of(70000)));
    }

    @Test
    void removalDeletesTheJumpsAndTheChain() {
        assertEquals("*filter\n-D INPUT -j SPICEGATE-IN\n-F SPICEGATE-IN\n-X SPICEGATE-IN\nCOMMIT\n",
                InputScript.removal(CLEAN_INPUT, true));
    }
}
