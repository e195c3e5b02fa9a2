package io.spicegate.agent;

import io.spicegate.protocol.GrantError;
import io.spicegate.protocol.TicketAck;
import io.spicegate.protocol.TicketJob;
import io.spicegate.protocol.TicketSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host agent's handling of a ticket set, against scripted iptables and virsh: the chain follows the set,
 * each new ticket is set once with min(ticket.seconds, the session's time left), an unknown console and a failing
 * virsh become errors for the portal without the password in them.
 */
class HostAgentTest {

    private final Path state;
    private final List<String> restores = new ArrayList<>();
    private final List<String> updates = new ArrayList<>();
    private final HostAgent agent;

    HostAgentTest() throws Exception {
        state = Files.createTempDirectory("sg-host-agent-");
        Properties p = new Properties();
        p.setProperty("portal.url", "http://127.0.0.1:9");
        p.setProperty("mode", "host");
        p.setProperty("state.dir", state.toString());
        p.setProperty("ticket.seconds", "60");
        p.setProperty("console.debianx.libvirt", "debianx");
        p.setProperty("console.broken.libvirt", "broken");
        AgentConfig config = AgentConfig.parse(p, "test");
        CommandRunner runner = (argv, stdin) -> {
            String command = String.join(" ", argv);
            if (command.contains("-restore")) {
                restores.add(argv.get(0) + "\n" + stdin);
                return new CommandRunner.Result(0, "", "");
            }
            if (command.contains("tables -S")) {
                return new CommandRunner.Result(0, "-P INPUT ACCEPT\n", "");
            }
            if (command.contains("dumpxml")) {
                return new CommandRunner.Result(0, GraphicsXmlTest.DOMAIN, "");
            }
            if (command.contains("update-device broken")) {
                // libxml2 quotes the offending XML: the password must not travel on
                return new CommandRunner.Result(1, "", "error: Failed to update device from /dev/stdin\nerror: XML error: " + stdin);
            }
            if (command.contains("update-device")) {
                updates.add(stdin);
                return new CommandRunner.Result(0, "Device updated successfully", "");
            }
            throw new AssertionError("unexpected command " + command);
        };
        Clock clock = Clock.fixed(Instant.parse("2026-11-26T21:30:00Z"), ZoneOffset.UTC);
        agent = new HostAgent(config, () -> 0L, runner, clock, Duration.ofSeconds(1));
    }

    @AfterEach
    void cleanUp() throws Exception {
        try (Stream<Path> files = Files.walk(state)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    @Test
    void setsEachTicketOnceAndReportsWhatItCouldNot() {
        TicketSet set = new TicketSet(7, 90, List.of("10.99.1.1", "not an address"), List.of(20002),
                List.of(new TicketJob("s-1", "debianx", "Pw1abcdefghijklmnop", 3600),
                        new TicketJob("s-2", "leaptest", "Pw2abcdefghijklmnop", 3600),
                        new TicketJob("s-3", "broken", "Pw3abcdefghijklmnop", 20)));
        TicketAck ack = agent.onTicketSet(set);
        assertEquals(7, ack.version());
        assertEquals(List.of("s-1"), ack.applied());
        assertEquals(List.of("s-2", "s-3"), ack.errors().stream().map(GrantError::session).toList());
        assertTrue(ack.errors().get(0).error().contains("console leaptest is not configured on this host"), ack.errors().toString());
        assertTrue(ack.errors().get(1).error().startsWith("cannot set the one-time password on console broken: virsh update-device"),
                ack.errors().toString());
        assertFalse(ack.errors().toString().contains("Pw3"), "a password in an error: " + ack.errors());

        assertEquals(1, updates.size());
        assertTrue(updates.get(0).contains("passwd=\"Pw1abcdefghijklmnop\""), updates.get(0));
        assertTrue(updates.get(0).contains("passwdValidTo=\"2026-11-26T21:31:00\""), "ticket.seconds (60) from the host's clock");
        assertTrue(restores.stream().anyMatch(r -> r.startsWith("iptables-restore") && r.contains(
                "-A SPICEGATE-IN -s 10.99.1.1/32 -p tcp -m multiport --dports 20002 -j RETURN")), restores.toString());

        // the same set again (an ack lost on the way): nothing is set twice, the ack is repeated
        TicketAck again = agent.onTicketSet(set);
        assertEquals(List.of("s-1"), again.applied());
        assertEquals(1, updates.size());
    }

    @Test
    void aTicketNeverOutlivesItsSession() {
        agent.onTicketSet(new TicketSet(3, 90, List.of(), List.of(20002),
                List.of(new TicketJob("s-1", "debianx", "PwShortabcdefghijk", 20))));
        assertTrue(updates.get(0).contains("passwdValidTo=\"2026-11-26T21:30:20\""), updates.get(0));
    }

    @Test
    void anUnchangedVersionWithoutTicketsNeedsNoAck() {
        assertEquals(5, agent.onTicketSet(new TicketSet(5, 90, List.of(), List.of(20002), List.of())).version());
        assertNull(agent.onTicketSet(new TicketSet(5, 90, List.of(), List.of(20002), List.of())));
    }
}
