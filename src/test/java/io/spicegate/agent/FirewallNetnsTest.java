package io.spicegate.agent;

import io.spicegate.protocol.Destination;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real {@link Firewall} against real iptables in a network namespace, with real users and real TCP:
 * only the granted UID passes, root included in the refusal, a removed grant cuts an established connection,
 * and the jump is put back first when another tool moves it.
 */
class FirewallNetnsTest {

    private static final int GRANTED_PORT = 20004;
    private static final int OTHER_PORT = 20002;
    private static final int V6_PORT = 20006;

    private static TestNet net;
    private static TestUsers users;
    private static TestUsers.User alice;
    private static TestUsers.User bob;
    private static Firewall firewall;
    private static List<Destination> protectedDestinations;

    @BeforeAll
    static void setUp() throws Exception {
        users = new TestUsers();
        net = TestNet.create();
        String suffix = net.suffix;
        alice = users.create("sgt_a_" + suffix);
        bob = users.create("sgt_b_" + suffix);
        net.echoServer(net.kvm, net.kvmAddress, GRANTED_PORT, OTHER_PORT);
        net.echoServer(net.ws, "::1", V6_PORT);
        firewall = new Firewall(CommandRunner.system(), net.ws);
        protectedDestinations = List.of(
                new Destination(net.kvmAddress, List.of(OTHER_PORT, GRANTED_PORT)),
                new Destination("::1", List.of(V6_PORT)));
    }

    @AfterAll
    static void tearDown() {
        if (net != null) {
            net.close();
        }
        if (users != null) {
            users.close();
        }
    }

    private static AcceptRule grant(String session, TestUsers.User user, String address, int port) {
        return new AcceptRule(session, user.name(), user.uid(), address, List.of(port));
    }

    @Test
    void withoutTheChainEveryoneConnects() throws Exception {
        firewall.remove();
        assertEquals("OK", net.connect(bob, net.kvmAddress, GRANTED_PORT));
        assertEquals("OK", net.connect(null, net.kvmAddress, GRANTED_PORT));
    }

    @Test
    void onlyTheGrantedUserReachesTheGrantedPortRootIncluded() throws Exception {
        firewall.apply(List.of(grant("s-alice", alice, net.kvmAddress, GRANTED_PORT)), protectedDestinations);
        assertEquals("OK", net.connect(alice, net.kvmAddress, GRANTED_PORT));
        assertEquals("REFUSED", net.connect(alice, net.kvmAddress, OTHER_PORT));
        assertEquals("REFUSED", net.connect(bob, net.kvmAddress, GRANTED_PORT));
        assertEquals("REFUSED", net.connect(null, net.kvmAddress, GRANTED_PORT));
    }

    @Test
    void ipv6DestinationsGoToIp6tables() throws Exception {
        firewall.apply(List.of(grant("s-bob6", bob, "::1", V6_PORT)), protectedDestinations);
        assertEquals("OK", net.connect(bob, "::1", V6_PORT));
        assertEquals("REFUSED", net.connect(alice, "::1", V6_PORT));
        assertEquals("REFUSED", net.connect(null, "::1", V6_PORT));
        assertTrue(Sh.chain(net.ws, Family.V6).stream().anyMatch(r -> r.contains("--uid-owner " + bob.uid())));
        assertTrue(Sh.chain(net.ws, Family.V4).stream().noneMatch(r -> r.contains("--uid-owner")));
    }

    @Test
    void removingTheGrantCutsAnEstablishedConnection() throws Exception {
        firewall.apply(List.of(grant("s-alice", alice, net.kvmAddress, GRANTED_PORT)), protectedDestinations);
        TestNet.Held held = net.hold(alice, net.kvmAddress, GRANTED_PORT);
        firewall.applyBase(protectedDestinations);
        String outcome = held.sendAgain();
        assertTrue(outcome != null && outcome.startsWith("CUT "), "the connection survived: " + outcome);
        int millis = Integer.parseInt(outcome.substring(4));
        System.out.println("FirewallNetnsTest: the established connection was reset " + millis + " ms after its next send");
        assertTrue(millis < 1000, "cut only after " + millis + " ms");
    }

    @Test
    void aConnectionStaysWhileItsGrantStays() throws Exception {
        List<AcceptRule> grants = List.of(grant("s-alice", alice, net.kvmAddress, GRANTED_PORT));
        firewall.apply(grants, protectedDestinations);
        TestNet.Held held = net.hold(alice, net.kvmAddress, GRANTED_PORT);
        firewall.apply(grants, protectedDestinations); // a re-apply replaces the chain without a gap
        assertEquals("ALIVE", held.sendAgain());
    }

    @Test
    void theJumpIsPutBackFirstAndAlone() throws Exception {
        firewall.applyBase(protectedDestinations);
        for (Family family : Family.values()) {
            Sh.run("ip", "netns", "exec", net.ws, family.tables(), "-I", "OUTPUT", "1", "-p", "tcp", "--dport", "1", "-j", "ACCEPT");
            Sh.run("ip", "netns", "exec", net.ws, family.tables(), "-A", "OUTPUT", "-j", RestoreScript.CHAIN);
        }
        firewall.apply(List.of(grant("s-alice", alice, net.kvmAddress, GRANTED_PORT)), protectedDestinations);
        for (Family family : Family.values()) {
            List<String> output = Sh.output(net.ws, family);
            assertEquals(RestoreScript.JUMP, output.get(0), family + ": " + output);
            assertEquals(1, output.stream().filter(RestoreScript.JUMP::equals).count(), family + ": " + output);
            assertTrue(output.contains("-A OUTPUT -p tcp -m tcp --dport 1 -j ACCEPT"), "another tool's rule stays: " + output);
            Sh.run("ip", "netns", "exec", net.ws, family.tables(), "-D", "OUTPUT", "-p", "tcp", "--dport", "1", "-j", "ACCEPT");
        }
        assertEquals("OK", net.connect(alice, net.kvmAddress, GRANTED_PORT));
        assertEquals("REFUSED", net.connect(bob, net.kvmAddress, GRANTED_PORT));
    }

    @Test
    void theBaseKeepsOnlyTheRejects() throws Exception {
        firewall.apply(List.of(grant("s-alice", alice, net.kvmAddress, GRANTED_PORT)), protectedDestinations);
        firewall.applyBase(protectedDestinations);
        assertEquals(List.of("-A SPICEGATE -d " + net.kvmAddress + "/32 -p tcp -m multiport --dports 20002,20004 -j REJECT --reject-with tcp-reset"),
                Sh.chain(net.ws, Family.V4));
        assertEquals(List.of("-A SPICEGATE -d ::1/128 -p tcp -m multiport --dports 20006 -j REJECT --reject-with tcp-reset"),
                Sh.chain(net.ws, Family.V6));
        assertEquals("REFUSED", net.connect(alice, net.kvmAddress, GRANTED_PORT));
    }

    @Test
    void removeLeavesNoTrace() throws Exception {
        firewall.applyBase(protectedDestinations);
        firewall.remove();
        for (Family family : Family.values()) {
            assertTrue(Sh.output(net.ws, family).stream().noneMatch(r -> r.contains(RestoreScript.CHAIN)));
            assertEquals(1, Sh.tryRun("ip", "netns", "exec", net.ws, family.tables(), "-S", RestoreScript.CHAIN).exitCode());
        }
        firewall.remove(); // twice is fine
    }
}
