package io.spicegate.agent;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Shows an {@link EndWarnings} warning on the granted user's desktop: {@code notify-send} (libnotify-bin) run as that
 * user (setpriv to the user's UID, GID and groups; never as root, never through a shell) on the user's session bus,
 * found the systemd-logind way at {@code /run/user/<uid>/bus} and only when that socket belongs to the user. Where
 * the notification server offers actions, the warning offers "Extend…", which opens the session's page on the portal
 * in the user's browser ({@code xdg-open}, as the user). Everything runs on this class's own threads, so the agent's
 * poller and timer never wait for a desktop; without a graphical session nothing is shown and nothing fails.
 */
final class DesktopNotifier implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DesktopNotifier.class.getName());
    /** How long a warning without an action may take to reach the notification server. */
    private static final long SEND_SECONDS = 10;
    private static final String PATH = "/usr/local/bin:/usr/bin:/bin";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH);
    private static final DateTimeFormatter DAY_TIME = DateTimeFormatter.ofPattern("EEE d MMM HH:mm", Locale.ENGLISH);

    /** The programs the notifier runs, as absolute paths; null when not installed. */
    record Tools(String setpriv, String notifySend, String xdgOpen, String systemdRun) {

        /** The installed programs, looked up in PATH and the system directories. */
        static Tools installed() {
            return new Tools(find("setpriv"), find("notify-send"), find("xdg-open"), find("systemd-run"));
        }

        private static String find(String program) {
            String path = CommandRunner.locate(program);
            return path.startsWith("/") && Files.isExecutable(Path.of(path)) ? path : null;
        }
    }

    /** What the desktop shows: a one-line summary, a body sentence, the urgency, and the Extend action's page (or null). */
    record Notice(String summary, String body, String urgency, URI extend) {
    }

    private final CommandRunner runner;
    private final Path runtimeRoot;
    private final URI publicUrl;
    private final Tools tools;
    private final ExecutorService threads = Executors.newCachedThreadPool(PollLoop.daemon("spicegate-notify"));
    /** The notify-send still waiting for the user's choice, per session: a newer warning replaces it. */
    private final Map<String, Process> waiting = new ConcurrentHashMap<>();
    private final Map<String, Boolean> saidOnce = new ConcurrentHashMap<>();

    /** A notifier for the real desktop sessions under {@code /run/user}. */
    DesktopNotifier(CommandRunner runner, URI publicUrl) {
        this(runner, Path.of("/run/user"), publicUrl, Tools.installed());
    }

    /** A notifier with the runtime directories' root and the programs given (tests). */
    DesktopNotifier(CommandRunner runner, Path runtimeRoot, URI publicUrl, Tools tools) {
        this.runner = runner;
        this.runtimeRoot = runtimeRoot;
        this.publicUrl = publicUrl;
        this.tools = tools;
    }

    /** Shows the warning on the user's desktop, on another thread; returns at once. */
    void warn(EndWarnings.Due due) {
        try {
            threads.execute(() -> {
                try {
                    show(due);
                } catch (IOException | RuntimeException e) {
                    LOG.info("desktop warning for " + due.grant().user() + " not shown: " + PollLoop.describe(e));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        } catch (RejectedExecutionException e) {
            // the agent is stopping
        }
    }

    /** The session's grant ended: its warning no longer waits for the user's choice. */
    void ended(String session) {
        Process process = waiting.remove(session);
        if (process != null) {
            process.destroy();
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
        waiting.values().forEach(Process::destroy);
        waiting.clear();
    }

    /** Shows one warning and, when the user chooses Extend…, opens the session's page. */
    void show(EndWarnings.Due due) throws IOException, InterruptedException {
        String user = due.grant().user();
        Optional<UserDirectory.Account> found = UserDirectory.account(runner, user);
        if (found.isEmpty()) {
            LOG.fine("desktop warning not shown: no local user " + user);
            return;
        }
        UserDirectory.Account account = found.get();
        Path bus = sessionBus(account.uid());
        if (bus == null) {
            LOG.fine("desktop warning not shown: " + user + " has no graphical session (no session bus of UID "
                    + account.uid() + " at " + runtimeRoot.resolve(Integer.toString(account.uid())).resolve("bus") + ")");
            return;
        }
        if (tools.setpriv() == null || tools.notifySend() == null) {
            once("tools", "desktop warnings are not shown: install " + (tools.setpriv() == null ? "util-linux (setpriv)" : "libnotify-bin (notify-send)"));
            return;
        }
        Notice notice = notice(due, publicUrl);
        String session = due.grant().session();
        Process process = start(notifyCommand(account, notice), environment(account, bus));
        Process before = notice.extend() == null ? null : waiting.put(session, process);
        if (before != null) {
            before.destroy(); // the earlier warning's Extend… is answered by this one now
        }
        try {
            // with an action notify-send waits for the user's choice, at most until the session ends
            long wait = notice.extend() == null ? SEND_SECONDS : Math.max(SEND_SECONDS, due.secondsLeft());
            if (!process.waitFor(wait, TimeUnit.SECONDS)) {
                process.destroy();
                return;
            }
            if (notice.extend() == null || waiting.get(session) != process) {
                return; // no action offered, or replaced by a newer warning, or the grant ended
            }
            String chosen = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (chosen.lines().anyMatch("extend"::equals)) {
                open(account, bus, notice.extend());
            }
        } finally {
            waiting.remove(session, process);
        }
    }

    /** The user chose Extend…: open the session's page in the user's browser, as the user. */
    private void open(UserDirectory.Account account, Path bus, URI page) throws IOException {
        if (tools.xdgOpen() == null) {
            once("xdg-open", "Extend… was chosen but xdg-open (xdg-utils) is not installed: the browser cannot be opened");
            return;
        }
        Path manager = bus.resolveSibling("systemd").resolve("private");
        boolean userManager = tools.systemdRun() != null && Files.exists(manager, LinkOption.NOFOLLOW_LINKS);
        LOG.info("Extend… chosen by " + account.name() + ": opening " + page);
        start(openCommand(account, page, userManager), environment(account, bus)); // not waited for: the browser may stay
    }

    /** The session bus of {@code uid}, when it exists as a socket owned by that UID; else null. */
    Path sessionBus(int uid) {
        Path bus = runtimeRoot.resolve(Integer.toString(uid)).resolve("bus");
        try {
            int mode = (Integer) Files.getAttribute(bus, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            int owner = (Integer) Files.getAttribute(bus, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            return (mode & 0170000) == 0140000 && owner == uid ? bus : null;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** {@code setpriv} to the user, then {@code notify-send} with the notice as arguments (after {@code --}). */
    List<String> notifyCommand(UserDirectory.Account account, Notice notice) {
        List<String> argv = asUser(account);
        argv.add(tools.notifySend());
        argv.add("--app-name=Spicegate");
        argv.add("--urgency=" + notice.urgency());
        if (notice.extend() != null) {
            argv.add("--action=extend=" + extendLabel());
        }
        argv.add("--");
        argv.add(notice.summary());
        argv.add(notice.body());
        return argv;
    }

    /**
     * {@code setpriv} to the user, then {@code xdg-open} the page; through the user's systemd manager
     * ({@code systemd-run --user}) when there is one, so the browser runs in the user's session and not in the agent's
     * sandbox.
     */
    List<String> openCommand(UserDirectory.Account account, URI page, boolean userManager) {
        List<String> argv = asUser(account);
        if (userManager) {
            argv.addAll(List.of(tools.systemdRun(), "--user", "--quiet", "--collect", "--"));
        }
        argv.add(tools.xdgOpen());
        argv.add(page.toString());
        return argv;
    }

    private List<String> asUser(UserDirectory.Account account) {
        return new ArrayList<>(List.of(tools.setpriv(), "--reuid=" + account.uid(), "--regid=" + account.gid(),
                "--init-groups", "--"));
    }

    /** The whole environment of the user's programs: nothing of the agent's, the user's bus and runtime directory. */
    static Map<String, String> environment(UserDirectory.Account account, Path bus) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", PATH);
        env.put("HOME", account.home());
        env.put("USER", account.name());
        env.put("LOGNAME", account.name());
        env.put("LANG", "C.UTF-8");
        env.put("XDG_RUNTIME_DIR", bus.getParent().toString());
        env.put("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + bus);
        return env;
    }

    /**
     * The text of a warning: "vm3 ends in 5 minutes" / "Your Spicegate session on vm3 ends at 18:00 (Europe/Berlin)."
     * The end is the portal's {@code notAfter} in the grant's zone (the agent's own zone when the portal sent none),
     * with its date when that is another day than now. The console name comes from the portal: control characters
     * are dropped, and markup is escaped in the body, which notification servers may render as markup.
     */
    static Notice notice(EndWarnings.Due due, URI publicUrl) {
        var grant = due.grant();
        String console = plain(grant.console() == null ? "your console" : grant.console());
        long minutes = due.minutesLeft();
        String summary = console + " ends in " + minutes + (minutes == 1 ? " minute" : " minutes");
        String body = "Your Spicegate session on " + escape(console) + " ends";
        if (grant.notAfter() != null) {
            ZoneId zone = zone(grant.zone());
            Instant now = grant.notAfter().minusSeconds(due.secondsLeft()); // the portal's now, free of skew
            boolean today = LocalDate.ofInstant(now, zone).equals(LocalDate.ofInstant(grant.notAfter(), zone));
            body += " at " + (today ? TIME : DAY_TIME).format(grant.notAfter().atZone(zone)) + " (" + zone.getId() + ")";
        } else {
            body += " in " + minutes + (minutes == 1 ? " minute" : " minutes");
        }
        body += ".";
        boolean extendable = publicUrl != null && grant.session() != null
                && RestoreScript.SESSION.matcher(grant.session()).matches();
        URI extend = extendable ? URI.create(publicUrl + "/sessions/" + grant.session() + "#extend") : null;
        return new Notice(summary, body, minutes <= 1 ? "critical" : "normal", extend);
    }

    private static ZoneId zone(String id) {
        try {
            return id == null || id.isBlank() ? ZoneId.systemDefault() : ZoneId.of(id);
        } catch (RuntimeException e) {
            return ZoneId.systemDefault();
        }
    }

    private static String plain(String text) {
        String plain = text.codePoints().filter(c -> !Character.isISOControl(c))
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString().strip();
        return plain.length() > 64 ? plain.substring(0, 64) : plain;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** "Extend…", or "Extend..." when the agent runs without a UTF-8 locale (program arguments would mangle it). */
    private static String extendLabel() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8")).newEncoder().canEncode('…') ? "Extend…" : "Extend...";
        } catch (IllegalArgumentException e) {
            return "Extend...";
        }
    }

    private Process start(List<String> argv, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(argv).directory(Path.of("/").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(env);
        return builder.start();
    }

    private void once(String key, String message) {
        if (saidOnce.putIfAbsent(key, Boolean.TRUE) == null) {
            LOG.info(message);
        }
    }
}
