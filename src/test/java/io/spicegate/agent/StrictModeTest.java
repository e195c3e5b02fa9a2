package io.spicegate.agent;

import io.spicegate.protocol.Ack;
import io.spicegate.protocol.Destination;
import io.spicegate.protocol.GrantSet;
import io.spicegate.protocol.ProtocolJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strict mode (seed strategy 3) with the real sudo: the drop-in passes {@code visudo -cf}, {@code sudo -l} lists
 * exactly the one forced remote-viewer command while the grant lives and nothing after it expired, the launch file
 * is {@code root:spicegrp 0640}, and remote-viewer's owner and mode are checked for drift. The drop-in goes to the
 * real {@code /etc/sudoers.d} (sudo reads nothing else) under a test name, removed in any case.
 */
class StrictModeTest {

    private static TestNet net;
    private static TestUsers users;
    private static TestUsers.User alice;
    private static String group;
    private static Path sudoersFile;
    private static Path runDir;
    private static Path viewerDir;
    private static Path viewer;

    private final FakeTicker ticker = new FakeTicker();
    private FakePortal portal;
    private Path stateDir;
    private Agent agent;
    private LogCapture logs;

    @BeforeAll
    static void setUp() throws Exception {
        Sh.requireRoot("sudo", "visudo", "groupadd", "groupdel");
        users = new TestUsers();
        net = TestNet.create();
        alice = users.create("sgt_a_" + net.suffix);
        group = users.group("sgt_g_" + net.suffix);
        sudoersFile = Path.of("/etc/sudoers.d/spicegate-test-" + net.suffix);
        runDir = Path.of("/tmp/sgt-run-" + net.suffix);
        viewerDir = Files.createTempDirectory("sgt-rv-");
        viewer = viewerDir.resolve("remote-viewer");
        Files.writeString(viewer, "#!/bin/sh\nexit 0\n");
        Sh.run("chown", "root:" + group, viewer.toString());
        Sh.run("chmod", "0750", viewer.toString());
    }

    @AfterAll
    static void tearDown() throws IOException {
        try {
            if (sudoersFile != null) {
                Files.deleteIfExists(sudoersFile);
                Files.deleteIfExists(sudoersFile.resolveSibling("." + sudoersFile.getFileName() + ".tmp"));
            }
            deleteTree(runDir);
            deleteTree(viewerDir);
        } finally {
            if (net != null) {
                net.close();
            }
            if (users != null) {
                users.close();
            }
        }
    }

    @BeforeEach
    void startPortal() throws IOException {
        portal = new FakePortal(Duration.ofMillis(300));
        stateDir = Files.createTempDirectory("sgt-state-");
        new StateDir(stateDir, ProtocolJson.mapper()).saveSecret(portal.secret);
        logs = new LogCapture();
    }

    @AfterEach
    void stopAgent() throws IOException {
        if (agent != null) {
            agent.stop();
        }
        portal.close();
        logs.close();
        deleteTree(stateDir);
        Sh.run("chmod", "0750", viewer.toString());
    }

    private Path configFile() throws IOException {
        Properties p = new Properties();
        p.setProperty("portal.url", portal.url());
        p.setProperty("state.dir", stateDir.toString());
        p.setProperty("netns", net.ws);
        p.setProperty("retry.seconds", "1");
        p.setProperty("poll.timeout.seconds", "5");
        p.setProperty("strict", "true");
        p.setProperty("strict.group", group);
        p.setProperty("strict.run.dir", runDir.toString());
        p.setProperty("strict.sudoers.file", sudoersFile.toString());
        p.setProperty("remote.viewer", viewer.toString());
        Path file = stateDir.resolve("agent.properties");
        try (var out = Files.newBufferedWriter(file)) {
            p.store(out, null);
        }
        return file;
    }

    private void startAgent() throws IOException {
        agent = new Agent(AgentConfig.load(configFile()), ticker, CommandRunner.system(), Duration.ofMillis(50));
        agent.start();
    }

    private static List<String> sudoCommands(TestUsers.User user) {
        String listing = Sh.run("sudo", "-l", "-U", user.name());
        int start = listing.indexOf("may run the following commands");
        if (start < 0) {
            assertTrue(listing.contains("not allowed to run sudo"), listing);
            return List.of();
        }
        return listing.substring(listing.indexOf('\n', start) + 1).lines().map(String::strip)
                .filter(l -> !l.isEmpty()).toList();
    }

    @Test
    void theRenderedDropInPassesTheRealVisudo() throws Exception {
        String text = Sudoers.render(List.of(new Sudoers.Entry(alice.name(), "leaptest"), new Sudoers.Entry(alice.name(), "vm3.b-2")),
                viewer, runDir, group);
        Path file = Files.createTempFile("sgt-sudoers", "");
        try {
            Files.writeString(file, text);
            CommandRunner.Result ok = Sh.tryRun("visudo", "-cf", file.toString());
            assertEquals(0, ok.exitCode(), ok.stdout() + ok.stderr());
            Files.writeString(file, alice.name() + " ALL=(" + alice.name() + "\n");
            assertNotEquals(0, Sh.tryRun("visudo", "-cf", file.toString()).exitCode(), "visudo accepts anything?");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aLiveGrantIsExactlyOneSudoRuleAndALaunchFileUntilItExpires() throws Exception {
        String password = "pw-" + Sh.random() + Sh.random();
        String launchFile = "[virt-viewer]\ntype=spice\nhost=" + net.kvmAddress + "\ntls-port=20004\npassword=" + password
                + "\ndelete-this-file=1\n";
        List<Destination> protectedDestinations = List.of(new Destination(net.kvmAddress, List.of(20004)));
        portal.publish(new GrantSet(1, 90, true, protectedDestinations, List.of(
                Grants.strictGrant("s-alice", alice.name(), "leaptest", net.kvmAddress, 60, launchFile, 20004))));
        startAgent();
        Ack ack = portal.awaitAck(a -> a.version() == 1, "for version 1");
        assertEquals(List.of("s-alice"), ack.applied(), ack.errors().toString());
        assertTrue(ack.facts().strict());
        assertNull(ack.facts().drift());
        assertEquals("root", ack.facts().remoteViewerOwner());
        assertEquals(group, ack.facts().remoteViewerGroup());
        assertEquals("0750", ack.facts().remoteViewerMode());

        Path vv = runDir.resolve(alice.name()).resolve("leaptest.vv");
        assertEquals(List.of("(" + alice.name() + " : " + group + ") NOPASSWD: " + viewer + " -- " + vv), sudoCommands(alice));
        PosixFileAttributes dropIn = Files.readAttributes(sudoersFile, PosixFileAttributes.class);
        assertEquals("r--r-----", PosixFilePermissions.toString(dropIn.permissions()));
        assertEquals("root", dropIn.owner().getName());
        assertEquals(0, Sh.tryRun("visudo", "-c").exitCode(), "the whole sudo configuration must stay valid");

        assertEquals(launchFile, Files.readString(vv));
        PosixFileAttributes file = Files.readAttributes(vv, PosixFileAttributes.class);
        assertEquals("rw-r-----", PosixFilePermissions.toString(file.permissions()));
        assertEquals("root:" + group, file.owner().getName() + ":" + file.group().getName());
        PosixFileAttributes dir = Files.readAttributes(vv.getParent(), PosixFileAttributes.class);
        assertEquals("rwxr-x---", PosixFilePermissions.toString(dir.permissions()));
        assertEquals("root:" + group, dir.owner().getName() + ":" + dir.group().getName());

        // the portal hands the launch file out once: a later set without it leaves the file alone
        portal.publish(new GrantSet(2, 90, true, protectedDestinations, List.of(
                Grants.strictGrant("s-alice", alice.name(), "leaptest", net.kvmAddress, 60, null, 20004))));
        portal.awaitAck(a -> a.version() == 2, "for version 2");
        assertEquals(launchFile, Files.readString(vv));

        ticker.advance(Duration.ofSeconds(61));
        portal.awaitAck(a -> a.applied().isEmpty(), "after the expiry");
        assertFalse(Files.exists(sudoersFile), "the drop-in outlived the grant");
        assertFalse(Files.exists(vv), "the launch file outlived the grant");
        assertEquals(List.of(), sudoCommands(alice));
        logs.assertNoneContains(password, portal.secret);
    }

    @Test
    void driftOfRemoteViewerIsReportedAndChecked() throws Exception {
        portal.publish(new GrantSet(1, 90, true, List.of(), List.of()));
        startAgent();
        assertNull(portal.awaitAck(a -> a.version() == 1, "for version 1").facts().drift());
        String[] checkDrift = {"--config", configFile().toString(), "--check-drift"};
        assertEquals(0, AgentMain.run(checkDrift, new PrintStream(new ByteArrayOutputStream()), System.err));

        Sh.run("chmod", "0755", viewer.toString()); // a package update reset the mode
        ticker.advance(Duration.ofSeconds(31)); // the periodic re-apply recomputes the facts
        Ack ack = portal.awaitAck(a -> a.facts().drift() != null, "with drift");
        assertEquals(viewer + " is root:" + group + " 0755, expected root:" + group + " 0750 (fix: chown root:" + group
                + " " + viewer + " && chmod 0750 " + viewer + ")", ack.facts().drift());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(1, AgentMain.run(checkDrift, new PrintStream(out), System.err));
        assertTrue(out.toString().contains("DRIFT: " + viewer + " is root:" + group + " 0755"), out.toString());
    }

    private static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
