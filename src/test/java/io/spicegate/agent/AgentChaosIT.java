package io.spicegate.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.PortalProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Agent chaos, as root, for real: the packaged portal, the packaged agent jar as a process enforcing one
 * workstation's grants in a network namespace (consoles on an IPv4 and an IPv6 host), three real Unix users. A
 * driver thread opens, ends and revokes sessions through the portal's API all the time (one-minute sessions are
 * left to expire) while the agent is killed with SIGKILL at a random moment, 100 times, sometimes killed again
 * while it starts, and restarted; the grants change while it is dead (in half the cycles), while it starts and for
 * a random while after its first apply. Then, once the new process has acknowledged the portal's current grant
 * version, both {@code SPICEGATE} chains hold exactly the ACCEPTs of the sessions active in the portal, before the
 * REJECTs: no stale rule, none missing. A sampler reads both chains all along: never an ACCEPT of a session that
 * ended more than the apply latency before while the agent runs, never a chain without its REJECTs (not right after
 * a kill -9 either), and the jump from OUTPUT stays first. The seed of the random delays is printed
 * ({@code -Dspicegate.chaos.seed=N} to rerun with it; {@code -Dspicegate.chaos.cycles=N} for fewer cycles).
 */
class AgentChaosIT {

    static final int CYCLES = Integer.getInteger("spicegate.chaos.cycles", 100);
    static final long SEED = Long.getLong("spicegate.chaos.seed", System.currentTimeMillis());
    /** How long after a session ended its ACCEPT may still be seen: poll wake-up, apply and the 200 ms timer. */
    static final long LATENCY = TimeUnit.SECONDS.toNanos(5);
    /** A session whose end lies this close to a chain reading may be on either side of it. */
    static final Duration EDGE = Duration.ofSeconds(2);
    static final int[] PORTS = {20002, 20004, 20006};
    /** Consoles on this port allow one minute: their sessions are left to expire on the agent's own timer. */
    static final int SHORT_PORT = 20006;

    static final Pattern ACCEPT = Pattern.compile("-A SPICEGATE -d (\\S+)/(?:32|128) -p tcp -m tcp --dport (\\d+)"
            + " -m owner --uid-owner (\\d+) -m comment --comment \"?spicegate ([A-Za-z0-9-]+)\"? -j ACCEPT");
    static final Pattern REJECT = Pattern.compile(
            "-A SPICEGATE -d (\\S+)/(?:32|128) -p tcp -m multiport --dports ([0-9,]+) -j REJECT --reject-with tcp-reset");
    static final Pattern APPLIED = Pattern.compile("applied version (\\d+): ");

    /** A console of the test: its name, host address (canonical form) and TLS port. */
    record Console(String name, String address, int port) {
        boolean isShort() {
            return port == SHORT_PORT;
        }
    }

    /** A portal user with its Unix account and its login session (requests relayed for the workstation's address). */
    record Member(String login, TestUsers.User unix, Session api) {
    }

    /**
     * A login session of the portal's API, as a browser holds it: one password check at login, then the cookie (and
     * our own Origin on changes). Keeps bcrypt off the portal's CPU, which the agent's restarts share.
     */
    static final class Session {
        private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        private final String base;
        private final String cookie;
        private final String forwardedFor;

        private Session(String base, String cookie, String forwardedFor) {
            this.base = base;
            this.cookie = cookie;
            this.forwardedFor = forwardedFor;
        }

        static Session login(String base, String username, String password) throws IOException, InterruptedException {
            String form = "username=" + URLEncoder.encode(username, StandardCharsets.UTF_8) + "&password="
                    + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&next=/";
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/login")).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", base)
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(303, r.statusCode(), "login of " + username + ": " + r.body());
            String cookie = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("spicegate_session="))
                    .map(c -> c.substring(0, c.indexOf(';') < 0 ? c.length() : c.indexOf(';'))).findFirst()
                    .orElseThrow(() -> new AssertionError("no login cookie for " + username));
            return new Session(base, cookie, null);
        }

        Session from(String address) {
            return new Session(base, cookie, address);
        }

        Api.Answer get(String path) {
            return send(request(path).GET());
        }

        Api.Answer post(String path, Object body) {
            try {
                return send(request(path).header("Content-Type", "application/json").header("Origin", base)
                        .POST(HttpRequest.BodyPublishers.ofString(Api.JSON.writeValueAsString(body))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Api.Answer delete(String path) {
            return send(request(path).header("Origin", base).DELETE());
        }

        private HttpRequest.Builder request(String path) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                    .header("Cookie", cookie).header("Accept", "application/json");
            return forwardedFor == null ? b : b.header("X-Forwarded-For", forwardedFor);
        }

        private static Api.Answer send(HttpRequest.Builder b) {
            try {
                HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
                return new Api.Answer(r.statusCode(), r.body(), r);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** One ACCEPT rule as the kernel lists it. */
    record Key(String session, int uid, String address, int port) {
        @Override
        public String toString() {
            return session + " uid " + uid + " -> " + address + ":" + port;
        }
    }

    /** A session the driver opened: it is gone at its end (ended or revoked) or at its expiry, whichever is first. */
    static final class Tracked {
        final String id;
        final Member member;
        final Console console;
        final long expiryNanos;
        volatile long endNanos = Long.MAX_VALUE;

        Tracked(String id, Member member, Console console, long expiryNanos) {
            this.id = id;
            this.member = member;
            this.console = console;
            this.expiryNanos = expiryNanos;
        }

        long gone() {
            return Math.min(endNanos, expiryNanos);
        }

        boolean liveAt(long nanos) {
            return gone() - nanos > 0;
        }
    }

    /** Both chains' rules (null for a family whose chain could not be listed) and OUTPUT's first rule per family. */
    record Chains(List<String> v4, List<String> v6, String firstOutput4, String firstOutput6) {
    }

    /** A parsed chain pair: the ACCEPTs, the REJECTs (as "address ports") and anything wrong with the form. */
    record Parsed(Set<Key> accepts, Set<String> rejects, List<String> problems) {
    }

    private final Random random = new Random(SEED);
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong epoch = new AtomicLong();
    private final AtomicInteger samples = new AtomicInteger();
    private final AtomicInteger sampledAccepts = new AtomicInteger();
    private volatile boolean settled;
    private volatile Set<String> baseline;
    private TestNet net;
    private Path agentLog;
    /** The driver whose sessions the sampler checks against. */
    private volatile Driver currentDriver;

    @Test
    void killedAndRestartedAHundredTimesWhileGrantsChangeNeverLeavesAStaleRule() throws Exception {
        assertTrue(Files.isRegularFile(EnforcementIT.AGENT_JAR), EnforcementIT.AGENT_JAR + " missing: run ./mvnw verify");
        System.out.println("AgentChaosIT: " + CYCLES + " cycles, seed " + SEED + " (-Dspicegate.chaos.seed=" + SEED + " repeats the delays)");
        long began = System.nanoTime();
        Path data = Files.createTempDirectory("sgac-chaos-portal-");
        Path state = Files.createTempDirectory("sgac-chaos-agent-");
        agentLog = state.resolve("agent.log");
        Map<String, String> env = new HashMap<>(Map.of(
                "SPICEGATE_DATA_DIR", data.toString(),
                "SPICEGATE_AGENT_POLL_SECONDS", "5",
                "QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING", "true",
                "QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED", "true",
                "QUARKUS_HTTP_PROXY_TRUSTED_PROXIES", "127.0.0.1"));
        Process agent = null;
        Driver driver = null;
        Thread sampler = null;
        try (TestUsers users = new TestUsers(); TestNet testNet = TestNet.create("sgac")) {
            net = testNet;
            List<TestUsers.User> unix = List.of(users.create("sgac_a_" + net.suffix), users.create("sgac_b_" + net.suffix),
                    users.create("sgac_c_" + net.suffix));
            try (PortalProcess portal = PortalProcess.start("sgac-chaos-portal", env)) {
                Api admin = Api.basic(portal.base, "admin", "demo");
                String v6Address = "fd99:" + Integer.toHexString(net.subnet) + "::2";
                admin.post("/api/v1/admin/hosts", Map.of("name", "kvm4", "address", net.kvmAddress)).expect(201);
                admin.post("/api/v1/admin/hosts", Map.of("name", "kvm6", "address", v6Address)).expect(201);
                List<Console> consoles = new ArrayList<>();
                for (String host : List.of("kvm4", "kvm6")) {
                    for (int port : PORTS) {
                        String name = host + "-" + port;
                        admin.post("/api/v1/admin/consoles", Map.of("name", name, "host", host, "tlsPort", port)).expect(201);
                        consoles.add(new Console(name, canonical(host.equals("kvm4") ? net.kvmAddress : v6Address), port));
                    }
                }
                List<Member> members = new ArrayList<>();
                for (int i = 0; i < unix.size(); i++) {
                    String login = "chaos" + (char) ('a' + i);
                    admin.post("/api/v1/admin/users", Map.of("username", login, "password", "password-" + login,
                            "unixUsername", unix.get(i).name(), "roles", List.of("user"))).expect(201);
                    for (Console c : consoles) {
                        EnforcementIT.rule(admin, c.name(), login, c.isShort() ? 1 : null);
                    }
                    members.add(new Member(login, unix.get(i),
                            Session.login(portal.base, login, "password-" + login).from(net.wsAddress)));
                }
                JsonNode ws = admin.post("/api/v1/admin/workstations", Map.of("name", "chaosws",
                        "addresses", List.of(net.wsAddress))).expect(201).json();
                String wsPath = "/api/v1/admin/workstations/" + ws.get("id").asText();
                Path config = state.resolve("agent.properties");
                Files.writeString(config, "portal.url=" + portal.base + "\nenrollment.token=" + ws.get("enrollmentToken").asText()
                        + "\nstate.dir=" + state + "\nnetns=" + net.ws + "\nretry.seconds=1\npoll.timeout.seconds=15\nhostname=chaosws\n");

                Session adminSession = Session.login(portal.base, "admin", "demo");
                driver = new Driver(members, consoles, adminSession, new Random(SEED + 1));
                currentDriver = driver;
                Settler settler = new Settler(adminSession, wsPath, members, consoles, driver);

                // the first start enrolls; from then on the REJECTs must never be missing
                long offset = logSize();
                agent = start(config);
                Settled first = settler.settle("first start", agent, offset);
                baseline = first.rejects();
                for (Console c : consoles) {
                    assertTrue(baseline.stream().anyMatch(r -> r.startsWith(c.address() + " ") && r.contains(Integer.toString(c.port()))),
                            "no REJECT for " + c + " in " + baseline);
                }
                // a clean stop (SIGTERM) leaves only the REJECTs; it also writes the class-data archive that lets
                // the next hundred JVMs start faster (-XX:SharedArchiveFile: the same jar, loaded sooner)
                agent.destroy();
                assertTrue(agent.waitFor(30, TimeUnit.SECONDS), "the agent did not stop on SIGTERM");
                Parsed stoppedCleanly = parse(chains());
                assertEquals(Set.of(), stoppedCleanly.accepts(), "SIGTERM leaves no ACCEPT");
                assertEquals(baseline, stoppedCleanly.rejects(), "SIGTERM leaves the REJECTs");
                offset = logSize();
                agent = start(config);
                settler.settle("restart after SIGTERM", agent, offset);
                settled = true;
                sampler = new Thread(this::sample, "sgac-sampler");
                sampler.setDaemon(true);
                sampler.start();
                driver.start();

                int startupKills = 0;
                int deadChanges = 0;
                int leftByKill = 0;
                int nonEmpty = 0;
                List<Long> firstApplyMillis = new ArrayList<>();
                int changedInLife = 0;
                for (int cycle = 1; cycle <= CYCLES; cycle++) {
                    long alive = random.nextInt(700);
                    boolean changeWhileDead = random.nextBoolean();
                    long dead = random.nextInt(700);
                    long startupKill = random.nextInt(4) == 0 ? random.nextInt(1000) : -1;
                    long inLife = 100 + random.nextInt(800);
                    Thread.sleep(alive);
                    assertQuiet(driver, agent, "before kill #" + cycle);

                    // kill -9 at a random moment while the grants change
                    settled = false;
                    epoch.incrementAndGet();
                    long killedPid = agent.pid();
                    Set<Key> atKill = kill(agent, "cycle " + cycle);
                    if (!changeWhileDead) {
                        driver.quiet.lock();
                    } else {
                        deadChanges++;
                    }
                    Thread.sleep(dead);
                    if (startupKill >= 0) {
                        startupKills++;
                        Process starting = start(config);
                        Thread.sleep(startupKill);
                        kill(starting, "cycle " + cycle + ", " + startupKill + " ms into its start");
                    }
                    // restart; the grants keep changing while it starts and for a random while after its first apply,
                    // so that the check below also covers what the new process did since
                    offset = logSize();
                    long restarted = System.nanoTime();
                    agent = start(config);
                    if (!changeWhileDead) {
                        driver.quiet.unlock();
                    }
                    long firstVersion = settler.awaitFirstApply("cycle " + cycle, agent, offset);
                    long firstApply = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted);
                    firstApplyMillis.add(firstApply);
                    Thread.sleep(inLife);
                    driver.quiet.lock();
                    Settled s;
                    try {
                        s = settler.settle("cycle " + cycle, agent, offset);
                        settled = true;
                    } finally {
                        driver.quiet.unlock();
                    }
                    if (s.version() > firstVersion) {
                        changedInLife++;
                    }
                    Set<String> now = new HashSet<>();
                    s.accepts().forEach(k -> now.add(k.session()));
                    int left = (int) atKill.stream().map(Key::session).distinct().filter(id -> !now.contains(id)).count();
                    leftByKill += left;
                    if (!s.accepts().isEmpty()) {
                        nonEmpty++;
                    }
                    System.out.printf("cycle %3d/%d: killed pid %d after %4d ms with %d ACCEPT(s); dead %3d ms%s%s;"
                                    + " pid %d applied version %d after %d ms, then %d ms of changes: exact at version %d with"
                                    + " %d session(s)%s%n",
                            cycle, CYCLES, killedPid, alive, atKill.size(), dead, changeWhileDead ? " while grants changed" : "",
                            startupKill >= 0 ? ", killed again " + startupKill + " ms into its start" : "",
                            agent.pid(), firstVersion, firstApply, inLife, s.version(), s.sessions(),
                            left > 0 ? " (" + left + " ACCEPT(s) left by the kill for sessions ended since: gone)" : "");
                    assertQuiet(driver, agent, "after cycle " + cycle);
                }

                driver.stopAndJoin();
                settled = false;
                sampler.interrupt();
                sampler.join(10_000);
                Settled last = settler.settle("the end", agent, 0);
                agent.destroy();
                assertTrue(agent.waitFor(15, TimeUnit.SECONDS), "the agent did not stop on SIGTERM");
                Chains stopped = chains();
                Parsed p = parse(stopped);
                assertEquals(Set.of(), p.accepts(), "SIGTERM leaves only the REJECTs");
                assertEquals(baseline, p.rejects(), "SIGTERM leaves the REJECTs");

                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began);
                List<Long> sorted = new ArrayList<>(firstApplyMillis);
                Collections.sort(sorted);
                System.out.printf("AgentChaosIT: %d cycles (%d kills during start), seed %d, %d s in all; restart -> first apply"
                                + " p50 %d ms, max %d ms; sessions opened %d (re-opened %d, in use %d), ended %d, revoked %d,"
                                + " expired %d; %d cycles with grants at the check, %d with grants changed while dead, %d checked"
                                + " after changes the new process applied;"
                                + " %d ACCEPTs left behind by a kill -9 and gone after the restart; %d chain samples (%d ACCEPTs"
                                + " checked); stale rules 0, missing rules 0, REJECTs missing 0; last version %d%n",
                        CYCLES, startupKills, SEED, seconds, sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1),
                        driver.opened.get(), driver.reopened.get(), driver.inUse.get(), driver.ended.get(), driver.revoked.get(),
                        driver.expired(), nonEmpty, deadChanges, changedInLife, leftByKill, samples.get(), sampledAccepts.get(), last.version());
                assertTrue(samples.get() > CYCLES, "the sampler hardly ran: " + samples.get());
                assertTrue(nonEmpty >= CYCLES / 3, "too few cycles had live grants to compare: " + nonEmpty);
                assertTrue(changedInLife >= CYCLES / 4, "too few checks followed changes within the new process: " + changedInLife);
                assertTrue(driver.opened.get() >= CYCLES / 2 && driver.ended.get() > 0 && driver.revoked.get() > 0,
                        "the driver hardly changed the grants");
                assertTrue(CYCLES < 100 || driver.expired() > 0, "no session expired on the agent's timer");
            } finally {
                if (driver != null) {
                    driver.stopAndJoin();
                }
                if (sampler != null) {
                    sampler.interrupt();
                }
                if (agent != null && agent.isAlive()) {
                    agent.destroyForcibly();
                    agent.waitFor(10, TimeUnit.SECONDS);
                }
            }
            String log = Files.readString(agentLog);
            assertFalse(log.contains("sgw_") || log.contains("sga_"), "a token or secret in the agent's log");
        } finally {
            EnforcementIT.deleteTree(state);
            EnforcementIT.deleteTree(data);
        }
    }

    /** Fails at once (with the agent's last lines) when the sampler or the driver found something. */
    private void assertQuiet(Driver driver, Process agent, String when) {
        if (!driver.failures.isEmpty()) {
            fail(when + ": the driver failed: " + driver.failures + "\n" + tail());
        }
        if (!violations.isEmpty()) {
            fail(when + ": " + violations.size() + " violation(s):\n" + String.join("\n", violations.subList(0,
                    Math.min(20, violations.size()))) + "\n" + tail());
        }
        if (!agent.isAlive()) {
            fail(when + ": the agent exited by itself with " + agent.exitValue() + "\n" + tail());
        }
    }

    /** SIGKILL to the agent's PID; then its chains must still hold the REJECTs and the first jump. Returns the ACCEPTs left. */
    private Set<Key> kill(Process process, String when) throws InterruptedException {
        process.destroyForcibly(); // SIGKILL to this PID: no shutdown hook runs
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "the agent survived SIGKILL");
        Chains c = chains();
        Parsed p = parse(c);
        List<String> problems = new ArrayList<>(p.problems());
        if (!baseline.equals(p.rejects())) {
            problems.add("REJECTs " + p.rejects() + " instead of " + baseline);
        }
        problems.addAll(jumpProblems(c));
        if (!problems.isEmpty()) {
            violations.add("after kill -9 (" + when + "): " + problems);
        }
        return p.accepts();
    }

    /** The background sampler: REJECTs always; while the agent runs settled, no ACCEPT of a session gone for long. */
    private void sample() {
        try {
            sampleUntilInterrupted();
        } catch (RuntimeException | AssertionError e) {
            violations.add("the sampler failed: " + e);
        }
    }

    private void sampleUntilInterrupted() {
        while (!Thread.currentThread().isInterrupted()) {
            long e = epoch.get();
            boolean wasSettled = settled;
            long t0 = System.nanoTime();
            Chains c = chainsOnly();
            boolean stillSettled = wasSettled && settled && epoch.get() == e;
            Parsed p = parse(c);
            samples.incrementAndGet();
            List<String> problems = new ArrayList<>(p.problems());
            if (!baseline.equals(p.rejects())) {
                problems.add("REJECTs " + p.rejects() + " instead of " + baseline);
            }
            if (stillSettled) {
                for (Key k : p.accepts()) {
                    sampledAccepts.incrementAndGet();
                    String problem = checkSampled(k, t0);
                    if (problem != null) {
                        problems.add(problem);
                    }
                }
            }
            if (!problems.isEmpty()) {
                violations.add("sample " + samples.get() + (stillSettled ? " (agent settled)" : "") + ": " + problems);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException ex) {
                return;
            }
        }
    }

    /** Null when a sampled ACCEPT belongs to a session live within the latency, with the right UID and destination. */
    private String checkSampled(Key k, long t0) {
        Tracked t = currentDriver.sessions.get(k.session());
        long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (t == null && System.nanoTime() - wait < 0) {
            // the agent may apply a grant before the driver has read the portal's answer to the open
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            t = currentDriver.sessions.get(k.session());
        }
        if (t == null) {
            return "ACCEPT of a session nobody opened: " + k;
        }
        if (t.member.unix().uid() != k.uid() || !t.console.address().equals(k.address()) || t.console.port() != k.port()) {
            return "ACCEPT " + k + " does not match session " + t.id + " of " + t.member.login() + " on " + t.console;
        }
        long goneFor = t0 - t.gone();
        if (goneFor > LATENCY) {
            return "STALE ACCEPT " + k + ": the session ended " + TimeUnit.NANOSECONDS.toMillis(goneFor) + " ms before this sample";
        }
        return null;
    }

    /** The result of an exact check after a restart. */
    record Settled(long version, int sessions, Set<Key> accepts, Set<String> rejects) {
    }

    /** Waits until the new agent process has applied and acknowledged the portal's current version, then compares exactly. */
    final class Settler {
        final Session admin;
        final String wsPath;
        final Map<String, Member> members = new HashMap<>();
        final Map<String, Console> consoles = new HashMap<>();
        final Driver driver;

        Settler(Session admin, String wsPath, List<Member> members, List<Console> consoles, Driver driver) {
            this.admin = admin;
            this.wsPath = wsPath;
            members.forEach(m -> this.members.put(m.login(), m));
            consoles.forEach(c -> this.consoles.put(c.name(), c));
            this.driver = driver;
        }

        /** Waits for the first grant set this process applied (after its REJECT-only start); returns its version. */
        long awaitFirstApply(String when, Process agent, long logOffset) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() - deadline < 0) {
                if (!agent.isAlive()) {
                    fail(when + ": the agent exited with " + agent.exitValue() + "\n" + tail());
                }
                Matcher m = APPLIED.matcher(readFrom(logOffset));
                if (m.find()) {
                    return Long.parseLong(m.group(1));
                }
                Thread.sleep(20);
            }
            return fail(when + ": the restarted agent applied nothing within 30 s\n" + tail());
        }

        Settled settle(String when, Process agent, long logOffset) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String last = "nothing applied yet";
            while (System.nanoTime() - deadline < 0) {
                if (!agent.isAlive()) {
                    fail(when + ": the agent exited with " + agent.exitValue() + "\n" + tail());
                }
                long applied = -1;
                Matcher m = APPLIED.matcher(readFrom(logOffset));
                while (m.find()) {
                    applied = Long.parseLong(m.group(1));
                }
                if (applied < 0) {
                    Thread.sleep(20);
                    continue;
                }
                JsonNode before = admin.get(wsPath).expect(200).json();
                long version = before.get("grantVersion").asLong();
                JsonNode acked = before.get("ackedVersion");
                if (version != applied || acked == null || acked.isNull() || acked.asLong() != version) {
                    last = "portal at version " + version + ", acked " + acked + ", this process applied " + applied;
                    Thread.sleep(20);
                    continue;
                }
                JsonNode live = admin.get("/api/v1/admin/sessions?state=ACTIVE").expect(200).json();
                Instant readAt = Instant.now();
                Chains c = chains();
                JsonNode after = admin.get(wsPath).expect(200).json();
                if (after.get("grantVersion").asLong() != version) {
                    last = "version moved on to " + after.get("grantVersion").asLong();
                    continue;
                }
                Set<Key> expected = new TreeSetKeys();
                boolean edge = false;
                int sessions = 0;
                for (JsonNode s : live) {
                    if (!"chaosws".equals(s.get("workstation").asText())) {
                        continue;
                    }
                    Instant ends = Instant.parse(s.get("endsAt").asText());
                    edge |= Duration.between(readAt, ends).abs().compareTo(EDGE) < 0;
                    Member member = members.get(s.get("user").asText());
                    Console console = consoles.get(s.get("console").asText());
                    assertTrue(member != null && console != null, "a session the test did not open: " + s);
                    expected.add(new Key(s.get("id").asText(), member.unix().uid(), console.address(), console.port()));
                    sessions++;
                }
                long readNanos = System.nanoTime();
                for (Tracked t : driver.sessions.values()) {
                    edge |= Math.abs(t.expiryNanos - readNanos) < EDGE.toNanos();
                }
                if (edge) {
                    last = "a session expires right now";
                    Thread.sleep(250);
                    continue;
                }
                Parsed p = parse(c);
                List<String> problems = new ArrayList<>(p.problems());
                problems.addAll(jumpProblems(c));
                Set<Key> stale = new TreeSetKeys();
                stale.addAll(p.accepts());
                stale.removeAll(expected);
                Set<Key> missing = new TreeSetKeys();
                missing.addAll(expected);
                missing.removeAll(p.accepts());
                if (!stale.isEmpty()) {
                    problems.add("STALE rules (no active session at version " + version + "): " + stale);
                }
                if (!missing.isEmpty()) {
                    problems.add("MISSING rules (active sessions at version " + version + "): " + missing);
                }
                if (baseline != null && !baseline.equals(p.rejects())) {
                    problems.add("REJECTs " + p.rejects() + " instead of " + baseline);
                }
                if (!problems.isEmpty()) {
                    fail(when + ": after the agent acked version " + version + ":\n" + String.join("\n", problems)
                            + "\nchain v4: " + c.v4() + "\nchain v6: " + c.v6() + "\nportal: " + live + "\n" + tail());
                }
                return new Settled(version, sessions, p.accepts(), p.rejects());
            }
            fail(when + ": the restarted agent did not acknowledge the portal's version within 30 s (" + last + ")\n" + tail());
            return null;
        }
    }

    /** A sorted set of keys, so that failure messages read well. */
    static final class TreeSetKeys extends TreeSet<Key> {
        TreeSetKeys() {
            super((a, b) -> a.toString().compareTo(b.toString()));
        }
    }

    /** Opens, ends and revokes sessions all the time; paused while the test holds {@link #quiet}. */
    final class Driver extends Thread {
        final ReentrantLock quiet = new ReentrantLock(true);
        final Map<String, Tracked> sessions = new ConcurrentHashMap<>();
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger reopened = new AtomicInteger();
        final AtomicInteger inUse = new AtomicInteger();
        final AtomicInteger ended = new AtomicInteger();
        final AtomicInteger revoked = new AtomicInteger();
        private final List<Member> members;
        private final List<Console> consoles;
        private final Session admin;
        private final Random rnd;
        private volatile boolean stop;

        Driver(List<Member> members, List<Console> consoles, Session admin, Random rnd) {
            super("sgac-driver");
            setDaemon(true);
            this.members = members;
            this.consoles = consoles;
            this.admin = admin;
            this.rnd = rnd;
        }

        @Override
        public void run() {
            while (!stop) {
                quiet.lock();
                try {
                    if (!stop) {
                        step();
                    }
                } catch (RuntimeException | AssertionError e) {
                    failures.add(e.toString());
                } finally {
                    quiet.unlock();
                }
                try {
                    Thread.sleep(50 + rnd.nextInt(200));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stopAndJoin() throws InterruptedException {
            stop = true;
            join(30_000);
        }

        /** Sessions gone by their expiry, never ended or revoked. */
        int expired() {
            long now = System.nanoTime();
            return (int) sessions.values().stream().filter(t -> t.endNanos == Long.MAX_VALUE && t.expiryNanos - now < 0).count();
        }

        private void step() {
            long soon = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            // the one-minute sessions are never ended here: they expire on the agent's own timer
            List<Tracked> endable = sessions.values().stream().filter(t -> t.liveAt(soon) && !t.console.isShort()).toList();
            int r = rnd.nextInt(100);
            if (endable.isEmpty() || r < 45) {
                open(members.get(rnd.nextInt(members.size())), consoles.get(rnd.nextInt(consoles.size())));
            } else if (r < 75) {
                end(endable.get(rnd.nextInt(endable.size())));
            } else {
                revoke(endable.get(rnd.nextInt(endable.size())));
            }
        }

        private void open(Member member, Console console) {
            Api.Answer a = member.api().post("/api/v1/sessions", Map.of("console", console.name()));
            long now = System.nanoTime();
            if (a.status() == 409 && a.body().contains("in use")) {
                inUse.incrementAndGet();
                return;
            }
            JsonNode s = a.expect(201).json();
            String id = s.get("id").asText();
            Duration left = Duration.between(Instant.now(), Instant.parse(s.get("endsAt").asText()));
            if (sessions.putIfAbsent(id, new Tracked(id, member, console, now + left.toNanos())) == null) {
                opened.incrementAndGet();
            } else {
                reopened.incrementAndGet();
            }
        }

        private void end(Tracked t) {
            t.member.api().delete("/api/v1/sessions/" + t.id).expect(200);
            t.endNanos = System.nanoTime();
            ended.incrementAndGet();
        }

        private void revoke(Tracked t) {
            admin.post("/api/v1/admin/sessions/" + t.id + "/revoke", Map.of("reason", "chaos test")).expect(200);
            t.endNanos = System.nanoTime();
            revoked.incrementAndGet();
        }
    }

    /**
     * Starts the agent jar; the first JVM records the classes it loads into an archive at its clean exit, the
     * others map it (JDK class-data sharing), which saves most of their class loading on a busy machine.
     */
    private Process start(Path config) throws IOException {
        Path archive = agentLog.resolveSibling("agent.jsa");
        List<String> command = new ArrayList<>(List.of(EnforcementIT.JAVA));
        command.add(Files.exists(archive) ? "-XX:SharedArchiveFile=" + archive : "-XX:ArchiveClassesAtExit=" + archive);
        command.addAll(List.of("-jar", EnforcementIT.AGENT_JAR.toString(), "--config", config.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(agentLog.toFile())).start();
    }

    /** Both chains and the first rule of both OUTPUT chains. */
    private Chains chains() {
        return new Chains(list(Family.V4, RestoreScript.CHAIN), list(Family.V6, RestoreScript.CHAIN),
                first(list(Family.V4, "OUTPUT")), first(list(Family.V6, "OUTPUT")));
    }

    /** Both chains only (the sampler: half the processes). */
    private Chains chainsOnly() {
        return new Chains(list(Family.V4, RestoreScript.CHAIN), list(Family.V6, RestoreScript.CHAIN), null, null);
    }

    /** The {@code -A} lines of a chain in the workstation namespace, or null when it cannot be listed. */
    private List<String> list(Family family, String chain) {
        CommandRunner.Result r = Sh.tryRun("ip", "netns", "exec", net.ws, family.tables(), "-S", chain);
        return r.ok() ? r.stdout().lines().filter(l -> l.startsWith("-A ")).toList() : null;
    }

    private static String first(List<String> rules) {
        return rules == null || rules.isEmpty() ? null : rules.get(0);
    }

    private static List<String> jumpProblems(Chains c) {
        List<String> problems = new ArrayList<>();
        if (!RestoreScript.JUMP.equals(c.firstOutput4())) {
            problems.add("iptables OUTPUT starts with " + c.firstOutput4() + ", not the jump to " + RestoreScript.CHAIN);
        }
        if (!RestoreScript.JUMP.equals(c.firstOutput6())) {
            problems.add("ip6tables OUTPUT starts with " + c.firstOutput6() + ", not the jump to " + RestoreScript.CHAIN);
        }
        return problems;
    }

    /** Parses both chains: every rule must be an ACCEPT of the agent's form or a REJECT, and no ACCEPT after a REJECT. */
    static Parsed parse(Chains c) {
        Set<Key> accepts = new HashSet<>();
        Set<String> rejects = new HashSet<>();
        List<String> problems = new ArrayList<>();
        for (var family : List.of(Map.entry("iptables", c.v4() == null ? List.<String>of() : c.v4()),
                Map.entry("ip6tables", c.v6() == null ? List.<String>of() : c.v6()))) {
            boolean rejected = false;
            for (String line : family.getValue()) {
                Matcher a = ACCEPT.matcher(line);
                Matcher r = REJECT.matcher(line);
                if (a.matches()) {
                    accepts.add(new Key(a.group(4), Integer.parseInt(a.group(3)), canonical(a.group(1)), Integer.parseInt(a.group(2))));
                    if (rejected) {
                        problems.add(family.getKey() + ": ACCEPT after a REJECT: " + line);
                    }
                } else if (r.matches()) {
                    rejected = true;
                    rejects.add(canonical(r.group(1)) + " " + r.group(2));
                } else {
                    problems.add(family.getKey() + ": a rule the agent does not write: " + line);
                }
            }
        }
        if (c.v4() == null || c.v6() == null) {
            problems.add("the " + RestoreScript.CHAIN + " chain could not be listed (" + (c.v4() == null ? "iptables" : "ip6tables") + ")");
        }
        return new Parsed(accepts, rejects, problems);
    }

    static String canonical(String address) {
        try {
            return InetAddress.getByName(address).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }

    private long logSize() throws IOException {
        return Files.exists(agentLog) ? Files.size(agentLog) : 0;
    }

    private String readFrom(long offset) throws IOException {
        if (!Files.exists(agentLog)) {
            return "";
        }
        try (RandomAccessFile file = new RandomAccessFile(agentLog.toFile(), "r")) {
            long length = file.length();
            if (length <= offset) {
                return "";
            }
            byte[] bytes = new byte[(int) (length - offset)];
            file.seek(offset);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(agentLog);
            return "agent log (last lines):\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no agent log)";
        }
    }
}
