package io.spicegate.agent;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Clock skew, end to end: the portal's clock runs 10 minutes ahead of the workstation's (and, in the second case,
 * 10 minutes behind it) while a real agent (in this JVM, on the machine's monotonic clock) enforces a console
 * session of about 30 seconds as a kernel rule in a network namespace. The rule stays until shortly before the real
 * end of the session and is gone within seconds after it, the user's connection works before and is refused after,
 * and the portal says the session expired at the same moment by its own clock (its view at once, its sweep within
 * seconds). Were the agent to compare the portal's {@code notAfter} with its own clock, the rule would last ten
 * minutes too long, or never stand. As root (namespaces, iptables, a real Unix user).
 */
@QuarkusTest
class ClockSkewTest {

    static final Duration MARGIN = Duration.ofSeconds(5);
    static final Duration WINDOW = Duration.ofSeconds(30);

    @Inject
    TestClock clock;

    @Inject
    Fixtures fixtures;

    @TestHTTPResource("/")
    URL url;

    private static TestUsers users;
    private static TestNet net;
    private static TestUsers.User unix;
    private static Path state;
    private static Agent agent;
    private static String admin;
    private static String user;
    private static String host;

    @AfterEach
    void fixedClockAgain() {
        clock.set(Instant.parse("2026-11-23T09:00:00Z")); // the other tests' clock: fixed, Monday 10:00 in Berlin
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (agent != null) {
            agent.stop();
        }
        if (net != null) {
            net.close();
        }
        if (users != null) {
            users.close();
        }
        EnforcementIT.deleteTree(state);
    }

    @ParameterizedTest(name = "portal clock {0} minutes off the workstation's")
    @ValueSource(ints = {10, -10})
    void aShortGrantEndsOnTimeWhateverThePortalsClockSays(int minutes) throws Exception {
        Duration offset = Duration.ofMinutes(minutes);
        clock.follow(offset);
        startOnce();
        int port = minutes > 0 ? 20002 : 20004;

        // a console this user may use until 30 s from the portal's now (the rule's validity ends then)
        String console = Fixtures.unique("skew");
        given().auth().preemptive().basic(admin, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("name", console, "host", host, "tlsPort", port)).post("/api/v1/admin/consoles")
                .then().statusCode(201);
        Instant until = clock.instant().plus(WINDOW).truncatedTo(ChronoUnit.SECONDS);
        given().auth().preemptive().basic(admin, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("console", console, "user", user, "zone", "Europe/Berlin", "maxMinutes", 1, "validUntil", until.toString(),
                        "windows", List.of(Map.of("days", List.of("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY",
                                "SATURDAY", "SUNDAY"), "from", "00:00", "to", "00:00"))))
                .post("/api/v1/admin/rules").then().statusCode(201);

        ExtractableResponse<Response> opened = given().auth().preemptive().basic(user, Fixtures.PASSWORD)
                .header("X-Forwarded-For", net.wsAddress).contentType("application/json").body(Map.of("console", console))
                .post("/api/v1/sessions").then().extract();
        assertEquals(201, opened.statusCode(), opened.asString());
        Instant wallNow = Instant.now();
        long nanoNow = System.nanoTime();
        String id = opened.path("id");
        Instant startsAt = Instant.parse(opened.path("startsAt"));
        Instant endsAt = Instant.parse(opened.path("endsAt"));
        assertTrue(Duration.between(wallNow.plus(offset), startsAt).abs().compareTo(MARGIN) < 0,
                "the session starts on the portal's clock (" + startsAt + "), " + minutes + " min off this machine's (" + wallNow + ")");
        assertEquals(until, endsAt, "the session ends with the rule's validity");
        // the real instant of the end: when the portal's clock reaches endsAt
        long expiry = nanoNow + Duration.between(wallNow, endsAt.minus(offset)).toNanos();
        System.out.printf("portal clock %+d min: session %s %s..%s by the portal's clock; ends %d ms from now in real time%n",
                minutes, id, startsAt, endsAt, TimeUnit.NANOSECONDS.toMillis(expiry - nanoNow));

        await(() -> hasAccept(port), "the kernel rule", 10);
        await(() -> "ready".equals(session(id).path("firewall")), "the agent's ack", 10);
        assertEquals("OK", net.connect(unix, net.kvmAddress, port), "the granted user connects");

        // until shortly before the real end: the rule stands and the portal says ACTIVE
        long lastPortalCheck = 0;
        while (System.nanoTime() - (expiry - MARGIN.toNanos()) < 0) {
            assertTrue(hasAccept(port), "the rule went " + millisTo(expiry) + " ms before the real end of the session");
            if (System.nanoTime() - lastPortalCheck > TimeUnit.SECONDS.toNanos(5)) {
                lastPortalCheck = System.nanoTime();
                assertEquals("ACTIVE", session(id).path("state"), millisTo(expiry) + " ms before the real end");
            }
            Thread.sleep(200);
        }
        // and within seconds after it: gone by the agent's own timer
        while (hasAccept(port)) {
            if (System.nanoTime() - (expiry + MARGIN.toNanos()) > 0) {
                fail("the rule still stands " + -millisTo(expiry) + " ms after the real end of the session");
            }
            Thread.sleep(100);
        }
        long gone = -millisTo(expiry);
        System.out.printf("portal clock %+d min: the kernel rule went %d ms %s the real end%n", minutes, Math.abs(gone),
                gone < 0 ? "before" : "after");
        assertEquals("REFUSED", net.connect(unix, net.kvmAddress, port), "refused after the end");

        // the portal agrees at the same moment, by its own clock: its view at the end, its sweep (every 5 s) soon after
        long wait = expiry - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(wait) + 1);
        }
        assertEquals("EXPIRED", session(id).path("state"), "the portal's view at the real end");
        await(() -> Db.count("select count(*) from console_session where id = ? and state = 'EXPIRED'", UUID.fromString(id)) == 1,
                "the portal's sweep marking the session EXPIRED", 10);
        System.out.printf("portal clock %+d min: the portal's sweep marked it EXPIRED by %d ms after the real end%n", minutes,
                -millisTo(expiry));
    }

    /** The shared part, once, with the portal's clock already off: a namespace pair, a Unix user, a portal user, the agent. */
    private void startOnce() throws Exception {
        if (agent != null) {
            return;
        }
        users = new TestUsers();
        net = TestNet.create("sgac");
        net.echoServer(net.kvm, net.kvmAddress, 20002, 20004);
        unix = users.create("sgac_s_" + net.suffix);
        admin = fixtures.user("root", false, true);
        user = Fixtures.unique("skewuser");
        given().auth().preemptive().basic(admin, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("username", user, "password", Fixtures.PASSWORD, "unixUsername", unix.name(), "roles", List.of("user")))
                .post("/api/v1/admin/users").then().statusCode(201);
        host = Fixtures.unique("skewhost");
        given().auth().preemptive().basic(admin, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("name", host, "address", net.kvmAddress)).post("/api/v1/admin/hosts").then().statusCode(201);
        ExtractableResponse<Response> ws = given().auth().preemptive().basic(admin, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("name", Fixtures.unique("skewws"), "addresses", List.of(net.wsAddress)))
                .post("/api/v1/admin/workstations").then().statusCode(201).extract();
        String token = ws.path("enrollmentToken");
        String wsPath = "/api/v1/admin/workstations/" + ws.path("id");

        state = Files.createTempDirectory("sgac-skew-");
        Properties p = new Properties();
        p.setProperty("portal.url", url.toString().replaceAll("/$", ""));
        p.setProperty("enrollment.token", token);
        p.setProperty("state.dir", state.toString());
        p.setProperty("netns", net.ws);
        p.setProperty("retry.seconds", "1");
        p.setProperty("hostname", "skew");
        agent = new Agent(AgentConfig.parse(p, "ClockSkewTest"));
        agent.start();
        await(() -> given().auth().preemptive().basic(admin, Fixtures.PASSWORD).get(wsPath).then().statusCode(200)
                .extract().path("ackedVersion") != null, "the agent's first ack", 30);
    }

    private ExtractableResponse<Response> session(String id) {
        return given().auth().preemptive().basic(user, Fixtures.PASSWORD).get("/api/v1/sessions/" + id)
                .then().statusCode(200).extract();
    }

    private static boolean hasAccept(int port) {
        return Sh.chain(net.ws, Family.V4).stream().anyMatch(r -> r.contains("--dport " + port)
                && r.contains("--uid-owner " + unix.uid()) && r.endsWith("-j ACCEPT"));
    }

    /** Milliseconds from now to the monotonic instant {@code nanos} (negative once it has passed). */
    private static long millisTo(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos - System.nanoTime());
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(Check check, String what, int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() - end < 0) {
            if (check.ok()) {
                return;
            }
            Thread.sleep(100);
        }
        fail("not within " + seconds + " s: " + what);
    }
}
