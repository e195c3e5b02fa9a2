package io.spicegate.agentapi;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Enrollment, the grants long-poll, acks, and the firewall state of a session as the user sees it. */
@QuarkusTest
class AgentApiTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    String admin;

    @BeforeEach
    void setUp() {
        admin = fixtures.mondayMorningAdmin("root");
    }

    /** A workstation at a test address, enrolled: [id, secret, address]. */
    String[] enrolledWorkstation() {
        String address = "10.98." + (Fixtures.unique("").hashCode() & 0x7f) + "." + (1 + (int) (Math.random() * 250));
        Fixtures.Enrolled ws = Fixtures.enrolledWorkstation(admin,
                Map.of("name", Fixtures.unique("ws"), "addresses", List.of(address)), "test-host");
        return new String[] {ws.id(), ws.secret(), address};
    }

    static JsonPath poll(String secret, Long after) {
        var spec = given().header("Authorization", "Bearer " + secret);
        if (after != null) {
            spec = spec.queryParam("after", after);
        }
        return spec.get("/api/agent/v1/grants").then().statusCode(200).extract().jsonPath();
    }

    static ExtractableResponse<Response> openFrom(String address, String user, String console) {
        return given().auth().preemptive().basic(user, Fixtures.PASSWORD).header("X-Forwarded-For", address)
                .contentType("application/json").body(Map.of("console", console)).post("/api/v1/sessions").then().extract();
    }

    static void ack(String secret, long version, List<String> applied, List<Map<String, String>> errors) {
        given().header("Authorization", "Bearer " + secret).contentType("application/json")
                .body(Map.of("version", version, "applied", applied, "errors", errors,
                        "facts", Map.of("agentVersion", "test", "hostname", "h", "strict", false,
                                "remoteViewerPath", "/usr/bin/remote-viewer", "remoteViewerOwner", "root",
                                "remoteViewerGroup", "root", "remoteViewerMode", "0755")))
                .post("/api/agent/v1/ack").then().statusCode(204);
    }

    @Test
    void anEnrollmentTokenWorksOnce() {
        ExtractableResponse<Response> created = given().auth().preemptive().basic(admin, Fixtures.PASSWORD)
                .contentType("application/json").body(Map.of("name", Fixtures.unique("ws"), "addresses", List.of("10.98.200.1")))
                .post("/api/v1/admin/workstations").then().statusCode(201).extract();
        String token = created.path("enrollmentToken");
        given().contentType("application/json").body(Map.of("token", token, "hostname", "a"))
                .post("/api/agent/v1/enroll").then().statusCode(200).body("secret", notNullValue());
        given().contentType("application/json").body(Map.of("token", token, "hostname", "a"))
                .post("/api/agent/v1/enroll").then().statusCode(401).body("error", containsString("ask the administrator"));
        given().contentType("application/json").body(Map.of("token", "made-up", "hostname", "a"))
                .post("/api/agent/v1/enroll").then().statusCode(401);
        // the token is never stored or shown again
        given().auth().preemptive().basic(admin, Fixtures.PASSWORD).get("/api/v1/admin/workstations/" + created.path("id"))
                .then().statusCode(200).body("enrolled", equalTo(true)).body(org.hamcrest.Matchers.not(containsString(token)));
        assertEquals(0, Db.count("select count(*) from audit_event where detail like ?", "%" + token + "%"));
    }

    @Test
    void theLongPollWakesOnAChangeAndCarriesTheGrant() throws Exception {
        String[] ws = enrolledWorkstation();
        String user = fixtures.user("lp");
        String console = fixtures.console("vm");
        fixtures.rule(console).user(user).save();
        JsonPath first = poll(ws[1], null);
        long v = first.getLong("version");
        assertTrue(first.getList("protected.address").contains("127.0.0.1"), "every console's host is protected");
        assertEquals(List.of(), first.getList("grants"));
        assertEquals(90, first.getInt("leaseSeconds"));

        long started = System.nanoTime();
        CompletableFuture<JsonPath> waiting = CompletableFuture.supplyAsync(() -> poll(ws[1], v));
        Thread.sleep(500);
        assertFalse(waiting.isDone(), "nothing changed yet: the poll is held");
        ExtractableResponse<Response> opened = openFrom(ws[2], user, console);
        assertEquals(201, opened.statusCode(), opened.asString());
        assertEquals("pending", opened.path("firewall"));
        JsonPath woke = waiting.get(25, TimeUnit.SECONDS);
        // the poll time is 30 s: an answer before it means the change woke the poll
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 25);
        assertTrue(woke.getLong("version") > v);
        assertEquals(1, woke.getList("grants").size());
        assertEquals(opened.path("id").toString(), woke.getString("grants[0].session"));
        assertEquals(user, woke.getString("grants[0].user"));
        assertEquals("127.0.0.1", woke.getString("grants[0].address"));
        assertEquals(opened.path("endsAt").toString(), woke.getString("grants[0].notAfter"));
        assertEquals(8L * 3600, woke.getLong("grants[0].secondsLeft"));
        assertEquals((Object) null, woke.get("grants[0].launchFile"), "the launch file goes to the browser, not the agent");
        assertEquals("Europe/Berlin", woke.getString("grants[0].zone"), "the zone the desktop warnings name the end in");
    }

    @Test
    void theLaunchFileWaitsForTheAgentsAck() {
        String[] ws = enrolledWorkstation();
        String user = fixtures.user("ack");
        String console = fixtures.console("vm");
        fixtures.rule(console).user(user).save();
        ExtractableResponse<Response> opened = openFrom(ws[2], user, console);
        String vv = opened.path("vvUrl");
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).header("X-Forwarded-For", ws[2]).get(vv).then().statusCode(503)
                .header("Retry-After", "1").body("error", containsString("being opened"));
        JsonPath set = poll(ws[1], null);
        ack(ws[1], set.getLong("version"), List.of(opened.path("id").toString()), List.of());
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).get("/api/v1/sessions/" + opened.path("id"))
                .then().body("firewall", equalTo("ready"));
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).header("X-Forwarded-For", ws[2]).get(vv).then().statusCode(200);
        assertTrue(Db.auditOf(user).stream().anyMatch(r -> r.startsWith("GRANT_APPLIED")));

        // ending it: the version moves on, and the agent's next ack records the removal
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).delete("/api/v1/sessions/" + opened.path("id"))
                .then().statusCode(200);
        JsonPath after = poll(ws[1], set.getLong("version"));
        assertTrue(after.getLong("version") > set.getLong("version"));
        assertEquals(List.of(), after.getList("grants"));
        ack(ws[1], after.getLong("version"), List.of(), List.of());
        assertTrue(Db.auditOf(user).stream().anyMatch(r -> r.startsWith("GRANT_REMOVED")));

        // a late (or replayed) ack of an older version does not move the acknowledged version back
        ack(ws[1], set.getLong("version"), List.of(), List.of());
        assertEquals(after.getLong("version"), Fixtures.as(admin).get("/api/v1/admin/workstations/" + ws[0])
                .then().statusCode(200).extract().jsonPath().getLong("ackedVersion"));
    }

    @Test
    void aMalformedAfterOrWaitIsASentenceNotAMissingPage() {
        String[] ws = enrolledWorkstation();
        for (String query : List.of("after=abc", "after=99999999999999999999", "wait=abc", "wait=0.5", "wait=1e3", "wait=0")) {
            given().header("Authorization", "Bearer " + ws[1]).get("/api/agent/v1/grants?" + query).then()
                    .statusCode(400).body("error", org.hamcrest.Matchers.anyOf(containsString("after is the version"),
                            containsString("wait is how many seconds")));
            given().header("Authorization", "Bearer " + ws[1]).get("/api/agent/v1/tickets?" + query).then()
                    .statusCode(400);
        }
        // a huge wait is a number: held as long as the portal allows (answered at once here: no after)
        given().header("Authorization", "Bearer " + ws[1]).get("/api/agent/v1/grants?wait=2147483648").then().statusCode(200);
    }

    @Test
    void parkedPollsWokenByTheirOwnReEnrollmentAre401NotTheGrants() throws Exception {
        String[] ws = enrolledWorkstation();
        parkedPollsAre401After("/api/agent/v1/grants", ws[1], poll(ws[1], null).getLong("version"),
                () -> given().auth().preemptive().basic(admin, Fixtures.PASSWORD).contentType("application/json").body("{}")
                        .post("/api/v1/admin/workstations/" + ws[0] + "/enrollment").then().statusCode(201));
    }

    @Test
    void parkedPollsOfADeletedWorkstationAre401NotAnError() throws Exception {
        String[] ws = enrolledWorkstation();
        parkedPollsAre401After("/api/agent/v1/grants", ws[1], poll(ws[1], null).getLong("version"),
                () -> given().auth().preemptive().basic(admin, Fixtures.PASSWORD)
                        .delete("/api/v1/admin/workstations/" + ws[0]).then().statusCode(204));
    }

    /**
     * Parks 20 polls of the agent with {@code secret} on {@code path} (it has {@code version}), then runs
     * {@code change}, which takes its credentials away: every parked poll answers 401 (nothing read for the old
     * secret, no error), and so does the next one.
     */
    static void parkedPollsAre401After(String path, String secret, long version, Runnable change) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(20);
        try {
            List<java.util.concurrent.Future<io.restassured.response.ExtractableResponse<Response>>> parked = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                parked.add(pool.submit(() -> given().header("Authorization", "Bearer " + secret)
                        .get(path + "?after=" + version + "&wait=20").then().extract()));
            }
            Thread.sleep(1000); // parked
            change.run();
            for (java.util.concurrent.Future<io.restassured.response.ExtractableResponse<Response>> f : parked) {
                io.restassured.response.ExtractableResponse<Response> answer = f.get(30, TimeUnit.SECONDS);
                assertEquals(401, answer.statusCode(), "a parked poll woken by the change of its own agent reads "
                        + "nothing for the old secret: " + answer.body().asString());
                String error = answer.path("error");
                assertTrue(error != null && error.contains("enroll"), "a sentence the agent's log can show: " + answer.body().asString());
                assertNull(answer.path("version"), "nothing of the agent's work: " + answer.body().asString());
            }
            given().header("Authorization", "Bearer " + secret).get(path).then().statusCode(401);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRenewalAnsweredByTheFastRouteHasTheResourcesHeadersAndHonoursAccept() {
        String[] ws = enrolledWorkstation();
        long version = poll(ws[1], null).getLong("version");
        Response read = given().header("Authorization", "Bearer " + ws[1]).get("/api/agent/v1/grants?after=" + (version - 1))
                .then().statusCode(200).extract().response();
        Response renewal = given().header("Authorization", "Bearer " + ws[1]).get("/api/agent/v1/grants?after=" + version + "&wait=1")
                .then().statusCode(200).extract().response();
        for (String h : List.of("Content-Type", "Content-Security-Policy", "Referrer-Policy", "Cache-Control",
                "X-Content-Type-Options", "X-Frame-Options")) {
            assertEquals(read.header(h), renewal.header(h), h);
        }
        // an agent that takes no JSON is told so by either path
        for (String after : List.of(String.valueOf(version - 1), version + "&wait=1")) {
            given().header("Authorization", "Bearer " + ws[1]).accept("application/xml")
                    .get("/api/agent/v1/grants?after=" + after).then().statusCode(406);
        }
        given().header("Authorization", "Bearer " + ws[1]).accept("text/html;q=0.9, application/json")
                .get("/api/agent/v1/grants?after=" + version + "&wait=1").then().statusCode(200);
    }

    @Test
    void theProtectedListIsLeftOutForAnAgentThatHasIt() {
        String[] ws = enrolledWorkstation();
        fixtures.console("guarded"); // at least one protected destination
        JsonPath whole = given().header("Authorization", "Bearer " + ws[1]).get("/api/agent/v1/grants").then()
                .statusCode(200).extract().jsonPath();
        String tag = whole.getString("protectedTag");
        assertTrue(tag != null && tag.matches("[0-9a-f]{32}"), "the list is named: " + tag);
        assertFalse(whole.getList("protected").isEmpty());
        long version = whole.getLong("version");
        // at once (a version it does not have) and after a wait that runs out (answered from memory): no list
        for (String query : List.of("after=" + (version - 1), "after=" + version + "&wait=1")) {
            JsonPath light = given().header("Authorization", "Bearer " + ws[1])
                    .get("/api/agent/v1/grants?" + query + "&have=" + tag).then().statusCode(200).extract().jsonPath();
            assertNull(light.get("protected"), query + ": the agent has the list");
            assertEquals(tag, light.getString("protectedTag"));
            assertEquals(version, light.getLong("version"));
        }
        // another tag, or none: the whole list
        for (String have : List.of("&have=0123", "")) {
            JsonPath again = given().header("Authorization", "Bearer " + ws[1])
                    .get("/api/agent/v1/grants?after=" + version + "&wait=1" + have).then().statusCode(200).extract().jsonPath();
            assertEquals(whole.getList("protected"), again.getList("protected"), "have '" + have + "'");
        }
        // a console added (read again a minute later, as for DNS' sake): a new list under a new tag, sent whole to an
        // agent with the old tag
        fixtures.console("guarded-too");
        clock.advance(Duration.ofSeconds(61));
        JsonPath changed = given().header("Authorization", "Bearer " + ws[1])
                .get("/api/agent/v1/grants?have=" + tag).then().statusCode(200).extract().jsonPath();
        assertNotEquals(tag, changed.getString("protectedTag"));
        assertNotEquals(whole.getList("protected"), changed.getList("protected"));
    }

    @Test
    void withoutAnAckTheUserGetsAClearErrorAfterAFewSeconds() {
        String[] ws = enrolledWorkstation();
        String user = fixtures.user("slow");
        String console = fixtures.console("vm");
        fixtures.rule(console).user(user).save();
        String vv = openFrom(ws[2], user, console).path("vvUrl");
        clock.advance(Duration.ofSeconds(11));
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).header("X-Forwarded-For", ws[2]).get(vv).then().statusCode(503)
                .body("error", containsString("has not opened the firewall"));
        // not used up: once the agent acks, the file is there
        JsonPath set = poll(ws[1], null);
        ack(ws[1], set.getLong("version"), List.of(set.getString("grants[0].session")), List.of());
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).header("X-Forwarded-For", ws[2]).get(vv).then().statusCode(200);
    }

    @Test
    void anAgentErrorReachesTheUser() {
        String[] ws = enrolledWorkstation();
        String user = fixtures.user("nouser");
        String console = fixtures.console("vm");
        fixtures.rule(console).user(user).save();
        ExtractableResponse<Response> opened = openFrom(ws[2], user, console);
        JsonPath set = poll(ws[1], null);
        ack(ws[1], set.getLong("version"), List.of(),
                List.of(Map.of("session", opened.path("id").toString(), "error", "no such local user: " + user)));
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).header("X-Forwarded-For", ws[2])
                .get(opened.path("vvUrl").toString()).then().statusCode(409)
                .body("error", containsString("no such local user"));
        assertTrue(Db.auditOf(user).stream().anyMatch(r -> r.startsWith("GRANT_FAILED")));
    }

    @Test
    void anAgentSeesOnlyItsOwnWorkstation() {
        String[] mine = enrolledWorkstation();
        String[] other = enrolledWorkstation();
        String user = fixtures.user("own");
        String console = fixtures.console("vm");
        fixtures.rule(console).user(user).save();
        openFrom(mine[2], user, console);
        assertEquals(1, poll(mine[1], null).getList("grants").size());
        assertEquals(0, poll(other[1], null).getList("grants").size());
        given().header("Authorization", "Bearer sga_not-a-secret").get("/api/agent/v1/grants").then().statusCode(401);
        given().get("/api/agent/v1/grants").then().statusCode(401).body("error", containsString("Bearer"));
        // a user's password is no agent credential
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).get("/api/agent/v1/grants").then().statusCode(401);
    }

    @Test
    void disablingOrRemovingAWorkstationLocksItsAgentOut() {
        String[] ws = enrolledWorkstation();
        poll(ws[1], null);
        given().auth().preemptive().basic(admin, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("active", false)).put("/api/v1/admin/workstations/" + ws[0]).then().statusCode(200);
        given().header("Authorization", "Bearer " + ws[1]).get("/api/agent/v1/grants").then().statusCode(401);
        given().auth().preemptive().basic(admin, Fixtures.PASSWORD).delete("/api/v1/admin/workstations/" + ws[0])
                .then().statusCode(204);
        given().header("Authorization", "Bearer " + ws[1]).get("/api/agent/v1/grants").then().statusCode(401);
    }

    @Test
    void anAdminRevokesALiveSession() {
        String[] ws = enrolledWorkstation();
        String user = fixtures.user("rev");
        String console = fixtures.console("vm");
        fixtures.rule(console).user(user).save();
        String id = openFrom(ws[2], user, console).path("id");
        long v = poll(ws[1], null).getLong("version");
        given().auth().preemptive().basic(admin, Fixtures.PASSWORD).get("/api/v1/admin/sessions?state=ACTIVE")
                .then().statusCode(200).body("id", hasItem(id));
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("reason", "x")).post("/api/v1/admin/sessions/" + id + "/revoke").then().statusCode(403);
        given().auth().preemptive().basic(admin, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("reason", "end of contract")).post("/api/v1/admin/sessions/" + id + "/revoke")
                .then().statusCode(200).body("state", equalTo("REVOKED")).body("endedBy", equalTo(admin));
        JsonPath after = poll(ws[1], v);
        assertNotEquals(v, after.getLong("version"));
        assertEquals(List.of(), after.getList("grants"));
        given().auth().preemptive().basic(admin, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("reason", "again")).post("/api/v1/admin/sessions/" + id + "/revoke").then().statusCode(409);
        assertTrue(Db.auditOf(user).stream().anyMatch(r -> r.startsWith("SESSION_REVOKED") && r.endsWith("end of contract")));
    }

    @Test
    void workstationInputIsValidated() {
        var as = given().auth().preemptive().basic(admin, Fixtures.PASSWORD).contentType("application/json");
        as.body(Map.of("name", "Bad Name!", "addresses", List.of("10.0.0.1"))).post("/api/v1/admin/workstations")
                .then().statusCode(400).body("error", containsString("not a valid workstation name"));
        given().auth().preemptive().basic(admin, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("name", "okname", "addresses", List.of("10.0.0.300"))).post("/api/v1/admin/workstations")
                .then().statusCode(400).body("error", containsString("is not an IP address"));
        given().auth().preemptive().basic(admin, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("name", "okname", "addresses", List.of())).post("/api/v1/admin/workstations")
                .then().statusCode(400).body("error", containsString("at least one address"));
        assertEquals(0, Db.count("select count(*) from workstation where name = 'okname'"));
        String user = fixtures.user("plain");
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).get("/api/v1/admin/workstations").then().statusCode(403);
    }
}
