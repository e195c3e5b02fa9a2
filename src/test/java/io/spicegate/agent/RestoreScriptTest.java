package io.spicegate.agent;

import io.spicegate.protocol.Destination;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The restore input: whole chain per family, ACCEPTs before REJECTs, and the jump put back first. */
class RestoreScriptTest {

    private static final List<Destination> PROTECTED = List.of(
            Grants.destination("10.99.1.2", 20004, 20002),
            Grants.destination("fd00::2", 20006));
    private static final String CLEAN_OUTPUT = "-P OUTPUT ACCEPT\n-A OUTPUT -j SPICEGATE\n-A OUTPUT -o lo -j ACCEPT\n";

    @Test
    void replacesTheWholeChainInOneTransaction() {
        List<AcceptRule> accepts = List.of(new AcceptRule("s-1", "maggie", 1001, "10.99.1.2", List.of(20004)));
        assertEquals("""
                *filter
                :SPICEGATE - [0:0]
                -F SPICEGATE
                -A SPICEGATE -d 10.99.1.2/32 -p tcp -m tcp --dport 20004 -m owner --uid-owner 1001 -m comment --comment "spicegate s-1" -j ACCEPT
                -A SPICEGATE -d 10.99.1.2/32 -p tcp -m multiport --dports 20002,20004 -j REJECT --reject-with tcp-reset
                COMMIT
                """, RestoreScript.render(Family.V4, accepts, PROTECTED, CLEAN_OUTPUT));
    }

    @Test
    void splitsByFamilyWithOneRulePerPortAndGrant() {
        List<AcceptRule> accepts = List.of(
                new AcceptRule("s-1", "maggie", 1001, "10.99.1.2", List.of(20004, 20002)),
                new AcceptRule("s-2", "anne", 1002, "fd00::2", List.of(20006)),
                new AcceptRule("s-3", "ralph", 1003, "10.99.1.2", List.of(20002)));
        List<String> v4 = RestoreScript.chainRules(Family.V4, accepts, PROTECTED);
        assertEquals(List.of(
                "-A SPICEGATE -d 10.99.1.2/32 -p tcp -m tcp --dport 20002 -m owner --uid-owner 1001 -m comment --comment \"spicegate s-1\" -j ACCEPT",
                "-A SPICEGATE -d 10.99.1.2/32 -p tcp -m tcp --dport 20004 -m owner --uid-owner 1001 -m comment --comment \"spicegate s-1\" -j ACCEPT",
                "-A SPICEGATE -d 10.99.1.2/32 -p tcp -m tcp --dport 20002 -m owner --uid-owner 1003 -m comment --comment \"spicegate s-3\" -j ACCEPT",
                "-A SPICEGATE -d 10.99.1.2/32 -p tcp -m multiport --dports 20002,20004 -j REJECT --reject-with tcp-reset"), v4);
        List<String> v6 = RestoreScript.chainRules(Family.V6, accepts, PROTECTED);
        assertEquals(List.of(
                "-A SPICEGATE -d fd00::2/128 -p tcp -m tcp --dport 20006 -m owner --uid-owner 1002 -m comment --comment \"spicegate s-2\" -j ACCEPT",
                "-A SPICEGATE -d fd00::2/128 -p tcp -m multiport --dports 20006 -j REJECT --reject-with tcp-reset"), v6);
    }

    @Test
    void theBaseHasOnlyRejects() {
        assertEquals(List.of("-A SPICEGATE -d 10.99.1.2/32 -p tcp -m multiport --dports 20002,20004 -j REJECT --reject-with tcp-reset"),
                RestoreScript.chainRules(Family.V4, List.of(), PROTECTED));
        assertEquals(List.of(), RestoreScript.chainRules(Family.V4, List.of(), List.of()));
    }

    @Test
    void moreThanFifteenPortsAreSplitForMultiport() {
        Integer[] ports = IntStream.rangeClosed(20001, 20020).boxed().toArray(Integer[]::new);
        List<String> rules = RestoreScript.chainRules(Family.V4, List.of(), List.of(Grants.destination("10.0.0.0/24", ports)));
        assertEquals(2, rules.size());
        assertTrue(rules.get(0).contains("-d 10.0.0.0/24 ") && rules.get(0).contains("--dports 20001,") && rules.get(0).contains(",20015 "));
        assertTrue(rules.get(1).contains("--dports 20016,20017,20018,20019,20020 "));
    }

    @Test
    void anythingButAnAddressIsRefused() {
        for (String bad : List.of("10.99.1.2\n-A OUTPUT -j ACCEPT", "host.example", "10.99.1.256", "-j ACCEPT", "10.0.0.1/33", "fd00::1/129", "")) {
            assertThrows(IllegalArgumentException.class,
                    () -> RestoreScript.chainRules(Family.V4, List.of(), List.of(Grants.destination(bad, 1))), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> RestoreScript.chainRules(Family.V4,
                List.of(new AcceptRule("s\" -j DROP", "u", 1, "10.0.0.1", List.of(1))), List.of()));
        assertThrows(IllegalArgumentException.class, () -> RestoreScript.chainRules(Family.V4,
                List.of(new AcceptRule("s", "u", 1, "10.0.0.1", List.of(70000))), List.of()));
    }

    @Test
    void theJumpThatIsFirstAndAloneIsLeftAlone() {
        assertEquals(List.of(), RestoreScript.jumpFixup(CLEAN_OUTPUT));
    }

    @Test
    void aMissingJumpIsInsertedFirst() {
        assertEquals(List.of("-I OUTPUT 1 -j SPICEGATE"), RestoreScript.jumpFixup("-P OUTPUT ACCEPT\n"));
        assertEquals(List.of("-I OUTPUT 1 -j SPICEGATE"), RestoreScript.jumpFixup("-P OUTPUT DROP\n-A OUTPUT -o lo -j ACCEPT\n"));
    }

    @Test
    void aJumpMovedDownByAnotherToolIsMovedBackFirst() {
        String listing = """
                -P OUTPUT ACCEPT
                -A OUTPUT -p icmp -j ACCEPT
                -A OUTPUT -j SPICEGATE
                -A OUTPUT -o lo -j ACCEPT
                """;
        assertEquals(List.of("-D OUTPUT -j SPICEGATE", "-I OUTPUT 1 -j SPICEGATE"), RestoreScript.jumpFixup(listing));
    }

    @Test
    void duplicatedJumpsBecomeOne() {
        String listing = """
                -P OUTPUT ACCEPT
                -A OUTPUT -j SPICEGATE
                -A OUTPUT -o lo -j ACCEPT
                -A OUTPUT -j SPICEGATE
                """;
        assertEquals(List.of("-D OUTPUT -j SPICEGATE", "-D OUTPUT -j SPICEGATE", "-I OUTPUT 1 -j SPICEGATE"),
                RestoreScript.jumpFixup(listing));
    }

    @Test
    void aJumpWithExtraMatchesIsNotOurs() {
        String listing = "-P OUTPUT ACCEPT\n-A OUTPUT -o eth0 -j SPICEGATE\n";
        assertEquals(List.of("-I OUTPUT 1 -j SPICEGATE"), RestoreScript.jumpFixup(listing));
    }

    @Test
    void removalDeletesEveryJumpAndTheChain() {
        assertEquals("*filter\n-D OUTPUT -j SPICEGATE\n-D OUTPUT -j SPICEGATE\n-F SPICEGATE\n-X SPICEGATE\nCOMMIT\n",
                RestoreScript.removal("-A OUTPUT -j SPICEGATE\n-A OUTPUT -j SPICEGATE\n", true));
        assertEquals("*filter\nCOMMIT\n", RestoreScript.removal("-P OUTPUT ACCEPT\n", false));
    }
}
