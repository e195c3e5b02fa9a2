package io.spicegate.agent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one writer behind both agent chains, on a scripted command runner: no root, no iptables. */
class ChainWriterTest {

    /** Answers {@code -S} with an empty hook and records every restore input; restores fail while {@link #failing} holds. */
    private static final class Recorder implements CommandRunner {

        final List<String> restores = new ArrayList<>();
        final List<String> v4Restores = new ArrayList<>();
        final List<List<String>> commands = new ArrayList<>();
        String failing;

        @Override
        public Result run(List<String> argv, String stdin) {
            commands.add(argv);
            if (stdin == null) {
                return new Result(0, "-P " + argv.get(argv.size() - 1) + " ACCEPT\n", "");
            }
            restores.add(stdin);
            if (argv.contains("iptables-restore")) {
                v4Restores.add(stdin);
            }
            boolean fail = failing != null && stdin.contains(failing);
            return new Result(fail ? 1 : 0, "", fail ? "iptables-restore: line 3 failed" : "");
        }
    }

    @Test
    void bothChainsGoThroughOneWriterAndAnUnchangedChainIsNotRewritten() throws IOException {
        Recorder runner = new Recorder();
        new HostFirewall(runner, "ns1").apply(List.of("10.99.0.5"), List.of(20002));
        assertEquals(List.of("ip", "netns", "exec", "ns1", "iptables", "-S", "INPUT"), runner.commands.get(0));
        assertEquals(InputScript.render(Family.V4, List.of("10.99.0.5"), List.of(20002), "-P INPUT ACCEPT\n"),
                runner.restores.get(0));
        assertTrue(runner.restores.get(0).contains("-I INPUT 1 -j SPICEGATE-IN"));

        Recorder workstation = new Recorder();
        Firewall firewall = new Firewall(workstation, null);
        firewall.applyBase(List.of(Grants.destination("10.99.1.2", 20002)));
        assertEquals(List.of("iptables", "-S", "OUTPUT"), workstation.commands.get(0));
        assertTrue(workstation.restores.get(0).contains("-I OUTPUT 1 -j SPICEGATE"));
        assertEquals(2, workstation.restores.size(), "one restore per family");
    }

    @Test
    void aChainThatCannotBeWrittenFallsBackToItsClosedForm() {
        Recorder runner = new Recorder();
        runner.failing = "-s 10.99.0.5";
        Firewall.FirewallException e = assertThrows(Firewall.FirewallException.class,
                () -> new HostFirewall(runner, null).apply(List.of("10.99.0.5"), List.of(20002)));
        assertTrue(e.failures().containsKey(Family.V4), e.getMessage());
        List<String> ipv4 = runner.v4Restores;
        assertEquals(3, ipv4.size(), "two attempts, then the closed chain: " + runner.restores);
        assertTrue(!ipv4.get(2).contains("10.99.0.5") && ipv4.get(2).contains("-i lo -j RETURN"), ipv4.get(2));
    }
}
