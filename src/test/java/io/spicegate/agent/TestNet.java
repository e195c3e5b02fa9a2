package io.spicegate.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two network namespaces for the firewall tests: {@code sgt-ws-*} (the workstation, where the chain lives) and
 * {@code sgt-kvm-*} (a console host with echo listeners), joined by a veth pair in 10.99.N.0/24; a test that runs
 * beside others may choose its own prefix instead of {@code sgt}. No other address is used; the host's own network
 * is never touched. Closing kills the listeners and deletes both.
 */
final class TestNet implements AutoCloseable {

    static final String ECHO_SERVER = """
            import socket, sys, threading
            host = sys.argv[1]
            family = socket.AF_INET6 if ':' in host else socket.AF_INET
            def echo(conn):
                try:
                    while True:
                        data = conn.recv(4096)
                        if not data:
                            break
                        conn.sendall(data)
                except OSError:
                    pass
                finally:
                    conn.close()
            def serve(listener):
                while True:
                    conn, _ = listener.accept()
                    threading.Thread(target=echo, args=(conn,), daemon=True).start()
            for port in sys.argv[2:]:
                listener = socket.socket(family, socket.SOCK_STREAM)
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                listener.bind((host, int(port)))
                listener.listen(16)
                threading.Thread(target=serve, args=(listener,), daemon=True).start()
            print('READY', flush=True)
            threading.Event().wait()
            """;

    /** Connects, exchanges a line; in mode "hold" waits for a line on stdin and tries again, timing the failure. */
    static final String CLIENT = """
            import socket, sys, time
            host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
            s = socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(3)
            try:
                s.connect((host, port))
                s.sendall(b'ping\\n')
                if s.recv(100) != b'ping\\n':
                    print('BADECHO'); sys.exit(0)
            except ConnectionRefusedError:
                print('REFUSED'); sys.exit(0)
            except OSError as e:
                print('ERROR ' + type(e).__name__); sys.exit(0)
            if mode == 'once':
                print('OK'); sys.exit(0)
            print('CONNECTED', flush=True)
            sys.stdin.readline()
            start = time.monotonic()
            s.settimeout(2)
            try:
                s.sendall(b'again\\n')
                data = s.recv(100)
                print('ALIVE' if data == b'again\\n' else 'CUT %d' % ((time.monotonic() - start) * 1000))
            except (ConnectionResetError, BrokenPipeError):
                print('CUT %d' % ((time.monotonic() - start) * 1000))
            except socket.timeout:
                print('TIMEOUT')
            """;

    final String suffix = Sh.random();
    /** Name prefix of the namespaces and veths: "sgt" unless a test asks for its own (at most 8 characters). */
    final String prefix;
    final String ws;
    final String kvm;
    final int subnet = ThreadLocalRandom.current().nextInt(1, 255);
    final String wsAddress = "10.99." + subnet + ".1";
    final String kvmAddress = "10.99." + subnet + ".2";
    private final Path scripts;
    private final List<Process> processes = new ArrayList<>();

    private TestNet(String prefix) throws IOException {
        if (!prefix.matches("[a-z]{1,8}")) {
            throw new IllegalArgumentException("a namespace prefix is 1-8 lower-case letters: " + prefix);
        }
        this.prefix = prefix;
        this.ws = prefix + "-ws-" + suffix;
        this.kvm = prefix + "-kvm-" + suffix;
        scripts = Files.createTempDirectory(prefix + "-net-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        for (var script : List.of(List.of("echo.py", ECHO_SERVER), List.of("client.py", CLIENT))) {
            Path file = scripts.resolve(script.get(0));
            Files.writeString(file, script.get(1));
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    /** Creates both namespaces and the link between them. */
    static TestNet create() throws IOException {
        return create("sgt");
    }

    /** The same with names starting with {@code prefix} (tests that run beside others use their own). */
    static TestNet create(String prefix) throws IOException {
        Sh.requireRoot("ip", "iptables", "ip6tables", "iptables-restore", "ip6tables-restore", "setpriv", "getent");
        TestNet net = new TestNet(prefix);
        try {
            Sh.run("ip", "netns", "add", net.ws);
            Sh.run("ip", "netns", "add", net.kvm);
            String vethWs = prefix + "w" + net.suffix;
            String vethKvm = prefix + "k" + net.suffix;
            Sh.run("ip", "link", "add", vethWs, "netns", net.ws, "type", "veth", "peer", "name", vethKvm, "netns", net.kvm);
            Sh.run("ip", "-n", net.ws, "addr", "add", net.wsAddress + "/24", "dev", vethWs);
            Sh.run("ip", "-n", net.kvm, "addr", "add", net.kvmAddress + "/24", "dev", vethKvm);
            for (String ns : List.of(net.ws, net.kvm)) {
                Sh.run("ip", "-n", ns, "link", "set", "lo", "up");
            }
            Sh.run("ip", "-n", net.ws, "link", "set", vethWs, "up");
            Sh.run("ip", "-n", net.kvm, "link", "set", vethKvm, "up");
        } catch (Throwable t) {
            net.close();
            throw t;
        }
        return net;
    }

    /** Starts an echo listener in {@code netns} on {@code address} and {@code ports}; killed on close. */
    void echoServer(String netns, String address, int... ports) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", netns, "/usr/bin/python3",
                scripts.resolve("echo.py").toString(), address));
        for (int port : ports) {
            command.add(Integer.toString(port));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(process); // ip netns exec execs python3: this PID is the listener's
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertEquals("READY", line, "echo server did not start");
    }

    /** Connects once from the workstation namespace as {@code user} (null: root); returns OK, REFUSED, ... */
    String connect(TestUsers.User user, String address, int port) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(client(user, address, port, "once")).redirectErrorStream(true).start();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("client did not finish");
        }
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    /** A connection held open by {@code user}: {@link Held#sendAgain()} tries the next exchange. */
    Held hold(TestUsers.User user, String address, int port) throws IOException {
        Process process = new ProcessBuilder(client(user, address, port, "hold")).redirectErrorStream(true).start();
        processes.add(process);
        Held held = new Held(process);
        assertEquals("CONNECTED", held.out.readLine(), "the held connection did not come up");
        return held;
    }

    /** A client process with an established connection. */
    static final class Held {

        private final Process process;
        private final BufferedReader out;

        Held(Process process) {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Sends on the established connection; returns ALIVE, CUT &lt;ms&gt; or TIMEOUT. */
        String sendAgain() throws IOException, InterruptedException {
            try (Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
                in.write("go\n");
            }
            String line = out.readLine();
            process.waitFor(5, TimeUnit.SECONDS);
            return line;
        }
    }

    private List<String> client(TestUsers.User user, String address, int port, String mode) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ws));
        if (user != null) {
            command.addAll(List.of("setpriv", "--reuid=" + user.uid(), "--regid=" + user.gid(), "--clear-groups"));
        }
        command.addAll(List.of("/usr/bin/python3", scripts.resolve("client.py").toString(), address,
                Integer.toString(port), mode));
        return command;
    }

    @Override
    public void close() {
        for (Process process : processes) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Sh.tryRun("ip", "netns", "del", ws);
        Sh.tryRun("ip", "netns", "del", kvm);
        try (var files = Files.list(scripts)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(scripts);
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }
}
