package io.spicegate.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A KVM host, a workstation and a rogue laptop for the host agent's end-to-end test, all on one LAN: three
 * network namespaces ({@code sgh-kvm-*}, {@code sgh-ws-*}, {@code sgh-rogue-*}) on a bridge inside the KVM
 * namespace, 10.99.N.2 / .1 / .3. On the KVM host run real QEMUs with SPICE on a TLS port only (certificates
 * made here with openssl): bare with QMP sockets, or as a domain of a private libvirtd that runs inside the KVM
 * namespace with its own config, socket and state bind-mounted over /etc/libvirt, /run/libvirt, ... (so it meets
 * no system libvirtd and QEMU listens inside the namespace). remote-viewer runs as a given user under one Xvfb,
 * whose frame buffer file is read directly. Closing ends every process, domain and namespace made here.
 */
final class KvmLab implements AutoCloseable {

    final String suffix = Sh.random();
    final String kvm = "sgh-kvm-" + suffix;
    final String ws = "sgh-ws-" + suffix;
    final String rogue = "sgh-rogue-" + suffix;
    final int subnet = ThreadLocalRandom.current().nextInt(1, 255);
    final String wsAddress = "10.99." + subnet + ".1";
    final String kvmAddress = "10.99." + subnet + ".2";
    final String rogueAddress = "10.99." + subnet + ".3";
    /** The SPICE server certificate's subject, as the .vv's host-subject names it. */
    final String hostSubject = "O=Spicegate,CN=kvm-" + suffix;
    final Path dir;
    final Path pki;
    final Path otherCa;
    private final List<Process> processes = new ArrayList<>();
    private final List<String> domains = new ArrayList<>();
    private final List<Path> createdDirs = new ArrayList<>();
    private Process libvirtd;
    private Process xvfb;
    private int display = -1;
    private Path frameBuffer;

    private KvmLab() throws IOException {
        dir = Files.createTempDirectory("sgh-lab-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        pki = Files.createDirectories(dir.resolve("pki"));
        otherCa = dir.resolve("other-ca.pem");
    }

    /** The namespaces, the bridge, and the certificates. */
    static KvmLab create() throws IOException {
        Sh.requireRoot("ip", "iptables", "ip6tables", "iptables-restore", "setpriv", "openssl", "qemu-system-x86_64",
                "remote-viewer", "Xvfb", "virsh", "libvirtd");
        KvmLab lab = new KvmLab();
        try {
            for (String ns : List.of(lab.kvm, lab.ws, lab.rogue)) {
                Sh.run("ip", "netns", "add", ns);
                Sh.run("ip", "-n", ns, "link", "set", "lo", "up");
            }
            Sh.run("ip", "-n", lab.kvm, "link", "add", "br0", "type", "bridge");
            Sh.run("ip", "-n", lab.kvm, "addr", "add", lab.kvmAddress + "/24", "dev", "br0");
            Sh.run("ip", "-n", lab.kvm, "link", "set", "br0", "up");
            String[][] peers = {{lab.ws, lab.wsAddress, "w"}, {lab.rogue, lab.rogueAddress, "r"}};
            for (String[] peer : peers) {
                String outside = "sgh" + peer[2] + lab.suffix;
                String inside = "sgk" + peer[2] + lab.suffix;
                Sh.run("ip", "link", "add", outside, "netns", peer[0], "type", "veth", "peer", "name", inside, "netns", lab.kvm);
                Sh.run("ip", "-n", peer[0], "addr", "add", peer[1] + "/24", "dev", outside);
                Sh.run("ip", "-n", peer[0], "link", "set", outside, "up");
                Sh.run("ip", "-n", lab.kvm, "link", "set", inside, "master", "br0");
                Sh.run("ip", "-n", lab.kvm, "link", "set", inside, "up");
            }
            lab.certificates();
        } catch (Throwable t) {
            lab.close();
            throw t;
        }
        return lab;
    }

    private void certificates() throws IOException {
        String p = pki.toString();
        Sh.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Spicegate test CA " + suffix,
                "-keyout", p + "/ca-key.pem", "-out", p + "/ca-cert.pem");
        Sh.run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/O=Spicegate/CN=kvm-" + suffix,
                "-keyout", p + "/server-key.pem", "-out", p + "/server.csr");
        Sh.run("openssl", "x509", "-req", "-days", "2", "-in", p + "/server.csr", "-CA", p + "/ca-cert.pem",
                "-CAkey", p + "/ca-key.pem", "-CAcreateserial", "-out", p + "/server-cert.pem");
        Sh.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Some other CA",
                "-keyout", dir.resolve("other-ca-key.pem").toString(), "-out", otherCa.toString());
    }

    /** The CA that signed the SPICE certificate, PEM. */
    String caPem() throws IOException {
        return Files.readString(pki.resolve("ca-cert.pem"));
    }

    /** A bare QEMU with SPICE on {@code tlsPort} only and two QMP sockets: one for the host agent, one for the test. */
    BareVm bareQemu(String name, int tlsPort, String staticPassword) throws IOException, InterruptedException {
        Path qmpAgent = dir.resolve(name + "-agent.qmp");
        Path qmpTest = dir.resolve(name + "-test.qmp");
        Path log = dir.resolve(name + "-qemu.log");
        Process qemu = new ProcessBuilder("ip", "netns", "exec", kvm, "qemu-system-x86_64", "-name", name,
                "-machine", "pc,accel=tcg", "-m", "64", "-nodefaults", "-no-user-config", "-vga", "std",
                "-display", "none", "-nic", "none",
                "-object", "secret,id=pw,data=" + staticPassword,
                "-spice", "tls-port=" + tlsPort + ",addr=" + kvmAddress + ",x509-dir=" + pki + ",password-secret=pw",
                "-qmp", "unix:" + qmpAgent + ",server=on,wait=off",
                "-qmp", "unix:" + qmpTest + ",server=on,wait=off")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(qemu); // ip netns exec execs QEMU: this PID is QEMU's
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!(Files.exists(qmpAgent) && Files.exists(qmpTest))) {
            if (!qemu.isAlive() || System.nanoTime() > deadline) {
                fail("QEMU did not start: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return new BareVm(name, qmpAgent, qmpTest, log);
    }

    /** A bare QEMU and where to reach it. */
    record BareVm(String name, Path qmpAgent, Path qmpTest, Path log) {

        /** What the VM shows now, from QMP {@code screendump}. */
        Screen screendump() throws IOException {
            Path file = qmpTest.resolveSibling(name + "-dump.ppm");
            try (Qmp qmp = Qmp.connect(qmpTest, Duration.ofSeconds(10))) {
                qmp.execute("{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"" + file + "\"}}");
            }
            return Screen.ppm(Files.readAllBytes(file));
        }
    }

    /** The private libvirtd's URI for virsh and the host agent. */
    String libvirtUri() {
        return "qemu:///system?socket=" + dir.resolve("lv/run/libvirt-sock");
    }

    /**
     * Starts a libvirtd of its own inside the KVM namespace: its own mount namespace gets this lab's directories
     * over libvirt's, with a qemu.conf that enables SPICE TLS with the lab's certificates, runs QEMU as root
     * without cgroups, namespaces or a security driver, and writes QEMU's log straight to a file.
     */
    void startLibvirtd() throws IOException, InterruptedException {
        Path root = dir.resolve("lv");
        for (String sub : List.of("etc", "run", "lib", "cache", "log")) {
            Files.createDirectories(root.resolve(sub));
        }
        Files.writeString(root.resolve("etc/libvirtd.conf"), """
                unix_sock_rw_perms = "0700"
                auth_unix_rw = "none"
                auth_unix_ro = "none"
                """);
        Files.writeString(root.resolve("etc/qemu.conf"), """
                spice_tls = 1
                spice_tls_x509_cert_dir = "%s"
                user = "root"
                group = "root"
                dynamic_ownership = 0
                remember_owner = 0
                security_driver = "none"
                stdio_handler = "file"
                namespaces = []
                cgroup_controllers = []
                """.formatted(pki));
        String[][] mounts = {{"etc", "/etc/libvirt"}, {"run", "/run/libvirt"}, {"lib", "/var/lib/libvirt"},
                {"cache", "/var/cache/libvirt"}, {"log", "/var/log/libvirt"}};
        StringBuilder script = new StringBuilder("set -e\n");
        for (String[] mount : mounts) {
            Path target = Path.of(mount[1]);
            if (!Files.isDirectory(target)) {
                Files.createDirectories(target); // e.g. /run/libvirt without systemd: removed again on close
                createdDirs.add(target);
            }
            script.append("mount --bind ").append(root.resolve(mount[0])).append(' ').append(target).append('\n');
        }
        script.append("exec libvirtd --pid-file ").append(root.resolve("libvirtd.pid")).append('\n');
        Path start = root.resolve("start.sh");
        Files.writeString(start, script);
        long started = System.nanoTime();
        libvirtd = new ProcessBuilder("ip", "netns", "exec", kvm, "unshare", "--mount", "--propagation", "private",
                "sh", start.toString()).redirectErrorStream(true).redirectOutput(root.resolve("libvirtd.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            if (!libvirtd.isAlive() || System.nanoTime() > deadline) {
                fail("libvirtd did not start: " + Files.readString(root.resolve("libvirtd.log")));
            }
            if (Files.exists(root.resolve("run/libvirt-sock")) && virsh("list").ok()) {
                break;
            }
            Thread.sleep(100);
        }
        System.out.println("private libvirtd ready in " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
    }

    /** A transient libvirt domain (type qemu, TCG) with SPICE on {@code tlsPort} only, listening on the KVM address. */
    Path libvirtDomain(String name, int tlsPort, String staticPassword) throws IOException {
        Path xml = dir.resolve(name + ".xml");
        Files.writeString(xml, """
                <domain type='qemu'>
                  <name>%s</name>
                  <memory unit='MiB'>64</memory>
                  <vcpu>1</vcpu>
                  <os><type arch='x86_64' machine='pc'>hvm</type></os>
                  <devices>
                    <emulator>/usr/bin/qemu-system-x86_64</emulator>
                    <graphics type='spice' tlsPort='%d' autoport='no' defaultMode='secure' passwd='%s'>
                      <listen type='address' address='%s'/>
                    </graphics>
                    <video><model type='vga'/></video>
                    <memballoon model='none'/>
                  </devices>
                </domain>
                """.formatted(name, tlsPort, staticPassword, kvmAddress));
        CommandRunner.Result created = virsh("create", xml.toString());
        if (!created.ok()) {
            fail("virsh create: " + created.stderr() + "\n" + readOr(dir.resolve("lv/log/qemu/" + name + ".log")));
        }
        domains.add(name);
        return dir.resolve("lv/log/qemu/" + name + ".log");
    }

    /** What the libvirt domain shows now, from {@code virsh screenshot}. */
    Screen screenshot(String domain) throws IOException {
        Path file = dir.resolve(domain + "-shot.img");
        CommandRunner.Result shot = virsh("screenshot", domain, file.toString());
        if (!shot.ok()) {
            throw new IOException("virsh screenshot: " + shot.stderr());
        }
        return Screen.image(Files.readAllBytes(file));
    }

    CommandRunner.Result virsh(String... args) {
        List<String> argv = new ArrayList<>(List.of("virsh", "-c", libvirtUri()));
        argv.addAll(List.of(args));
        return Sh.tryRun(argv.toArray(String[]::new));
    }

    /** One Xvfb for every viewer (1024x768, no access control), its screen kept in a file we read. */
    void startXvfb() throws IOException {
        Path fb = Files.createDirectories(dir.resolve("fb"));
        xvfb = new ProcessBuilder("Xvfb", "-displayfd", "1", "-screen", "0", "1024x768x24", "-fbdir", fb.toString(),
                "-nolisten", "tcp", "-ac").redirectError(dir.resolve("xvfb.log").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(xvfb.getInputStream(), StandardCharsets.US_ASCII));
        String line = out.readLine();
        if (line == null) {
            fail("Xvfb did not start: " + readOr(dir.resolve("xvfb.log")));
        }
        display = Integer.parseInt(line.strip());
        frameBuffer = fb.resolve("Xvfb_screen0");
    }

    /** The number of the Xvfb display ({@code DISPLAY=:n}), once started. */
    int display() {
        return display;
    }

    /** What the X screen shows now. */
    Screen frame() throws IOException {
        return Screen.xwd(Files.readAllBytes(frameBuffer));
    }

    /** A running remote-viewer; closing kills it (it never exits on a failure by itself). */
    final class Viewer implements AutoCloseable {

        final Process process;
        final Path log;

        Viewer(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        String output() {
            return readOr(log);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Starts remote-viewer on a launch file in namespace {@code netns} as {@code user} (null: root), the way a
     * desktop would: the .vv in the user's own directory (remote-viewer deletes it: delete-this-file=1).
     */
    Viewer viewer(String netns, TestUsers.User user, String vv, String tag) throws IOException {
        String who = user == null ? "root" : user.name();
        Path home = home(user);
        Path file = home.resolve(tag + ".vv");
        Files.writeString(file, vv);
        if (user != null) {
            Sh.run("chown", user.uid() + ":" + user.gid(), file.toString());
        }
        Path log = dir.resolve("viewer-" + tag + "-" + who + ".log");
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        if (user != null) {
            command.addAll(List.of("setpriv", "--reuid=" + user.uid(), "--regid=" + user.gid(), "--clear-groups"));
        }
        command.addAll(List.of("env", "-i", "DISPLAY=:" + display, "HOME=" + home, "XDG_RUNTIME_DIR=" + home,
                "PATH=/usr/bin:/bin", "remote-viewer", "--debug", file.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(process); // ip netns exec, setpriv and env all exec: this PID is remote-viewer's
        return new Viewer(process, log);
    }

    /**
     * Runs the strict-mode launcher {@code deploy/bin/spicegate-open <console>} in namespace {@code netns} as
     * {@code user}, as a user at the workstation's desktop would: it starts remote-viewer through the sudo rule on
     * the file the agent wrote. The launcher is copied here so that the test user can read it; the PID is sudo's,
     * which passes the kill on to remote-viewer.
     */
    Viewer launcher(String netns, TestUsers.User user, String console, String tag) throws IOException {
        Path launcher = dir.resolve("bin/spicegate-open");
        if (!Files.exists(launcher)) {
            Files.createDirectories(launcher.getParent());
            Files.copy(Path.of("deploy/bin/spicegate-open"), launcher);
            Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path home = home(user);
        Path log = dir.resolve("launcher-" + tag + "-" + user.name() + ".log");
        Process process = new ProcessBuilder("ip", "netns", "exec", netns,
                "setpriv", "--reuid=" + user.uid(), "--regid=" + user.gid(), "--init-groups",
                "env", "-i", "DISPLAY=:" + display, "HOME=" + home, "XDG_RUNTIME_DIR=" + home, "PATH=/usr/bin:/bin",
                "/bin/sh", launcher.toString(), console)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(process);
        return new Viewer(process, log);
    }

    /** Waits until the X screen shows what the VM shows (its own screendump), while the viewer runs; saves the frame. */
    void awaitShows(Viewer viewer, ScreenSource vm, Path png, String tag, Path vmLog) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Screen vmScreen = vm.screen();
            if (vmScreen.lit() <= 500) {
                fail(tag + ": the VM shows nothing to compare");
            }
            Screen frame = frame();
            if (frame.shows(vmScreen, 0.97)) {
                frame.writePng(png);
                return;
            }
            if (System.nanoTime() > deadline || !viewer.process.isAlive()) {
                fail(tag + ": remote-viewer did not show the VM's screen\n" + viewer.output() + "\n" + readOr(vmLog));
            }
            Thread.sleep(250);
        }
    }

    /** After a viewer is killed its window goes: waits until the screen no longer shows the VM. */
    void awaitBlank(ScreenSource vm) throws Exception {
        Screen dump = vm.screen();
        EnforcementIT.await(() -> {
            try {
                return !frame().shows(dump, 0.97);
            } catch (IOException e) {
                return false;
            }
        }, "the viewer's window gone", () -> "");
    }

    /** Where a screen to compare with comes from (a VM's screendump). */
    interface ScreenSource {
        Screen screen() throws Exception;
    }

    /** A private home for {@code user} (null: root) under this lab. */
    private Path home(TestUsers.User user) throws IOException {
        Path home = dir.resolve("home-" + (user == null ? "root" : user.name()));
        if (!Files.isDirectory(home)) {
            Files.createDirectories(home);
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
            if (user != null) {
                Sh.run("chown", user.uid() + ":" + user.gid(), home.toString());
            }
        }
        return home;
    }

    /** The rules of the host agent's chain in the KVM namespace (none when it has no chain). */
    List<String> hostChain() {
        CommandRunner.Result r = Sh.tryRun("ip", "netns", "exec", kvm, "iptables", "-S", InputScript.CHAIN);
        return r.ok() ? r.stdout().lines().filter(l -> l.startsWith("-A ")).toList() : List.of();
    }

    /** Packets the REJECT rules of an agent's chain in a namespace have refused so far (IPv4). */
    static long rejected(String netns, String chain) {
        CommandRunner.Result r = Sh.tryRun("ip", "netns", "exec", netns, "iptables", "-L", chain, "-v", "-x", "-n");
        if (!r.ok()) {
            return 0;
        }
        long n = 0;
        for (String line : r.stdout().lines().toList()) {
            String[] f = line.strip().split("\\s+");
            if (f.length > 2 && f[2].equals("REJECT")) {
                n += Long.parseLong(f[0]);
            }
        }
        return n;
    }

    /** How often {@code text} occurs in a log file. */
    static int count(Path log, String text) {
        String s = readOr(log);
        int n = 0;
        for (int i = s.indexOf(text); i >= 0; i = s.indexOf(text, i + 1)) {
            n++;
        }
        return n;
    }

    static String readOr(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + file + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        for (String domain : domains) {
            virsh("destroy", domain);
        }
        List<Process> all = new ArrayList<>(processes);
        if (libvirtd != null) {
            all.add(libvirtd);
        }
        if (xvfb != null) {
            all.add(xvfb);
        }
        for (Process process : all) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // a domain's QEMU outlives a libvirtd that died first: end it by its own pid file
        try (Stream<Path> pids = Files.exists(dir.resolve("lv/run/qemu")) ? Files.list(dir.resolve("lv/run/qemu")) : Stream.empty()) {
            for (Path pid : pids.filter(f -> f.toString().endsWith(".pid")).toList()) {
                ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(ProcessHandle::destroyForcibly);
            }
        } catch (IOException | RuntimeException e) {
            // nothing left
        }
        for (String ns : List.of(ws, rogue, kvm)) {
            Sh.tryRun("ip", "netns", "del", ns);
        }
        for (Path created : createdDirs) {
            try {
                Files.deleteIfExists(created);
            } catch (IOException e) {
                // not empty: someone else uses it now
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }
}
