package io.spicegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.agent.TestUsers;
import io.spicegate.testing.Api;
import io.spicegate.testing.PortalProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real {@code target/spicegate-cli.jar} against the packaged portal with its production clock and the embedded
 * default's demo data (issue 18 point 3): a personal API token made with Basic, then {@code consoles} (table and
 * JSON), {@code open --vv-out} (0600, a launch file, a re-open keeps the session), {@code sessions},
 * {@code extend} and {@code end} by console name; exit codes 2/3/4 with one line on stderr; and, as a real Unix
 * user under Xvfb, {@code spicegate open} starting the real remote-viewer on a private file. The token is never
 * printed by any run.
 */
class CliIT {

    static PortalProcess portal;
    static Path data;
    static Path work;
    static CliJar cli;
    static String token;
    static final List<String> secrets = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        data = Files.createTempDirectory("sg-cli-it-data-");
        work = Files.createTempDirectory("sg-cli-it-");
        cli = new CliJar();
        portal = PortalProcess.start("cli-it-portal", Map.of("SPICEGATE_DATA_DIR", data.toString()));
        token = newToken("myself", "cli-it");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (portal != null) {
                portal.close();
                String log = portal.logText();
                for (String secret : secrets) {
                    assertFalse(log.contains(secret), "a token in the portal's log");
                }
            }
        } finally {
            if (cli != null) {
                cli.close();
            }
            CliJar.deleteTree(work);
            CliJar.deleteTree(data);
        }
    }

    /** A personal API token of a demo user, made with HTTP Basic as a script would. */
    static String newToken(String user, String name) {
        JsonNode created = Api.basic(portal.base, user, "demo").post("/api/v1/tokens", Map.of("name", name, "days", 1))
                .expect(201).json();
        String secret = created.get("token").asText();
        assertTrue(secret.startsWith("sgp_"), created.toString());
        secrets.add(secret);
        return secret;
    }

    static Map<String, String> env(String url, String secret) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", work.toString());
        env.put("TZ", "Europe/Berlin");
        env.put("SPICEGATE_URL", url);
        env.put("SPICEGATE_TOKEN", secret);
        return env;
    }

    /** Runs the jar as root with this token; whatever happens, no token shows on stdout or stderr. */
    static CliJar.Result spicegate(String secret, String... args) throws Exception {
        return spicegateAt(portal.base, secret, args);
    }

    static CliJar.Result spicegateAt(String url, String secret, String... args) throws Exception {
        CliJar.Result r = cli.run(List.of(), env(url, secret), args);
        for (String s : secrets) {
            assertFalse(r.out().contains(s) || r.err().contains(s), "a token was printed by spicegate " + String.join(" ", args));
        }
        return r;
    }

    /** A failure: its exit code, exactly one line on stderr prefixed {@code spicegate: }, nothing on stdout. */
    static String failure(CliJar.Result r, int code) {
        assertEquals(code, r.code(), r.toString());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertTrue(r.err().startsWith("spicegate: "), r.err());
        return r.err();
    }

    static List<JsonNode> active(String console) throws Exception {
        CliJar.Result r = spicegate(token, "sessions", "--json");
        assertEquals(0, r.code(), r.toString());
        List<JsonNode> active = new ArrayList<>();
        for (JsonNode s : Api.JSON.readTree(r.out())) {
            if (console.equals(s.get("console").asText()) && "ACTIVE".equals(s.get("state").asText())) {
                active.add(s);
            }
        }
        return active;
    }

    @Test
    void consolesAsATableAndAsTheApisJson() throws Exception {
        CliJar.Result table = spicegate(token, "consoles");
        assertEquals(0, table.code(), table.toString());
        assertTrue(table.out().startsWith("CONSOLE  "), table.out());
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("debianx ") && l.contains(" allowed ")), table.out());

        CliJar.Result json = spicegate(token, "consoles", "--json");
        assertEquals(0, json.code(), json.toString());
        JsonNode consoles = Api.JSON.readTree(json.out());
        JsonNode viaBasic = Api.basic(portal.base, "myself", "demo").get("/api/v1/consoles").expect(200).json();
        assertEquals(names(viaBasic), names(consoles), "the token acts as its user");
        JsonNode debianx = find(consoles, "debianx");
        assertEquals("ALLOWED", debianx.get("decision").asText());
        assertEquals(consoles.size() + 1, table.out().lines().count(), "a header and a row per console");
    }

    @Test
    void openVvOutSessionsExtendAndEndByConsoleName() throws Exception {
        Path first = work.resolve("first.vv");
        CliJar.Result opened = spicegate(token, "open", "debianx", "--minutes", "20", "--vv-out", first.toString());
        assertEquals(0, opened.code(), opened.toString());
        assertEquals(first + "\n", opened.out());
        assertTrue(Files.readString(first).startsWith("[virt-viewer]\n"), "a launch file");
        assertTrue(Files.readString(first).contains("delete-this-file=1"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first)));
        List<JsonNode> sessions = active("debianx");
        assertEquals(1, sessions.size(), sessions.toString());
        String id = sessions.get(0).get("id").asText();

        // a re-open: the same session, a fresh one-shot file
        Path second = work.resolve("second.vv");
        CliJar.Result again = spicegate(token, "open", "debianx", "--vv-out", second.toString());
        assertEquals(0, again.code(), again.toString());
        assertTrue(Files.readString(second).startsWith("[virt-viewer]\n"));
        assertEquals(List.of(id), active("debianx").stream().map(s -> s.get("id").asText()).toList());
        // the first file was used up by the second open's download: the file is one-shot
        assertEquals(410, Api.basic(portal.base, "myself", "demo").get("/api/v1/sessions/" + id + "/console.vv").status());

        CliJar.Result table = spicegate(token, "sessions");
        assertEquals(0, table.code(), table.toString());
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("debianx ") && l.contains(" active ") && l.contains(" mylap ")
                && l.endsWith(id)), table.out());

        Instant before = Instant.parse(active("debianx").get(0).get("endsAt").asText());
        CliJar.Result extended = spicegate(token, "extend", "debianx", "--minutes", "10");
        assertEquals(0, extended.code(), extended.toString());
        assertTrue(extended.out().startsWith("debianx now ends at "), extended.out());
        Instant after = Instant.parse(active("debianx").get(0).get("endsAt").asText());
        assertTrue(after.isAfter(before), before + " -> " + after);

        CliJar.Result ended = spicegate(token, "end", "debianx");
        assertEquals(0, ended.code(), ended.toString());
        assertEquals("Ended your session on debianx (" + id + ").\n", ended.out());
        assertEquals(List.of(), active("debianx"));
        assertTrue(failure(spicegate(token, "end", "debianx"), 3).contains("no active session on debianx"));
    }

    @Test
    void exitCodesAndOneLineErrors() throws Exception {
        failure(spicegate(token, "open"), 2);
        failure(spicegate(token, "extend", "debianx", "--minutes", "soon"), 2);

        Path nowhere = work.resolve("nosuch.vv");
        String unknown = failure(spicegate(token, "open", "nosuch", "--vv-out", nowhere.toString()), 3);
        assertTrue(unknown.contains("nosuch"), unknown);
        assertFalse(Files.exists(nowhere), "nothing left behind");

        // mybro has no rule for debianx
        String notMine = failure(spicegate(newToken("mybro", "cli-it-bro"), "open", "debianx", "--vv-out",
                work.resolve("bro.vv").toString()), 3);
        assertTrue(notMine.contains("debianx"), notMine);

        String garbage = failure(spicegate("sgp_" + "x".repeat(40), "consoles"), 3);
        assertTrue(garbage.contains("spicegate login"), garbage);

        String revokedSecret = newToken("myself", "cli-it-revoked");
        assertEquals(0, spicegate(revokedSecret, "consoles").code());
        Api basic = Api.basic(portal.base, "myself", "demo");
        for (JsonNode t : basic.get("/api/v1/tokens").expect(200).json()) {
            if (t.get("name").asText().equals("cli-it-revoked")) {
                assertTrue(basic.delete("/api/v1/tokens/" + t.get("id").asText()).status() / 100 == 2);
            }
        }
        String revoked = failure(spicegate(revokedSecret, "consoles"), 3);
        assertTrue(revoked.contains("spicegate login"), revoked);

        int closed = PortalProcess.freePort();
        String unreachable = failure(spicegateAt("http://127.0.0.1:" + closed, token, "consoles"), 4);
        assertTrue(unreachable.contains("127.0.0.1:" + closed), unreachable);
    }

    /**
     * As a real Unix user under Xvfb, with the settings in the user's own {@code cli.properties}: open starts the
     * real /usr/bin/remote-viewer, detached, on a 0600 file of that user in {@code $XDG_RUNTIME_DIR}, which
     * remote-viewer itself deletes once read. The viewer is killed by its PID.
     */
    @Test
    void openStartsTheRealRemoteViewerAsTheUser() throws Exception {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/remote-viewer")), "virt-viewer is not installed");
        Path userDir = Files.createTempDirectory(work, "user-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(userDir, PosixFilePermissions.fromString("rwx--x--x"));
        Process xvfb = null;
        Long viewerPid = null;
        try (TestUsers users = new TestUsers()) {
            TestUsers.User user = users.create("sgc_" + Long.toString(System.nanoTime() % 0xfffff, 36));
            Path home = Files.createDirectories(userDir.resolve("home"));
            Path runtime = Files.createDirectories(userDir.resolve("run"));
            Path config = Files.createDirectories(home.resolve(".config/spicegate")).resolve("cli.properties");
            Files.writeString(config, "url=" + portal.base + "\ntoken=" + token + "\n");
            Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
            for (Path p : List.of(home, home.resolve(".config"), config.getParent(), config, runtime)) {
                Files.setOwner(p, p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user.name()));
                if (!p.equals(config)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
                }
            }

            xvfb = new ProcessBuilder("Xvfb", "-displayfd", "1", "-screen", "0", "1024x768x24", "-nolisten", "tcp", "-ac")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String display = new BufferedReader(new InputStreamReader(xvfb.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            assertNotNull(display, "Xvfb did not start");

            // the file lives only until remote-viewer has read it: note its owner and mode the moment it appears
            Map<Path, String> seen = new ConcurrentHashMap<>();
            AtomicBoolean watching = new AtomicBoolean(true);
            Thread watcher = new Thread(() -> {
                while (watching.get()) {
                    try (Stream<Path> files = Files.list(runtime)) {
                        for (Path f : files.filter(f -> f.toString().endsWith(".vv")).toList()) {
                            PosixFileAttributes a = Files.readAttributes(f, PosixFileAttributes.class);
                            seen.putIfAbsent(f, a.owner().getName() + " " + PosixFilePermissions.toString(a.permissions()));
                        }
                    } catch (IOException e) {
                        // gone between list and read: the next round
                    }
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            watcher.start();
            Map<String, String> env = new HashMap<>(Map.of("HOME", home.toString(), "DISPLAY", ":" + display.strip(),
                    "XDG_RUNTIME_DIR", runtime.toString(), "PATH", "/usr/bin:/bin", "TZ", "Europe/Berlin"));
            CliJar.Result r = cli.run(List.of("setpriv", "--reuid=" + user.uid(), "--regid=" + user.gid(), "--clear-groups"),
                    env, "open", "debianx", "--minutes", "15");
            assertEquals(0, r.code(), r.toString());
            assertFalse(r.out().contains(token) || r.err().contains(token));
            assertTrue(r.out().matches("Started remote-viewer \\(PID \\d+\\) on debianx; your session ends at .*\n"), r.out());
            viewerPid = Long.parseLong(r.out().replaceAll("(?s).*PID (\\d+).*", "$1"));

            ProcessHandle viewer = ProcessHandle.of(viewerPid).orElseThrow(() -> new AssertionError("remote-viewer is not running"));
            List<String> cmdline = List.of(Files.readString(Path.of("/proc/" + viewerPid + "/cmdline")).split("\0"));
            assertEquals("/usr/bin/remote-viewer", cmdline.get(0), cmdline.toString());
            Path file = Path.of(cmdline.get(1));
            assertEquals(runtime, file.getParent());
            assertTrue(file.getFileName().toString().matches("spicegate-debianx-.*\\.vv"), file.toString());
            assertTrue(Files.readAllLines(Path.of("/proc/" + viewerPid + "/status")).stream()
                    .anyMatch(l -> l.matches("Uid:\\s+" + user.uid() + "\\s.*")), "remote-viewer runs as " + user.name());
            assertTrue(viewer.isAlive(), "detached: it outlives the command");

            await(() -> !Files.exists(file), "remote-viewer deleting the file it read (delete-this-file=1)");
            watching.set(false);
            watcher.join();
            assertEquals(user.name() + " rw-------", seen.get(file), "the launch file as it appeared: " + seen);

            viewer.destroy();
            viewer.onExit().get(10, TimeUnit.SECONDS);
            viewerPid = null;
            assertEquals(0, spicegate(token, "end", "debianx").code());
        } finally {
            if (viewerPid != null) {
                ProcessHandle.of(viewerPid).ifPresent(ProcessHandle::destroyForcibly);
            }
            if (xvfb != null) {
                xvfb.destroy();
                xvfb.waitFor(10, TimeUnit.SECONDS);
            }
            CliJar.deleteTree(userDir);
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx------"));
        }
    }

    static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("no " + what + " within 30 s");
            }
            Thread.sleep(50);
        }
    }

    static List<String> names(JsonNode consoles) {
        List<String> names = new ArrayList<>();
        consoles.forEach(c -> names.add(c.get("name").asText()));
        return names;
    }

    static JsonNode find(JsonNode consoles, String name) {
        for (JsonNode c : consoles) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        return fail(name + " is not among " + consoles);
    }
}
