package io.spicegate.agent;

import io.spicegate.protocol.Grant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The warning's text and the command lines the notifier builds: argv only (no shell), the user's UID, GID and
 * groups, the user's session bus in an otherwise empty environment; and no session bus means nothing runs.
 */
class DesktopNotifierTest {

    private static final String SESSION = "3f1c0000-0000-4000-8000-000000000001";
    private static final URI PORTAL = URI.create("https://spicegate.example.org");
    private static final DesktopNotifier.Tools TOOLS = new DesktopNotifier.Tools("/usr/bin/setpriv", "/usr/bin/notify-send",
            "/usr/bin/xdg-open", "/usr/bin/systemd-run");
    private static final UserDirectory.Account RALPH = new UserDirectory.Account("ralph", 1234, 2345, "/home/ralph");

    @TempDir
    Path runtime;

    private static EndWarnings.Due due(String console, Instant notAfter, String zone, long secondsLeft) {
        return new EndWarnings.Due(new Grant(SESSION, "ralph", console, "10.99.0.2", List.of(20006), notAfter, secondsLeft,
                null, zone), secondsLeft);
    }

    private DesktopNotifier notifier(CommandRunner runner, DesktopNotifier.Tools tools) {
        return new DesktopNotifier(runner, runtime, PORTAL, tools);
    }

    @Test
    void theTextNamesTheConsoleAndTheEndInTheGrantsZone() {
        DesktopNotifier.Notice notice = DesktopNotifier.notice(due("vm3", Instant.parse("2026-12-02T17:00:00Z"), "Europe/Berlin", 300), PORTAL);
        assertEquals("vm3 ends in 5 minutes", notice.summary());
        assertEquals("Your Spicegate session on vm3 ends at 18:00 (Europe/Berlin).", notice.body());
        assertEquals("normal", notice.urgency());
        assertEquals(URI.create("https://spicegate.example.org/sessions/" + SESSION + "#extend"), notice.extend());
    }

    @Test
    void theLastMinuteIsCriticalAndSingular() {
        DesktopNotifier.Notice notice = DesktopNotifier.notice(due("vm3", Instant.parse("2026-12-02T17:00:00Z"), "Europe/London", 60), PORTAL);
        assertEquals("vm3 ends in 1 minute", notice.summary());
        assertEquals("Your Spicegate session on vm3 ends at 17:00 (Europe/London).", notice.body());
        assertEquals("critical", notice.urgency());
    }

    @Test
    void anEndAfterMidnightCarriesItsDate() {
        DesktopNotifier.Notice notice = DesktopNotifier.notice(due("debianx", Instant.parse("2026-12-02T23:05:00Z"), "Europe/Berlin", 900), PORTAL);
        assertEquals("Your Spicegate session on debianx ends at Thu 3 Dec 00:05 (Europe/Berlin).", notice.body());
    }

    @Test
    void aGrantWithoutAZoneIsNamedInTheAgentsZone() {
        Instant end = Instant.parse("2026-12-02T17:00:00Z");
        String local = java.time.format.DateTimeFormatter.ofPattern("HH:mm").format(end.atZone(java.time.ZoneId.systemDefault()));
        DesktopNotifier.Notice notice = DesktopNotifier.notice(due("vm3", end, null, 300), PORTAL);
        assertEquals("Your Spicegate session on vm3 ends at " + local + " (" + java.time.ZoneId.systemDefault().getId() + ").", notice.body());
        assertEquals(notice.body(), DesktopNotifier.notice(due("vm3", end, "Mars/Olympus", 300), PORTAL).body(), "an unknown zone too");
    }

    @Test
    void markupAndControlCharactersInTheConsoleNameAreDefused() {
        DesktopNotifier.Notice notice = DesktopNotifier.notice(due("<b>vm&3</b>\n\u0007", Instant.parse("2026-12-02T17:00:00Z"),
                "Europe/Berlin", 300), PORTAL);
        assertEquals("<b>vm&3</b> ends in 5 minutes", notice.summary(), "the summary is plain text to the server");
        assertEquals("Your Spicegate session on &lt;b&gt;vm&amp;3&lt;/b&gt; ends at 18:00 (Europe/Berlin).", notice.body());
    }

    @Test
    void noExtendWithoutAPortalUrlOrForASessionThatIsNotUuidLike() {
        assertNull(DesktopNotifier.notice(due("vm3", Instant.parse("2026-12-02T17:00:00Z"), "Europe/Berlin", 300), null).extend());
        EndWarnings.Due odd = new EndWarnings.Due(new Grant("../admin?x", "ralph", "vm3", "10.99.0.2", List.of(20006),
                Instant.parse("2026-12-02T17:00:00Z"), 300, null, "Europe/Berlin"), 300);
        assertNull(DesktopNotifier.notice(odd, PORTAL).extend());
    }

    @Test
    void notifySendRunsAsTheUserWithArgumentsNotACommandLine() {
        String hostile = "vm3; rm -rf / $(id) `id` --help";
        DesktopNotifier.Notice notice = DesktopNotifier.notice(due(hostile, Instant.parse("2026-12-02T17:00:00Z"), "Europe/Berlin", 300), PORTAL);
        List<String> argv = notifier(CommandRunner.system(), TOOLS).notifyCommand(RALPH, notice);
        assertEquals(List.of("/usr/bin/setpriv", "--reuid=1234", "--regid=2345", "--init-groups", "--", "/usr/bin/notify-send",
                "--app-name=Spicegate", "--urgency=normal", "--action=extend=" + argv.get(8).substring("--action=extend=".length()),
                "--", hostile + " ends in 5 minutes", "Your Spicegate session on " + hostile + " ends at 18:00 (Europe/Berlin)."), argv);
        assertTrue(argv.get(8).startsWith("--action=extend=Extend"), argv.get(8));
        assertTrue(argv.stream().noneMatch(a -> a.equals("sh") || a.endsWith("/sh") || a.equals("-c")), "no shell");
    }

    @Test
    void withoutAPortalUrlNoActionIsOffered() {
        DesktopNotifier.Notice notice = DesktopNotifier.notice(due("vm3", Instant.parse("2026-12-02T17:00:00Z"), "Europe/Berlin", 300), null);
        List<String> argv = notifier(CommandRunner.system(), TOOLS).notifyCommand(RALPH, notice);
        assertTrue(argv.stream().noneMatch(a -> a.startsWith("--action")), argv.toString());
    }

    @Test
    void theEnvironmentIsOnlyTheUsersSessionBusAndBasics() {
        Map<String, String> env = DesktopNotifier.environment(RALPH, Path.of("/run/user/1234/bus"));
        assertEquals(Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", "/home/ralph", "USER", "ralph", "LOGNAME", "ralph",
                "LANG", "C.UTF-8", "XDG_RUNTIME_DIR", "/run/user/1234",
                "DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1234/bus"), env);
    }

    @Test
    void theBrowserOpensAsTheUserThroughTheUsersManagerWhenThereIsOne() {
        URI page = URI.create("https://spicegate.example.org/sessions/" + SESSION + "#extend");
        DesktopNotifier notifier = notifier(CommandRunner.system(), TOOLS);
        assertEquals(List.of("/usr/bin/setpriv", "--reuid=1234", "--regid=2345", "--init-groups", "--",
                "/usr/bin/systemd-run", "--user", "--quiet", "--collect", "--", "/usr/bin/xdg-open", page.toString()),
                notifier.openCommand(RALPH, page, true));
        assertEquals(List.of("/usr/bin/setpriv", "--reuid=1234", "--regid=2345", "--init-groups", "--",
                "/usr/bin/xdg-open", page.toString()), notifier.openCommand(RALPH, page, false));
    }

    @Test
    void theSessionBusMustBeASocketOwnedByTheUser() throws IOException {
        int me = (Integer) Files.getAttribute(runtime, "unix:uid");
        DesktopNotifier notifier = notifier(CommandRunner.system(), TOOLS);
        assertNull(notifier.sessionBus(me), "no runtime directory");
        Files.createDirectories(runtime.resolve(Integer.toString(me)));
        Files.writeString(runtime.resolve(me + "/bus"), "not a socket");
        assertNull(notifier.sessionBus(me), "a plain file is no bus");
        Files.delete(runtime.resolve(me + "/bus"));
        try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(runtime.resolve(me + "/bus")));
            assertEquals(runtime.resolve(me + "/bus"), notifier.sessionBus(me));
            Path other = runtime.resolve((me + 1) + "/bus");
            Files.createDirectories(other.getParent());
            Files.createSymbolicLink(other, runtime.resolve(me + "/bus"));
            assertNull(notifier.sessionBus(me + 1), "a link to somebody else's bus is not the user's bus");
        }
    }

    @Test
    void withoutASessionBusOrAUserNothingRunsAndNothingFails() throws Exception {
        List<List<String>> ran = new ArrayList<>();
        CommandRunner getent = (argv, stdin) -> {
            ran.add(argv);
            return argv.get(2).equals("ralph") ? new CommandRunner.Result(0, "ralph:x:1234:2345::/home/ralph:/bin/bash\n", "")
                    : new CommandRunner.Result(2, "", "");
        };
        DesktopNotifier.Tools missing = new DesktopNotifier.Tools("/nonexistent/setpriv", "/nonexistent/notify-send", null, null);
        try (DesktopNotifier notifier = notifier(getent, missing)) {
            notifier.show(due("vm3", Instant.parse("2026-12-02T17:00:00Z"), "Europe/Berlin", 300)); // no bus for 1234
            notifier.show(new EndWarnings.Due(new Grant(SESSION, "nobody-here", "vm3", "10.99.0.2", List.of(20006),
                    Instant.parse("2026-12-02T17:00:00Z"), 300, null, null), 300));
        }
        assertEquals(List.of(List.of("getent", "passwd", "ralph"), List.of("getent", "passwd", "nobody-here")), ran,
                "only the look-ups ran: starting /nonexistent/... would have thrown");
    }
}
