package io.spicegate.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real OpenLDAP server (Debian's {@code slapd}, as root) with its own configuration file and database in a
 * temporary directory, on a free loopback port; changed with the real {@code ldapadd}/{@code ldapmodify}; stopped by
 * its own PID. The Debian package's own slapd service is neither needed nor touched.
 */
public final class Slapd implements AutoCloseable {

    public static final Path SLAPD = Path.of("/usr/sbin/slapd");
    public static final Path LDAPMODIFY = Path.of("/usr/bin/ldapmodify");
    public static final String ROOT_PASSWORD = "slapd-root-test-pass";
    static final Duration READY = Duration.ofSeconds(30);

    private final Process process;
    private final Path dir;
    public final String suffix;
    public final String rootDn;
    public final String url;

    private Slapd(Process process, Path dir, String suffix, int port) {
        this.process = process;
        this.dir = dir;
        this.suffix = suffix;
        this.rootDn = "cn=admin," + suffix;
        this.url = "ldap://127.0.0.1:" + port;
    }

    /** Fails (never skips) when slapd or ldap-utils are missing, or when not root. */
    public static void requireInstalled() {
        for (Path p : List.of(SLAPD, LDAPMODIFY)) {
            if (!Files.isExecutable(p)) {
                fail(p + " is missing: install it with 'apt-get install --no-install-recommends slapd ldap-utils' (see .ci/run)");
            }
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            fail("slapd is started as root by this test: run it as root");
        }
    }

    /** Starts slapd for {@code suffix} (an mdb database; userPassword readable only for binds). */
    public static Slapd start(String suffix) throws IOException, InterruptedException {
        requireInstalled();
        Path dir = Files.createTempDirectory("spicegate-slapd-");
        Files.createDirectories(dir.resolve("db"));
        int port = Keycloak.freePort();
        Path conf = dir.resolve("slapd.conf");
        Files.writeString(conf, String.join("\n",
                "include /etc/ldap/schema/core.schema",
                "include /etc/ldap/schema/cosine.schema",
                "include /etc/ldap/schema/inetorgperson.schema",
                "pidfile " + dir.resolve("slapd.pid"),
                "argsfile " + dir.resolve("slapd.args"),
                "modulepath /usr/lib/ldap",
                "moduleload back_mdb",
                "database mdb",
                "maxsize 10485760",
                "suffix \"" + suffix + "\"",
                "rootdn \"cn=admin," + suffix + "\"",
                "rootpw " + ROOT_PASSWORD,
                "directory " + dir.resolve("db"),
                "access to attrs=userPassword by self read by anonymous auth by * none",
                "access to * by * read", ""));
        // -d 0: in the foreground, so the process we hold is slapd itself
        Process p = new ProcessBuilder(SLAPD.toString(), "-f", conf.toString(), "-h", "ldap://127.0.0.1:" + port + "/", "-d", "0")
                .redirectErrorStream(true).redirectOutput(dir.resolve("slapd.log").toFile()).start();
        Slapd s = new Slapd(p, dir, suffix, port);
        long deadline = System.nanoTime() + READY.toNanos();
        while (true) {
            if (!p.isAlive()) {
                String log = Files.readString(dir.resolve("slapd.log"));
                s.close();
                throw new IllegalStateException("slapd exited with " + p.exitValue() + ":\n" + log);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return s;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    s.close();
                    throw new IllegalStateException("slapd did not listen on " + port + " within " + READY);
                }
                Thread.sleep(100);
            }
        }
    }

    /** Adds entries (LDIF) with the real ldapadd. */
    public void add(String ldif) throws IOException, InterruptedException {
        tool("-a", ldif);
    }

    /** Applies an LDIF change with the real ldapmodify. */
    public void modify(String ldif) throws IOException, InterruptedException {
        tool(null, ldif);
    }

    private void tool(String flag, String ldif) throws IOException, InterruptedException {
        Path file = Files.createTempFile(dir, "change-", ".ldif");
        Files.writeString(file, ldif, StandardCharsets.UTF_8);
        List<String> cmd = new ArrayList<>(List.of(LDAPMODIFY.toString(), "-x", "-H", url, "-D", rootDn, "-w", ROOT_PASSWORD,
                "-f", file.toString()));
        if (flag != null) {
            cmd.add(1, flag);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("ldapmodify failed: " + out);
        }
    }

    /** Stops this slapd by its PID and removes its directory. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory
        }
    }
}
