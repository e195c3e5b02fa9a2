package io.spicegate.agent;

import io.spicegate.protocol.Ack;
import io.spicegate.protocol.Destination;
import io.spicegate.protocol.GrantSet;
import io.spicegate.protocol.GrantError;
import io.spicegate.protocol.ProtocolJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static io.spicegate.agent.Grants.grant;
import static io.spicegate.agent.Grants.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole agent (in this JVM, on a fake monotonic clock) against a fake portal, enforcing real iptables rules
 * in a test network namespace: enrollment, apply and ack, unknown users, expiry on its own timer, the lease, 401,
 * and restart and stop leaving only the REJECTs.
 */
class AgentNetnsTest {

    private static final int PORT = 20004;

    private static TestNet net;
    private static TestUsers users;
    private static TestUsers.User alice;
    private static List<Destination> protectedDestinations;

    private final FakeTicker ticker = new FakeTicker();
    private final List<Agent> agents = new ArrayList<>();
    private FakePortal portal;
    private Path stateDir;
    private LogCapture logs;

    @BeforeAll
    static void setUp() throws Exception {
        users = new TestUsers();
        net = TestNet.create();
        alice = users.create("sgt_a_" + net.suffix);
        protectedDestinations = List.of(new Destination(net.kvmAddress, List.of(20002, PORT)));
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

    @BeforeEach
    void startPortal() throws IOException {
        portal = new FakePortal(Duration.ofMillis(300));
        stateDir = Files.createTempDirectory("sgt-state-");
        logs = new LogCapture();
        new Firewall(CommandRunner.system(), net.ws).remove();
    }

    @AfterEach
    void stopAll() throws IOException {
        agents.forEach(Agent::stop);
        portal.close();
        logs.close();
        logs.assertNoneContains(portal.token, portal.secret);
        try (Stream<Path> files = Files.walk(stateDir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    /** The settings of an agent against {@code portal} enforcing in {@code net}'s workstation, plus {@code extra} key/value pairs. */
    static AgentConfig config(FakePortal portal, Path stateDir, TestNet net, String... extra) {
        Properties p = new Properties();
        p.setProperty("portal.url", portal.url());
        p.setProperty("enrollment.token", portal.token);
        p.setProperty("state.dir", stateDir.toString());
        p.setProperty("netns", net.ws);
        p.setProperty("retry.seconds", "1");
        p.setProperty("poll.timeout.seconds", "5");
        p.setProperty("hostname", "mylap");
        for (int i = 0; i < extra.length; i += 2) {
            p.setProperty(extra[i], extra[i + 1]);
        }
        return AgentConfig.parse(p, "test");
    }

    private Agent start(String... extra) throws IOException {
        Agent agent = new Agent(config(portal, stateDir, net, extra), ticker, CommandRunner.system(), Duration.ofMillis(50));
        agents.add(agent);
        agent.start();
        return agent;
    }

    private String acceptRule(TestUsers.User user, String session) {
        return "-A SPICEGATE -d " + net.kvmAddress + "/32 -p tcp -m tcp --dport " + PORT + " -m owner --uid-owner "
                + user.uid() + " -m comment --comment \"spicegate " + session + "\" -j ACCEPT";
    }

    private String rejectRule() {
        return "-A SPICEGATE -d " + net.kvmAddress + "/32 -p tcp -m multiport --dports 20002,20004 -j REJECT --reject-with tcp-reset";
    }

    private List<String> chain() {
        return Sh.chain(net.ws, Family.V4);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        fail("not within 10 s: " + what);
    }

    private void awaitPolls(int more) throws InterruptedException {
        int target = portal.polls.get() + more;
        await(() -> portal.polls.get() >= target, more + " more polls");
    }

    @Test
    void enrollsOnceAndKeepsTheSecretForRootOnly() throws Exception {
        portal.publish(set(1, 90, protectedDestinations, grant("s-alice", alice.name(), net.kvmAddress, 60, PORT)));
        Agent first = start();
        portal.awaitAck(a -> a.version() == 1, "for version 1");
        Path secretFile = stateDir.resolve("secret");
        assertEquals(portal.secret + "\n", Files.readString(secretFile));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secretFile)));
        assertEquals(1, portal.enrollCalls.get());

        first.stop();
        assertEquals(List.of(rejectRule()), chain());
        start(); // the token is still in the config; the secret is used instead
        portal.awaitAck(a -> a.applied().equals(List.of("s-alice")), "after the restart");
        assertEquals(1, portal.enrollCalls.get(), "the token was sent again");
    }

    @Test
    void appliesTheGrantAndAcksWithFacts() throws Exception {
        portal.publish(set(3, 90, protectedDestinations,
                grant("s-alice", alice.name(), net.kvmAddress, 60, PORT),
                grant("s-ghost", "sgt_nobody_" + net.suffix, net.kvmAddress, 60, PORT)));
        start();
        Ack ack = portal.awaitAck(a -> a.version() == 3, "for version 3");
        assertEquals(List.of("s-alice"), ack.applied());
        assertEquals(List.of(new GrantError("s-ghost", "no such local user: sgt_nobody_" + net.suffix)), ack.errors());
        assertEquals("mylap", ack.facts().hostname());
        assertEquals("dev", ack.facts().agentVersion());
        assertFalse(ack.facts().strict());
        assertEquals("/usr/bin/remote-viewer", ack.facts().remoteViewerPath());
        assertNull(ack.facts().drift());
        assertEquals(List.of(acceptRule(alice, "s-alice"), rejectRule()), chain());
        assertEquals(RestoreScript.JUMP, Sh.output(net.ws, Family.V4).get(0));
        assertTrue(Files.isRegularFile(stateDir.resolve("protected.json")));
    }

    @Test
    void aProtectedListTheAgentHasIsNotSentAgainAndALeftOutListShrinksNothing() throws Exception {
        portal.publish(new GrantSet(1, 90, false, protectedDestinations, List.of(), "tag-1"));
        start();
        portal.awaitAck(a -> a.version() == 1, "for version 1");
        assertEquals(List.of(rejectRule()), chain());
        awaitPolls(1);
        assertEquals("tag-1", portal.lastHave, "the agent says which protected list it has");
        // the portal leaves the list out, as it does for an agent that has it: the guard stays, the grant comes
        portal.publish(new GrantSet(2, 90, false, null,
                List.of(grant("s-alice", alice.name(), net.kvmAddress, 60, PORT)), "tag-1"));
        portal.awaitAck(a -> a.version() == 2 && a.applied().equals(List.of("s-alice")), "for version 2");
        assertEquals(List.of(acceptRule(alice, "s-alice"), rejectRule()), chain());
        awaitPolls(1);
        assertEquals("tag-1", portal.lastHave);
        // a list left out under a tag the agent does not have shrinks nothing; the agent asks for the whole list
        portal.publish(new GrantSet(3, 90, false, null, List.of(), "tag-2"));
        portal.awaitAck(a -> a.version() == 3, "for version 3");
        assertEquals(List.of(rejectRule()), chain());
        awaitPolls(1);
        assertNull(portal.lastHave, "after a tag it does not know, the agent asks for the whole list");
    }

    @Test
    void aGrantEndsOnTheAgentsTimerAndAStaleSetCannotBringItBack() throws Exception {
        portal.publish(set(1, 90, protectedDestinations, grant("s-alice", alice.name(), net.kvmAddress, 60, PORT)));
        start();
        portal.awaitAck(a -> a.applied().equals(List.of("s-alice")), "with the grant");
        ticker.advance(Duration.ofSeconds(59));
        awaitPolls(2);
        assertEquals(List.of(acceptRule(alice, "s-alice"), rejectRule()), chain());

        ticker.advance(Duration.ofSeconds(1));
        Ack ack = portal.awaitAck(a -> a.applied().isEmpty(), "without the grant");
        assertEquals(1, ack.version(), "the same version, with the reduced applied list");
        assertEquals(List.of(rejectRule()), chain());
        awaitPolls(3); // the portal keeps answering version 1 with secondsLeft 60
        assertEquals(List.of(rejectRule()), chain());
    }

    @Test
    void withoutThePortalEveryGrantGoesAfterTheLeaseAndComesBackAfter() throws Exception {
        portal.publish(set(1, 20, protectedDestinations, grant("s-alice", alice.name(), net.kvmAddress, 3600, PORT)));
        start();
        portal.awaitAck(a -> a.applied().equals(List.of("s-alice")), "with the grant");
        portal.status = 503;
        awaitPolls(2); // from here on no poll succeeds
        ticker.advance(Duration.ofSeconds(19));
        Thread.sleep(200);
        assertEquals(List.of(acceptRule(alice, "s-alice"), rejectRule()), chain());
        ticker.advance(Duration.ofSeconds(2));
        await(() -> chain().equals(List.of(rejectRule())), "the grant dropped after the lease, the REJECT kept");

        portal.status = 200;
        await(() -> chain().equals(List.of(acceptRule(alice, "s-alice"), rejectRule())), "the grant back");
    }

    @Test
    void a401DropsEveryGrantAtOnce() throws Exception {
        portal.publish(set(1, 90, protectedDestinations, grant("s-alice", alice.name(), net.kvmAddress, 3600, PORT)));
        start();
        portal.awaitAck(a -> a.applied().equals(List.of("s-alice")), "with the grant");
        portal.status = 401;
        await(() -> chain().equals(List.of(rejectRule())), "the grant dropped, the REJECT kept");
        portal.status = 200; // an admin enabled the workstation again
        await(() -> chain().equals(List.of(acceptRule(alice, "s-alice"), rejectRule())), "the grant back");
    }

    @Test
    void aRestartRebuildsTheChainFromScratchBeforeThePortalAnswers() throws Exception {
        for (Family family : Family.values()) {
            String[] ns = {"ip", "netns", "exec", net.ws, family.tables()};
            Sh.run(concat(ns, "-N", RestoreScript.CHAIN));
            Sh.run(concat(ns, "-A", RestoreScript.CHAIN, "-j", "ACCEPT"));
            Sh.run(concat(ns, "-A", "OUTPUT", "-p", "tcp", "--dport", "1", "-j", "ACCEPT"));
            Sh.run(concat(ns, "-A", "OUTPUT", "-j", RestoreScript.CHAIN));
            Sh.run(concat(ns, "-A", "OUTPUT", "-j", RestoreScript.CHAIN));
        }
        StateDir state = new StateDir(stateDir, ProtocolJson.mapper());
        state.saveProtected(protectedDestinations);
        state.saveSecret(portal.secret);
        portal.status = 503;
        start();
        assertEquals(List.of(rejectRule()), chain());
        assertEquals(List.of(), Sh.chain(net.ws, Family.V6));
        for (Family family : Family.values()) {
            List<String> output = Sh.output(net.ws, family);
            assertEquals(RestoreScript.JUMP, output.get(0));
            assertEquals(1, output.stream().filter(RestoreScript.JUMP::equals).count());
        }
        assertEquals(0, portal.enrollCalls.get());
    }

    @Test
    void stopLeavesOnlyTheRejects() throws Exception {
        portal.publish(set(1, 90, protectedDestinations, grant("s-alice", alice.name(), net.kvmAddress, 3600, PORT)));
        Agent agent = start();
        portal.awaitAck(a -> a.applied().equals(List.of("s-alice")), "with the grant");
        agent.stop();
        assertEquals(List.of(rejectRule()), chain());
        assertEquals(0, agent.exitCode().get(1, TimeUnit.SECONDS));
    }

    @Test
    void aRefusedTokenEndsTheAgentWithTheBaseInPlace() throws Exception {
        new StateDir(stateDir, ProtocolJson.mapper()).saveProtected(protectedDestinations);
        Agent agent = start("enrollment.token", "not-the-token");
        assertEquals(Agent.EXIT_CONFIG, agent.exitCode().get(10, TimeUnit.SECONDS));
        assertFalse(Files.exists(stateDir.resolve("secret")));
        assertEquals(List.of(rejectRule()), chain());
        logs.assertNoneContains("not-the-token");
        assertTrue(logs.lines.stream().anyMatch(l -> l.contains("refused the enrollment token")), logs.lines.toString());
    }

    private static String[] concat(String[] head, String... tail) {
        return Stream.concat(Stream.of(head), Stream.of(tail)).toArray(String[]::new);
    }
}
