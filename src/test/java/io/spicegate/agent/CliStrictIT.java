package io.spicegate.agent;

import io.spicegate.cli.CliJar;
import io.spicegate.cli.ForwardingProxy;
import io.spicegate.testing.Api;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.spicegate.agent.EnforcementIT.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code spicegate open} on a strict workstation (issue 18 point 3), as root: the {@link AgentLab} set-up with the
 * packaged portal and the packaged agent jar as a strict workstation agent, the real sudo, and the real
 * remote-viewer under Xvfb. The command, run as the granted Unix user with a personal API token, reaches the portal
 * as from the workstation (through a loopback proxy the portal trusts), waits until the agent has written the
 * sudoers rule and the launch file, never asks the portal for the file, and runs the sudo rule's launcher
 * {@code spicegate-open <console>}: remote-viewer starts as that user with the group spicegrp on
 * {@code /run/spicegate/<user>/<console>.vv}, a descendant of the command through sudo. Killing remote-viewer (by its
 * PID) ends the command with the launcher's exit code. {@code --vv-out} there is refused with exit 3.
 */
class CliStrictIT {

    static final int PORT = 20008;

    static AgentLab agents;
    static KvmLab lab;
    static TestUsers.User alice;
    static ForwardingProxy proxy;
    static CliJar cli;
    static String token;

    @BeforeAll
    static void setUp() throws Exception {
        agents = AgentLab.create("sgx");
        String strict = agents.strict("spicegate-cli-it");
        lab = agents.lab;
        alice = agents.alice;
        lab.startXvfb();
        agents.startPortal("cli-strict-portal");
        agents.console("vms", PORT, "static-x-" + lab.suffix);
        EnforcementIT.rule(agents.admin, "vms", "alice", null);
        agents.startWorkstationAgent(true, strict);
        token = Api.basic(agents.portal.base, "alice", "password-alice")
                .post("/api/v1/tokens", Map.of("name", "cli-strict-it", "days", 1)).expect(201).json().get("token").asText();
        proxy = new ForwardingProxy(agents.portal.base, lab.wsAddress);
        cli = new CliJar();
    }

    @AfterAll
    static void tearDown() throws Exception {
        try (AgentLab closing = agents; ForwardingProxy p = proxy; CliJar c = cli) {
            if (agents == null) {
                return;
            }
            agents.stopAgents();
            agents.checkLogs();
            if (agents.portal != null) {
                assertFalse(agents.portal.logText().contains(token), "the token in the portal's log");
            }
        }
    }

    @Test
    void openRunsTheSudoRulesLauncherAndRemoteViewerStartsAsTheUser() throws Exception {
        // the user's PATH holds the launcher as the .deb installs it (copied where the test user can read it)
        Path bin = Files.createDirectory(cli.dir.resolve("bin"));
        Files.copy(Path.of("deploy/bin/spicegate-open"), bin.resolve("spicegate-open"));
        Files.setPosixFilePermissions(bin.resolve("spicegate-open"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path home = Files.createDirectory(cli.dir.resolve("home"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        Sh.run("chown", alice.uid() + ":" + alice.gid(), home.toString());
        Map<String, String> env = Map.of("HOME", home.toString(), "DISPLAY", ":" + lab.display(),
                "PATH", bin + ":/usr/bin:/bin", "TZ", "Europe/Berlin",
                "SPICEGATE_URL", proxy.url(), "SPICEGATE_TOKEN", token);
        List<String> asAlice = List.of("setpriv", "--reuid=" + alice.uid(), "--regid=" + alice.gid(), "--init-groups");

        // no file to write on a strict workstation
        CliJar.Result refused = cli.run(asAlice, env, "open", "vms", "--vv-out", home.resolve("vms.vv").toString());
        assertEquals(3, refused.code(), refused.toString());
        assertEquals("spicegate: ws is a strict workstation: the portal never hands out its launch files, so --vv-out "
                + "cannot work here; run spicegate open vms without it.\n", refused.err());
        assertFalse(Files.exists(home.resolve("vms.vv")));

        Process command = cli.start(asAlice, env, "open", "vms");
        CompletableFuture<String> out = CliJar.read(command.getInputStream());
        CompletableFuture<String> err = CliJar.read(command.getErrorStream());
        Path vv = AgentLab.launchFile(alice, "vms");
        List<String> expected = List.of("/usr/bin/remote-viewer", "--", vv.toString());
        Long viewer = null;
        try {
            long[] found = new long[1];
            await(() -> {
                Optional<Long> pid = processWith(expected);
                pid.ifPresent(p -> found[0] = p);
                return pid.isPresent() || !command.isAlive();
            }, "remote-viewer started by spicegate open", () -> "");
            assertTrue(command.isAlive(), () -> "spicegate open ended before remote-viewer started: " + command.exitValue()
                    + "\n" + out.getNow("") + err.getNow(""));
            viewer = found[0];
            String status = Files.readString(Path.of("/proc/" + viewer + "/status"));
            assertTrue(status.lines().anyMatch(l -> l.matches("Uid:\\s+" + alice.uid() + "\\s+" + alice.uid() + "\\s.*")),
                    "remote-viewer runs as the user: " + status);
            int spicegrp = Integer.parseInt(Sh.run("getent", "group", AgentLab.STRICT_GROUP).split(":")[2]);
            assertTrue(status.lines().anyMatch(l -> l.matches("Gid:\\s+" + spicegrp + "\\s+" + spicegrp + "\\s.*")),
                    "with the group " + AgentLab.STRICT_GROUP + " (sudo -g): " + status);
            List<String> ancestors = ancestors(viewer, command.pid()); // fails unless it descends from spicegate open
            assertTrue(ancestors.contains("sudo"), "started through sudo: " + ancestors);
            assertTrue(Files.exists(vv), "the agent's file is there");

            ProcessHandle.of(viewer).ifPresent(ProcessHandle::destroy);
            assertTrue(command.waitFor(30, TimeUnit.SECONDS), "spicegate open ends with remote-viewer");
            viewer = null;
            assertEquals(128 + 15, command.exitValue(), "the launcher's exit code (remote-viewer got SIGTERM), passed on");
            String stderr = err.get(10, TimeUnit.SECONDS);
            assertTrue(stderr.contains("ws is a strict workstation: starting remote-viewer through the sudo rule "
                    + "(spicegate-open vms); your session ends at "), stderr);
            assertFalse(stderr.contains("spicegate: "), "no error: " + stderr);
            assertFalse((out.get(10, TimeUnit.SECONDS) + stderr).contains(token), "the token was printed");
            assertTrue(proxy.calls.contains("POST /api/v1/sessions"), proxy.calls.toString());
            assertTrue(proxy.calls.stream().noneMatch(c -> c.endsWith("/console.vv")), "never asked for the file: " + proxy.calls);
        } finally {
            if (viewer != null) {
                ProcessHandle.of(viewer).ifPresent(ProcessHandle::destroyForcibly);
            }
            command.destroy();
            command.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The process whose command line is exactly {@code argv}, if one runs. */
    static Optional<Long> processWith(List<String> argv) {
        return ProcessHandle.allProcesses().map(ProcessHandle::pid).filter(pid -> {
            try {
                String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline"));
                return List.of(cmdline.split("\0")).equals(argv);
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }).findFirst();
    }

    /** The names ({@code comm}) of the processes from {@code pid}'s parent up to (not including) {@code top}. */
    static List<String> ancestors(long pid, long top) throws IOException {
        List<String> names = new ArrayList<>();
        Optional<ProcessHandle> p = ProcessHandle.of(pid).flatMap(ProcessHandle::parent);
        while (p.isPresent() && p.get().pid() != top && p.get().pid() > 1) {
            names.add(Files.readString(Path.of("/proc/" + p.get().pid() + "/comm")).strip());
            p = p.get().parent();
        }
        assertTrue(p.isPresent() && p.get().pid() == top, pid + " does not descend from " + top + ": " + names);
        return names;
    }
}
