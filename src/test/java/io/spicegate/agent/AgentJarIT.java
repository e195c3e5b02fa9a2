package io.spicegate.agent;

import io.spicegate.protocol.Destination;
import io.spicegate.protocol.ProtocolJson;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.spicegate.agent.Grants.grant;
import static io.spicegate.agent.Grants.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged {@code target/spicegate-agent.jar} as systemd runs it: {@code --apply-base}, the agent process
 * against a fake portal until SIGTERM (which must leave only the REJECTs), {@code --check-drift}, {@code --remove},
 * and host mode refusing to start without a console to guard.
 */
class AgentJarIT {

    private static final Path JAR = Path.of(System.getProperty("spicegate.build-dir", "target"), "spicegate-agent.jar");
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @Test
    void theJarDoesWhatTheUnitsAskOfIt() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " missing: run ./mvnw package first");
        try (TestUsers users = new TestUsers(); TestNet net = TestNet.create();
             FakePortal portal = new FakePortal(Duration.ofMillis(300))) {
            TestUsers.User alice = users.create("sgt_a_" + net.suffix);
            Path stateDir = Files.createTempDirectory("sgt-state-");
            try {
                List<Destination> protectedDestinations = List.of(new Destination(net.kvmAddress, List.of(20004)));
                new StateDir(stateDir, ProtocolJson.mapper()).saveProtected(protectedDestinations);
                Path config = stateDir.resolve("agent.properties");
                Files.writeString(config, "portal.url=" + portal.url() + "\nenrollment.token=" + portal.token
                        + "\nstate.dir=" + stateDir + "\nnetns=" + net.ws + "\nretry.seconds=1\nhostname=mylap\n");
                String reject = "-A SPICEGATE -d " + net.kvmAddress + "/32 -p tcp -m multiport --dports 20004 -j REJECT --reject-with tcp-reset";

                assertEquals(0, run("--config", config.toString(), "--apply-base").exitCode());
                assertEquals(List.of(reject), Sh.chain(net.ws, Family.V4));

                portal.publish(set(1, 90, protectedDestinations, grant("s-alice", alice.name(), net.kvmAddress, 600, 20004)));
                Path log = stateDir.resolve("agent.log");
                Process agent = new ProcessBuilder(JAVA, "-jar", JAR.toString(), "--config", config.toString())
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                try {
                    portal.awaitAck(a -> a.applied().equals(List.of("s-alice")), "from the agent process");
                    assertEquals(2, Sh.chain(net.ws, Family.V4).size());
                } finally {
                    agent.destroy(); // SIGTERM, as systemctl stop
                    assertTrue(agent.waitFor(15, TimeUnit.SECONDS), "the agent did not stop on SIGTERM");
                }
                assertEquals(List.of(reject), Sh.chain(net.ws, Family.V4));
                String output = Files.readString(log, StandardCharsets.UTF_8);
                assertTrue(output.contains("enrolled as workstation 'mylap'"), output);
                assertTrue(output.contains("agent stopped"), output);
                assertFalse(output.contains(portal.token) || output.contains(portal.secret), "a secret in the log:\n" + output);

                Result drift = run("--config", config.toString(), "--check-drift");
                assertEquals(0, drift.exitCode(), drift.output());
                assertTrue(drift.output().contains("strict=false"), drift.output());

                assertEquals(0, run("--config", config.toString(), "--remove").exitCode());
                assertEquals(1, Sh.tryRun("ip", "netns", "exec", net.ws, "iptables", "-S", RestoreScript.CHAIN).exitCode());

                Files.writeString(config, "\nmode=host\n", java.nio.file.StandardOpenOption.APPEND);
                Result host = run("--config", config.toString());
                assertEquals(Agent.EXIT_CONFIG, host.exitCode());
                assertTrue(host.output().contains("mode=host"), host.output());
            } finally {
                try (Stream<Path> files = Files.walk(stateDir)) {
                    for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(file);
                    }
                }
            }
        }
    }

    /** What one run of the jar did. */
    private record Result(int exitCode, String output) {
    }

    private static Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(JAVA, "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return new Result(process.exitValue(), output);
    }
}
