package io.spicegate.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code spicegate open}: opens (or re-opens) my session, waits like the session page does while the workstation's
 * firewall or the host's one-time password is {@code pending}, then fetches the one-shot launch file into a private
 * file (0600) and starts remote-viewer on it, detached. remote-viewer deletes the file once read
 * ({@code delete-this-file=1}). On a strict workstation the portal never hands the file out: the command runs the
 * sudo rule's launcher ({@code spicegate-open <console>}) instead and passes on its exit code.
 */
final class Opener {

    static final String LAUNCHER = "spicegate-open";
    private static final Pattern CONSOLE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final Terminal t;
    private final Supplier<PortalApi> api;

    Opener(Terminal t, Supplier<PortalApi> api) {
        this.t = t;
        this.api = api;
    }

    int open(String console, Integer minutes, String vvOut) {
        PortalApi portal = api.get(); // the settings first: without them nothing else matters
        Path out = null;
        Path viewer = null;
        if (vvOut != null) {
            out = Path.of(vvOut).toAbsolutePath();
            try {
                // made first, so that a one-shot file is never fetched only to find nowhere to put it
                Files.createFile(out, PRIVATE);
            } catch (FileAlreadyExistsException e) {
                throw CliException.usage(out + " already exists: give --vv-out a new file's name (spicegate never overwrites one).");
            } catch (IOException e) {
                throw CliException.usage("Cannot create " + out + ": " + Main.reason(e) + ".");
            }
        } else {
            viewer = viewer();
        }
        try {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("console", console);
            if (minutes != null) {
                body.put("minutes", minutes);
            }
            JsonNode session = portal.post("/api/v1/sessions", body);
            boolean strict = Commands.text(session, "vvUrl") == null && Commands.text(session, "command") != null;
            if (strict && out != null) {
                throw CliException.refused(Commands.text(session, "workstation") + " is a strict workstation: the portal "
                        + "never hands out its launch files, so --vv-out cannot work here; run spicegate open "
                        + Commands.text(session, "console") + " without it.");
            }
            session = awaitReady(portal, session);
            if (strict) {
                return launch(session);
            }
            byte[] vv = launchFile(portal, session);
            if (out != null) {
                Files.write(out, vv, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                t.out().println(out);
                out = null; // written: kept
                return 0;
            }
            return view(viewer, session, vv);
        } catch (IOException e) {
            throw CliException.usage("Cannot write the launch file: " + Main.reason(e) + ".");
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out); // made above and never written
                } catch (IOException e) {
                    // left empty
                }
            }
        }
    }

    /**
     * Re-reads the session each second while the page would wait (the firewall pending, or the ticket pending for
     * a file still to fetch); one progress line on stderr. A problem sentence ends it (exit 3), and so does the
     * bounded wait (exit 4).
     */
    JsonNode awaitReady(PortalApi portal, JsonNode session) {
        long deadline = System.nanoTime() + t.openWait().toNanos();
        boolean told = false;
        while (true) {
            String state = Commands.text(session, "state");
            String console = Commands.text(session, "console");
            if (!"ACTIVE".equals(state)) {
                throw CliException.refused("Your session on " + console + " is " + String.valueOf(state).toLowerCase()
                        + ": run spicegate open " + console + " again.");
            }
            String problem = Commands.text(session, "problem");
            if (problem != null) {
                throw CliException.refused(Main.printable(problem, 400));
            }
            String firewall = Commands.text(session, "firewall");
            String ticket = Commands.text(session, "ticket");
            if ("error".equals(firewall) || "error".equals(ticket)) {
                throw CliException.refused("The Spicegate agents could not prepare " + console
                        + " (firewall " + firewall + ", ticket " + ticket + "): ask your administrator.");
            }
            boolean waiting = "pending".equals(firewall)
                    || session.path("vvAvailable").asBoolean(false) && "pending".equals(ticket);
            if (!waiting) {
                return session;
            }
            if (!told) {
                t.err().println("Waiting for the Spicegate agents to get " + console + " ready on "
                        + Commands.text(session, "workstation") + " (up to " + t.openWait().toSeconds() + " s)...");
                told = true;
            }
            if (System.nanoTime() > deadline) {
                throw CliException.unreachable("The Spicegate agents did not get " + console + " ready within "
                        + t.openWait().toSeconds() + " s: run spicegate open " + console + " again, or ask your administrator.");
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw CliException.unreachable("Interrupted while waiting for " + console + ".");
            }
            session = portal.get("/api/v1/sessions/" + Commands.text(session, "id"));
        }
    }

    /** The one-shot launch file; a 503 (not ready yet) is asked again after its Retry-After, within the wait. */
    private byte[] launchFile(PortalApi portal, JsonNode session) {
        String url = Commands.text(session, "vvUrl");
        if (url == null || !url.startsWith("/api/v1/sessions/") || url.contains("..")) {
            throw CliException.refused("The portal named no launch file for this session: run spicegate open again.");
        }
        int attempts = (int) Math.max(PortalApi.ATTEMPTS, t.openWait().toSeconds());
        byte[] vv = portal.launchFile(url, attempts);
        if (!new String(vv, 0, Math.min(vv.length, 16), StandardCharsets.UTF_8).startsWith("[virt-viewer]")) {
            throw CliException.refused("The portal's answer is not a launch file: is SPICEGATE_URL the portal's address?");
        }
        return vv;
    }

    /** Writes the file to a private temporary file and starts remote-viewer on it, detached; prints its PID. */
    private int view(Path viewer, JsonNode session, byte[] vv) throws IOException {
        String console = Commands.text(session, "console");
        String name = console != null && CONSOLE.matcher(console).matches() ? console : "console";
        Path file = Files.createTempFile(runtimeDir(), "spicegate-" + name + "-", ".vv", PRIVATE);
        Files.write(file, vv, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        Process process;
        try {
            process = new ProcessBuilder(viewer.toString(), file.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            Files.deleteIfExists(file); // nobody read it
            throw CliException.usage("Cannot start " + viewer + ": " + Main.reason(e) + ".");
        }
        // remote-viewer reads and deletes the file itself (delete-this-file=1): never deleted here while it may read it
        t.out().println("Started remote-viewer (PID " + process.pid() + ") on " + console + "; your session ends at "
                + new TimeText(t.clock().instant(), t.zone()).atRelative(Commands.instant(session, "endsAt")) + ".");
        return 0;
    }

    /** Strict workstation: runs the sudo rule's launcher the portal names (only that fixed shape), waits for it. */
    private int launch(JsonNode session) {
        String console = Commands.text(session, "console");
        String command = String.valueOf(Commands.text(session, "command"));
        String[] argv = command.split(" ");
        if (argv.length != 2 || !argv[0].equals(LAUNCHER) || !CONSOLE.matcher(argv[1]).matches()) {
            throw CliException.refused("The portal asks to run '" + Main.printable(command, 80) + "', which is not "
                    + LAUNCHER + " <console>: not run.");
        }
        t.err().println(Commands.text(session, "workstation") + " is a strict workstation: starting remote-viewer "
                + "through the sudo rule (" + command + "); your session ends at "
                + new TimeText(t.clock().instant(), t.zone()).atRelative(Commands.instant(session, "endsAt")) + ".");
        Process process;
        try {
            process = new ProcessBuilder(argv).inheritIO().start();
        } catch (IOException e) {
            throw CliException.usage("Cannot run " + LAUNCHER + " (it comes with the spicegate-agent package): "
                    + Main.reason(e) + ".");
        }
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
            return 130;
        }
    }

    /** {@code $XDG_RUNTIME_DIR} (private to the user) when set, else java.io.tmpdir. */
    private Path runtimeDir() {
        String runtime = t.env("XDG_RUNTIME_DIR");
        if (runtime != null && Files.isDirectory(Path.of(runtime))) {
            return Path.of(runtime);
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * The viewer to start, found before anything is opened: {@code SPICEGATE_VIEWER} (a path or a name), else
     * remote-viewer, looked up on {@code PATH}; exit 2 when there is none.
     */
    Path viewer() {
        String wanted = t.env("SPICEGATE_VIEWER") != null ? t.env("SPICEGATE_VIEWER") : "remote-viewer";
        if (wanted.contains("/")) {
            Path p = Path.of(wanted).toAbsolutePath();
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        } else {
            String path = t.env("PATH") != null ? t.env("PATH") : "/usr/local/bin:/usr/bin:/bin";
            for (String dir : path.split(":")) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path p = Path.of(dir, wanted);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return p.toAbsolutePath();
                }
            }
        }
        throw CliException.usage("Cannot find " + Main.printable(wanted, 80) + " to start: install virt-viewer "
                + "(apt install virt-viewer), set SPICEGATE_VIEWER, or use --vv-out FILE.");
    }
}
