package io.spicegate.packaging;

import io.spicegate.testing.PortalProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's Debian package as {@code apt install ./spicegate-agent_<v>_all.deb} would see it: control fields,
 * every file with its owner and mode, the conffile, the jar identical to the one built and runnable, and the
 * maintainer scripts — linted with {@code sh -n} and run against the unpacked tree ({@code DPKG_ROOT}) with
 * systemctl, groupadd, dpkg-statoverride and java replaced by stubs that record their calls, so nothing on this
 * machine is touched: the group is created, the units enabled, the agent not started before the config names a
 * real portal, started (restarted) once it does, stopped and its chain removed on removal.
 */
class DebPackageIT {

    static Path deb;
    static Path work;

    @BeforeAll
    static void find() throws IOException {
        try (Stream<Path> files = Files.list(PortalProcess.buildDir())) {
            List<Path> debs = files.filter(p -> p.getFileName().toString().matches("spicegate-agent_.+_all\\.deb")).toList();
            assertEquals(1, debs.size(), "one package in target/: " + debs);
            deb = debs.get(0);
        }
        work = Files.createTempDirectory("sg-deb-");
    }

    @AfterAll
    static void clean() throws Exception {
        run(null, "rm", "-rf", work.toString());
    }

    @Test
    void controlFields() throws Exception {
        String fields = run(null, "dpkg-deb", "-f", deb.toString(), "Package", "Architecture", "Depends", "Section");
        assertEquals("""
                Package: spicegate-agent
                Architecture: all
                Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless, iptables
                Section: admin
                """, fields);
        String version = run(null, "dpkg-deb", "-f", deb.toString(), "Version").strip();
        assertTrue(deb.getFileName().toString().equals("spicegate-agent_" + version + "_all.deb"), version);
        String info = run(null, "dpkg-deb", "-I", deb.toString());
        System.out.println(info);
        for (String script : List.of("postinst", "prerm", "postrm", "conffiles", "md5sums")) {
            assertTrue(info.contains(" " + script), script + " in the control archive");
        }
    }

    @Test
    void filesOwnersAndModes() throws Exception {
        String listing = run(null, "dpkg-deb", "-c", deb.toString());
        System.out.println(listing);
        Map<String, String> files = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^(\\S+) (\\S+)\\s+\\d+ \\S+ \\S+ \\./(\\S*)$").matcher(listing);
        while (m.find()) {
            files.put("/" + m.group(3), m.group(1) + " " + m.group(2));
        }
        Map<String, String> expected = new TreeMap<>(Map.of(
                "/usr/lib/spicegate/spicegate-agent.jar", "-rw-r--r-- root/root",
                "/lib/systemd/system/spicegate-agent.service", "-rw-r--r-- root/root",
                "/lib/systemd/system/spicegate-agent-base.service", "-rw-r--r-- root/root",
                "/lib/systemd/system/spicegate-drift.service", "-rw-r--r-- root/root",
                "/lib/systemd/system/spicegate-drift.timer", "-rw-r--r-- root/root",
                "/etc/spicegate/agent.properties", "-rw------- root/root",
                "/usr/bin/spicegate-open", "-rwxr-xr-x root/root",
                "/usr/share/doc/spicegate-agent/README.md", "-rw-r--r-- root/root",
                "/usr/share/doc/spicegate-agent/sudoers.example", "-rw-r--r-- root/root",
                "/var/lib/spicegate/", "drwx------ root/root"));
        expected.put("/usr/lib/spicegate/spicegate-cli.jar", "-rw-r--r-- root/root");
        expected.put("/usr/bin/spicegate", "-rwxr-xr-x root/root");
        files.entrySet().removeIf(e -> e.getKey().endsWith("/") && !e.getKey().equals("/var/lib/spicegate/")
                && e.getValue().equals("drwxr-xr-x root/root"));
        assertEquals(expected, files);
    }

    @Test
    void unpackedTreeHoldsTheBuiltAgentAndUnitsPointAtIt() throws Exception {
        Path root = unpack("tree");
        String usage = help(installedJar(root, "spicegate-agent.jar"));
        assertTrue(usage.contains("--apply-base"), usage);
        try (Stream<Path> units = Files.list(root.resolve("lib/systemd/system"))) {
            for (Path unit : units.toList()) {
                for (String line : Files.readAllLines(unit)) {
                    if (line.startsWith("ExecStart=")) {
                        for (String word : line.substring("ExecStart=".length()).split(" ")) {
                            if (word.startsWith("/usr/lib/") || word.startsWith("/etc/")) {
                                assertTrue(Files.exists(root.resolve(word.substring(1))), unit + " names " + word);
                            }
                        }
                    }
                }
            }
        }
        Path control = work.resolve("control");
        run(null, "dpkg-deb", "-e", deb.toString(), control.toString());
        assertEquals("/etc/spicegate/agent.properties\n", Files.readString(control.resolve("conffiles")));
        for (String script : List.of("postinst", "prerm", "postrm")) {
            Path s = control.resolve(script);
            assertTrue(Files.isExecutable(s), script + " is executable");
            assertTrue(Files.readString(s).startsWith("#!/bin/sh\n"), script);
            run(null, "sh", "-n", s.toString());
        }
    }

    /**
     * The spicegate command (issue 18): the built cli jar, runnable by anyone ({@code --help} exits 0), and
     * {@code /usr/bin/spicegate} a wrapper that runs exactly that jar with the arguments as given.
     */
    @Test
    void theSpicegateCommandRunsTheBuiltCliJar() throws Exception {
        Path root = unpack("cli");
        Path jar = installedJar(root, "spicegate-cli.jar");
        String usage = help(jar);
        assertTrue(usage.startsWith("usage: spicegate <command>"), usage);
        assertTrue(run(null, javaBin(), "-jar", jar.toString(), "--version").startsWith("spicegate "));

        Path wrapper = root.resolve("usr/bin/spicegate");
        assertTrue(Files.readString(wrapper).startsWith("#!/bin/sh\n"));
        run(null, "sh", "-n", wrapper.toString());
        // with java stubbed: the wrapper runs the installed jar with the arguments passed on ("$@")
        Path log = work.resolve("calls-cli-wrapper.log");
        Files.deleteIfExists(log);
        Files.createFile(log);
        ProcessBuilder pb = new ProcessBuilder("sh", wrapper.toString(), "request", "debianx", "--reason", "month end")
                .redirectErrorStream(true);
        pb.environment().put("PATH", stubs() + ":/usr/bin:/bin");
        pb.environment().put("STUB_LOG", log.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertEquals(List.of("java -jar /usr/lib/spicegate/spicegate-cli.jar request debianx --reason month end"),
                Files.readAllLines(log));
        String args = Files.readString(wrapper);
        assertTrue(args.contains("exec java -jar /usr/lib/spicegate/spicegate-cli.jar \"$@\"\n"), args);
    }

    @Test
    void firstInstallEnablesButDoesNotStartAnUnconfiguredAgent() throws Exception {
        Path root = unpack("first");
        Files.createDirectories(root.resolve("run/systemd/system"));
        Files.setPosixFilePermissions(root.resolve("etc/spicegate/agent.properties"), PosixFilePermissions.fromString("rw-r--r--"));
        Script r = maintainer(root, "postinst", "configure", Map.of("STUB_GROUP_MISSING", "1"));
        assertEquals(List.of(
                "getent group spicegrp",
                "groupadd --system spicegrp",
                "chown root:root " + root + "/etc/spicegate/agent.properties",
                "systemctl daemon-reload",
                "systemctl enable spicegate-agent-base.service spicegate-agent.service",
                "systemctl disable spicegate-drift.timer",
                "systemctl start spicegate-agent-base.service"), r.calls());
        assertTrue(r.output().contains("set portal.url and enrollment.token"), r.output());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("etc/spicegate/agent.properties"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("var/lib/spicegate"))));
    }

    @Test
    void aConfiguredStrictAgentIsStartedAndRemoteViewerLockedDown() throws Exception {
        Path root = unpack("configured");
        Files.createDirectories(root.resolve("run/systemd/system"));
        Files.writeString(root.resolve("etc/spicegate/agent.properties"),
                "portal.url=https://portal.office.example\nenrollment.token=sgw_x\nstrict=true\n");
        Script r = maintainer(root, "postinst", "configure", Map.of());
        assertEquals(List.of(
                "getent group spicegrp",
                "chown root:root " + root + "/etc/spicegate/agent.properties",
                "dpkg-statoverride --list /usr/bin/remote-viewer",
                "dpkg-statoverride --update --add root spicegrp 0750 /usr/bin/remote-viewer",
                "systemctl daemon-reload",
                "systemctl enable spicegate-agent-base.service spicegate-agent.service",
                "systemctl enable spicegate-drift.timer",
                "systemctl start spicegate-agent-base.service",
                "systemctl start spicegate-drift.timer",
                "systemctl restart spicegate-agent.service"), r.calls());
    }

    @Test
    void withoutARunningSystemdUnitsAreOnlyEnabled() throws Exception {
        Path root = unpack("chroot");
        Files.writeString(root.resolve("etc/spicegate/agent.properties"), "portal.url=https://portal.office.example\n");
        Script r = maintainer(root, "postinst", "configure", Map.of());
        assertTrue(r.calls().contains("systemctl enable spicegate-agent-base.service spicegate-agent.service"), r.calls().toString());
        assertFalse(r.calls().stream().anyMatch(c -> c.contains("start") || c.contains("daemon-reload")), r.calls().toString());
    }

    @Test
    void removalStopsTheAgentRemovesItsChainAndGivesRemoteViewerBack() throws Exception {
        Path root = unpack("removal");
        Files.createDirectories(root.resolve("run/systemd/system"));
        Script upgrade = maintainer(root, "prerm", "upgrade", Map.of());
        assertEquals(List.of("systemctl stop spicegate-agent.service spicegate-drift.timer"), upgrade.calls());

        Script remove = maintainer(root, "prerm", "remove", Map.of());
        assertEquals(List.of(
                "systemctl stop spicegate-agent.service spicegate-drift.timer",
                "systemctl disable spicegate-agent.service spicegate-agent-base.service spicegate-drift.timer",
                "java -jar " + root + "/usr/lib/spicegate/spicegate-agent.jar --config " + root
                        + "/etc/spicegate/agent.properties --remove"), remove.calls());

        Path viewer = Files.createDirectories(root.resolve("usr/bin")).resolve("remote-viewer");
        Files.writeString(viewer, "#!/bin/sh\n");
        Files.setPosixFilePermissions(viewer, PosixFilePermissions.fromString("rwxr-x---"));
        Script postrm = maintainer(root, "postrm", "remove", Map.of("STUB_OVERRIDES", "root spicegrp 750 /usr/bin/remote-viewer"));
        assertEquals(List.of("dpkg-statoverride --list", "dpkg-statoverride --remove /usr/bin/remote-viewer",
                "chown root:root " + viewer, "systemctl daemon-reload"), postrm.calls());
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(viewer)));

        Script purge = maintainer(root, "postrm", "purge", Map.of());
        assertTrue(purge.calls().contains("systemctl daemon-reload"));
        assertFalse(Files.exists(root.resolve("var/lib/spicegate")), "purge deletes the agent's secret and state");
    }

    /** What a maintainer script printed and the stubbed commands it called, in order. */
    record Script(String output, List<String> calls) { }

    /** Runs one maintainer script from the package against {@code root}, with the system commands stubbed. */
    static Script maintainer(Path root, String script, String argument, Map<String, String> env) throws Exception {
        Path dir = work.resolve("scripts-" + root.getFileName());
        if (!Files.exists(dir)) {
            run(null, "dpkg-deb", "-e", deb.toString(), dir.toString());
        }
        Path stubs = stubs();
        Path log = work.resolve("calls-" + root.getFileName() + "-" + script + "-" + argument + ".log");
        Files.deleteIfExists(log);
        Files.createFile(log);
        ProcessBuilder pb = new ProcessBuilder("sh", dir.resolve(script).toString(), argument).redirectErrorStream(true);
        pb.environment().put("PATH", stubs + ":/usr/bin:/bin");
        pb.environment().put("DPKG_ROOT", root.toString());
        pb.environment().put("STUB_LOG", log.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), script + " " + argument + " failed:\n" + out);
        return new Script(out, Files.readAllLines(log));
    }

    /** Stand-ins that record their arguments: nothing on this machine is enabled, started, created or chowned. */
    static Path stubs() throws IOException {
        Path dir = work.resolve("stubs");
        if (Files.exists(dir)) {
            return dir;
        }
        Files.createDirectories(dir);
        String record = "#!/bin/sh\necho \"$(basename \"$0\") $*\" >> \"$STUB_LOG\"\n";
        Map<String, String> stubs = Map.of(
                "systemctl", record,
                "groupadd", record,
                "chown", record,
                "java", record,
                "getent", record + "[ -z \"$STUB_GROUP_MISSING\" ] || exit 2\necho 'spicegrp:x:990:'\n",
                "dpkg-statoverride", record + "if [ \"$1\" = --list ]; then [ -n \"$STUB_OVERRIDES\" ] || exit 1; "
                        + "echo \"$STUB_OVERRIDES\"; fi\n");
        for (Map.Entry<String, String> s : stubs.entrySet()) {
            Path f = dir.resolve(s.getKey());
            Files.writeString(f, s.getValue());
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return dir;
    }

    /** The jar {@code name} the package installs under /usr/lib/spicegate: byte for byte the one the build made. */
    static Path installedJar(Path root, String name) throws Exception {
        Path jar = root.resolve("usr/lib/spicegate/" + name);
        assertEquals(sha256(PortalProcess.buildDir().resolve(name)), sha256(jar), name + " is the built one");
        return jar;
    }

    /** What {@code java -jar <jar> --help} prints. */
    static String help(Path jar) throws Exception {
        return run(null, javaBin(), "-jar", jar.toString(), "--help");
    }

    static Path unpack(String name) throws Exception {
        Path root = work.resolve(name);
        run(null, "dpkg-deb", "-x", deb.toString(), root.toString());
        return root;
    }

    static String run(Path dir, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
