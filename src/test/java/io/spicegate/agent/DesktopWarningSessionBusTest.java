package io.spicegate.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spicegate.protocol.Destination;
import io.spicegate.protocol.Grant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The desktop warning for real (root): a {@code useradd} test user gets a real session bus
 * ({@code dbus-daemon --session} at {@code /run/user/<uid>/bus}, run as that user) and a real notification server on
 * it (org.freedesktop.Notifications in {@code /usr/bin/python3} with Debian's python3-dbus, run as that user, which
 * records every Notify call with the caller's UID as the bus daemon reports it). The agent's notifier sends with the
 * real {@code notify-send}: the warning arrives from the user's UID naming the console and the end; "Extend…" chosen
 * on the server reaches the opener (a stub {@code xdg-open}) as the user with the session's page; without actions,
 * without a bus, or with somebody else's bus nothing fails. The whole agent warns on its own timer too.
 */
class DesktopWarningSessionBusTest {

    /** A notification server recording Notify calls; "actions" unless {@code <record>.noactions} exists. */
    static final String SERVER = """
            import json, os, sys
            import dbus, dbus.service, dbus.mainloop.glib
            from gi.repository import GLib
            IFACE = 'org.freedesktop.Notifications'
            record = sys.argv[1]
            class Server(dbus.service.Object):
                def __init__(self, bus):
                    super().__init__(bus, '/org/freedesktop/Notifications')
                    self.bus, self.last = bus, 0
                @dbus.service.method(IFACE, out_signature='as')
                def GetCapabilities(self):
                    return ['body'] if os.path.exists(record + '.noactions') else ['body', 'actions']
                @dbus.service.method(IFACE, out_signature='ssss')
                def GetServerInformation(self):
                    return ('spicegate-test-server', 'spicegate', '1', '1.2')
                @dbus.service.method(IFACE, in_signature='susssasa{sv}i', out_signature='u', sender_keyword='sender')
                def Notify(self, app, replaces, icon, summary, body, actions, hints, timeout, sender=None):
                    self.last += 1
                    nid = self.last
                    with open(record, 'a') as out:
                        out.write(json.dumps({'id': nid, 'app': str(app), 'summary': str(summary), 'body': str(body),
                                              'actions': [str(a) for a in actions],
                                              'uid': int(self.bus.get_unix_user(sender))}) + '\\n')
                    if 'extend' in actions:
                        GLib.timeout_add(100, self.choose, nid)
                    return dbus.UInt32(nid)
                def choose(self, nid):
                    # the user clicks "Extend…" when the test says so (the file appears)
                    if not os.path.exists(record + '.choose'):
                        return True
                    os.remove(record + '.choose')
                    self.ActionInvoked(dbus.UInt32(nid), 'extend')
                    self.NotificationClosed(dbus.UInt32(nid), dbus.UInt32(2))
                    return False
                @dbus.service.method(IFACE, in_signature='u')
                def CloseNotification(self, nid):
                    self.NotificationClosed(nid, dbus.UInt32(3))
                @dbus.service.signal(IFACE, signature='uu')
                def NotificationClosed(self, nid, reason):
                    pass
                @dbus.service.signal(IFACE, signature='us')
                def ActionInvoked(self, nid, key):
                    pass
            dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
            bus = dbus.SessionBus()
            server = Server(bus)
            name = dbus.service.BusName(IFACE, bus, do_not_queue=True)
            print('READY', flush=True)
            GLib.MainLoop().run()
            """;

    private static final String PYTHON = "/usr/bin/python3";
    private static final URI PORTAL = URI.create("https://spicegate.example.org");
    private static final Instant END = Instant.parse("2026-12-02T17:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TestUsers users;
    private static TestUsers.User ralph;
    private static TestUsers.User anne;
    private static Path work;
    private static Path record;
    private static Path opened;
    private static final List<Process> processes = new ArrayList<>();
    private static final List<Path> runtimeDirs = new ArrayList<>();
    private static DesktopNotifier.Tools tools;

    @BeforeAll
    static void setUp() throws Exception {
        Sh.requireRoot("useradd", "setpriv", "dbus-daemon", "notify-send");
        if (!Files.isExecutable(Path.of(PYTHON)) || !Sh.tryRun(PYTHON, "-c", "import dbus, dbus.service, gi.repository.GLib").ok()) {
            fail("the desktop warning test needs /usr/bin/python3 with python3-dbus and python3-gi (Debian packages)");
        }
        String suffix = Sh.random();
        users = new TestUsers();
        ralph = users.create("sgt_n_" + suffix);
        anne = users.create("sgt_m_" + suffix);
        work = Files.createTempDirectory("sgt-desktop-");
        Sh.run("chmod", "0755", work.toString());
        Path server = Files.writeString(work.resolve("server.py"), SERVER);
        Path home = Files.createDirectory(work.resolve("home"));
        Sh.run("chown", ralph.uid() + ":" + ralph.gid(), home.toString());
        record = home.resolve("notifications.jsonl");
        opened = home.resolve("opened");
        Path opener = Files.writeString(work.resolve("xdg-open"), "#!/bin/sh\necho \"$(id -u):$(id -g) $*\" >> " + opened + "\n");
        Sh.run("chmod", "0755", opener.toString(), server.toString());

        Path runtime = runtimeDir(ralph);
        Process bus = asUser(ralph, List.of("dbus-daemon", "--session", "--address=unix:path=" + runtime.resolve("bus"),
                "--nofork", "--print-pid"));
        assertEquals(Long.toString(bus.pid()), firstLine(bus), "dbus-daemon runs as the process we started");
        Process notifications = asUser(ralph, List.of(PYTHON, server.toString(), record.toString()));
        assertEquals("READY", firstLine(notifications), "the notification server owns org.freedesktop.Notifications");
        tools = new DesktopNotifier.Tools(CommandRunner.locate("setpriv"), CommandRunner.locate("notify-send"),
                opener.toString(), null);
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (Process process : processes) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        for (Path dir : runtimeDirs) {
            EnforcementIT.deleteTree(dir);
        }
        EnforcementIT.deleteTree(work);
        if (users != null) {
            users.close();
        }
    }

    @BeforeEach
    void clearRecord() throws IOException {
        Files.deleteIfExists(record);
        Files.deleteIfExists(opened);
        Files.deleteIfExists(Path.of(record + ".noactions"));
        Files.deleteIfExists(Path.of(record + ".choose"));
    }

    /** {@code /run/user/<uid>}, as logind makes it: owned by the user, 0700. */
    private static Path runtimeDir(TestUsers.User user) throws IOException {
        Path dir = Path.of("/run/user", Integer.toString(user.uid()));
        if (Files.exists(dir)) {
            fail(dir + " exists already: not a fresh test user");
        }
        Files.createDirectories(dir);
        runtimeDirs.add(dir);
        Sh.run("chown", user.uid() + ":" + user.gid(), dir.toString());
        Sh.run("chmod", "0700", dir.toString());
        return dir;
    }

    /** Starts a program as {@code user} (never as root) on the user's session bus, remembered to be stopped by PID. */
    private static Process asUser(TestUsers.User user, List<String> argv) throws IOException {
        List<String> command = new ArrayList<>(List.of(CommandRunner.locate("setpriv"), "--reuid=" + user.uid(),
                "--regid=" + user.gid(), "--init-groups", "--"));
        command.addAll(argv);
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().clear();
        builder.environment().put("HOME", "/");
        builder.environment().put("PATH", "/usr/bin:/bin");
        builder.environment().put("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/" + user.uid() + "/bus");
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private static String firstLine(Process process) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = reader.readLine();
        if (line == null) {
            fail("the process ended without a word (exit " + process.exitValue() + ")");
        }
        return line.strip();
    }

    private static Grant grant(TestUsers.User user, String session, Instant notAfter, long secondsLeft, String address) {
        return new Grant(session, user.name(), "vm3", address, List.of(20006), notAfter, secondsLeft, null, "Europe/Berlin");
    }

    private static EndWarnings.Due due(TestUsers.User user, String session, long secondsLeft) {
        return new EndWarnings.Due(grant(user, session, END, secondsLeft, "10.99.0.2"), secondsLeft);
    }

    private static List<JsonNode> notifications() throws IOException {
        if (!Files.exists(record)) {
            return List.of();
        }
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(record)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    /** Waits (up to 30 s) for {@code condition}, showing what the notification server recorded when it fails. */
    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        EnforcementIT.await(condition, what, () -> {
            try {
                return Files.exists(record) ? "recorded: " + Files.readString(record) : "nothing recorded";
            } catch (IOException e) {
                return e.toString();
            }
        });
    }

    /** Waits until the server recorded {@code count} whole notifications, and returns them. */
    private static List<JsonNode> awaitNotifications(int count, String what) throws InterruptedException, IOException {
        await(() -> {
            try {
                return Files.exists(record) && Files.readString(record).lines().count() >= count
                        && Files.readString(record).endsWith("\n");
            } catch (IOException e) {
                return false;
            }
        }, what);
        return notifications();
    }

    private static BooleanSupplier exists(Path file) {
        return () -> Files.exists(file);
    }

    @Test
    void theWarningArrivesFromTheUsersUidAndExtendOpensTheSessionPageAsTheUser() throws Exception {
        String session = "3f1c0000-0000-4000-8000-0000000000a1";
        try (DesktopNotifier notifier = new DesktopNotifier(CommandRunner.system(), Path.of("/run/user"), PORTAL, tools)) {
            notifier.warn(due(ralph, session, 300)); // returns at once: the user has not chosen yet
            JsonNode shown = awaitNotifications(1, "the notification on ralph's bus").get(0);
            assertEquals("vm3 ends in 5 minutes", shown.get("summary").asText());
            assertEquals("Your Spicegate session on vm3 ends at 18:00 (Europe/Berlin).", shown.get("body").asText());
            assertEquals("Spicegate", shown.get("app").asText());
            assertEquals(ralph.uid(), shown.get("uid").asInt(), "sent from the user's UID, not root's");
            assertEquals("extend", shown.get("actions").get(0).asText());
            assertTrue(shown.get("actions").get(1).asText().startsWith("Extend"), shown.toString());
            assertFalse(Files.exists(opened), "nothing opened before the user chose");

            Files.writeString(Path.of(record + ".choose"), "");
            await(exists(opened), "the opener started after Extend… was chosen");
            await(() -> {
                try {
                    return !Files.readString(opened).isEmpty();
                } catch (IOException e) {
                    return false;
                }
            }, "the opener's line");
            assertEquals(ralph.uid() + ":" + ralph.gid() + " " + PORTAL + "/sessions/" + session + "#extend",
                    Files.readString(opened).strip(), "opened as the user, with the session's page");
        }
    }

    @Test
    void withoutActionsTheWarningIsShownWithoutExtend() throws Exception {
        Files.writeString(Path.of(record + ".noactions"), "");
        try (DesktopNotifier notifier = new DesktopNotifier(CommandRunner.system(), Path.of("/run/user"), PORTAL, tools)) {
            notifier.show(due(ralph, "3f1c0000-0000-4000-8000-0000000000a2", 60)); // returns: notify-send does not wait
        }
        List<JsonNode> shown = notifications();
        assertEquals(1, shown.size());
        assertEquals("vm3 ends in 1 minute", shown.get(0).get("summary").asText());
        assertEquals(0, shown.get(0).get("actions").size(), "notify-send shows it without the action");
        assertEquals(ralph.uid(), shown.get(0).get("uid").asInt());
        assertFalse(Files.exists(opened));
    }

    @Test
    void withoutABusOrWithSomebodyElsesNothingIsShownAndNothingFails() throws Exception {
        try (DesktopNotifier notifier = new DesktopNotifier(CommandRunner.system(), Path.of("/run/user"), PORTAL, tools)) {
            notifier.show(due(anne, "3f1c0000-0000-4000-8000-0000000000a3", 300)); // anne has no /run/user/<uid>
            Path annes = runtimeDir(anne);
            Files.createSymbolicLink(annes.resolve("bus"), Path.of("/run/user/" + ralph.uid() + "/bus"));
            notifier.show(due(anne, "3f1c0000-0000-4000-8000-0000000000a4", 300)); // a link to ralph's bus is not hers
            Files.delete(annes.resolve("bus"));
            notifier.show(due(grantFor("sgt_nobody_" + Sh.random()), "3f1c0000-0000-4000-8000-0000000000a5", 300));
        }
        assertEquals(List.of(), notifications(), "no notification reached ralph's bus");
    }

    private static TestUsers.User grantFor(String unknown) {
        return new TestUsers.User(unknown, 99999, 99999);
    }

    @Test
    void theAgentWarnsOnItsOwnTimerAndAgainAfterAnExtend() throws Exception {
        String session = "3f1c0000-0000-4000-8000-0000000000a6";
        FakeTicker ticker = new FakeTicker();
        Path state = Files.createTempDirectory("sgt-state-");
        try (TestNet net = TestNet.create(); FakePortal portal = new FakePortal(Duration.ofMillis(300))) {
            List<Destination> protectedList = List.of(new Destination(net.kvmAddress, List.of(20006)));
            portal.publish(Grants.set(1, 3600, protectedList, grant(ralph, session, END, 330, net.kvmAddress)));
            AgentConfig config = AgentNetnsTest.config(portal, state, net, "portal.public.url", PORTAL.toString());
            Agent agent = new Agent(config, ticker, CommandRunner.system(), Duration.ofMillis(50));
            try {
                agent.start();
                portal.awaitAck(a -> a.applied().equals(List.of(session)), "the grant applied");
                assertEquals(List.of(), notifications(), "first seen with 5.5 minutes left: no 15-minute warning");
                ticker.advance(Duration.ofSeconds(30));
                JsonNode first = awaitNotifications(1, "the 5-minute warning from the agent's timer").get(0);
                assertEquals("vm3 ends in 5 minutes", first.get("summary").asText());

                // Extend: the portal sends a later end; 5 lies ahead again
                portal.publish(Grants.set(2, 3600, protectedList, grant(ralph, session, END.plusSeconds(600), 900, net.kvmAddress)));
                portal.awaitAck(a -> a.version() == 2, "the extended grant");
                ticker.advance(Duration.ofSeconds(600));
                JsonNode again = awaitNotifications(2, "the 5-minute warning of the new end").get(1);
                assertEquals("vm3 ends in 5 minutes", again.get("summary").asText());
                assertEquals("Your Spicegate session on vm3 ends at 18:10 (Europe/Berlin).", again.get("body").asText());
                assertEquals(ralph.uid(), again.get("uid").asInt());
            } finally {
                agent.stop();
            }
        } finally {
            EnforcementIT.deleteTree(state);
        }
    }
}
