package io.spicegate.sessions;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Extend reaches both agents without a reconnect (issue 16 point 3): the workstation agent's held long-poll returns
 * the grant with the new notAfter and secondsLeft, and the host agent's returns the pending ticket with the new time
 * left, through the agent API as the agents call it.
 */
@QuarkusTest
class ExtendReachesAgentsTest {

    private static final AtomicInteger NET = new AtomicInteger();

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    String admin;
    String user;

    @BeforeEach
    void setUp() {
        admin = fixtures.mondayMorningAdmin("root"); // Monday 10:00 in Berlin
        user = fixtures.user("far");
    }

    static JsonPath poll(String path, String secret, Long after) {
        var spec = given().header("Authorization", "Bearer " + secret);
        if (after != null) {
            spec = spec.queryParam("after", after);
        }
        return spec.get("/api/agent/v1/" + path).then().statusCode(200).extract().jsonPath();
    }

    /** A long-poll held until the next change (or its 30 s). */
    static CompletableFuture<JsonPath> held(String path, String secret, long after) throws InterruptedException {
        CompletableFuture<JsonPath> waiting = CompletableFuture.supplyAsync(() -> poll(path, secret, after));
        Thread.sleep(500);
        assertFalse(waiting.isDone(), "nothing changed yet: the poll is held");
        return waiting;
    }

    String openFrom(String address, String console) {
        ExtractableResponse<Response> opened = given().auth().preemptive().basic(user, Fixtures.PASSWORD)
                .header("X-Forwarded-For", address).contentType("application/json")
                .body(Map.of("console", console, "minutes", 30)).post("/api/v1/sessions").then().extract();
        assertEquals(201, opened.statusCode(), opened.asString());
        assertEquals("2026-11-23T09:30:00Z", opened.path("endsAt"));
        return opened.path("id");
    }

    void extendBy15(String id) {
        Fixtures.as(user).body(Map.of("minutes", 15)).post("/api/v1/sessions/" + id + "/extend").then().statusCode(200);
    }

    @Test
    void theWorkstationAgentsLongPollReturnsTheNewEnd() throws Exception {
        String address = "10.94.1." + (1 + NET.incrementAndGet() % 250);
        String secret = Fixtures.enrolledWorkstation(admin, Map.of("name", Fixtures.unique("ws"),
                "addresses", List.of(address)), "ws-host").secret();
        String console = fixtures.console("vm");
        fixtures.rule(console).user(user).save();
        String id = openFrom(address, console);
        JsonPath before = poll("grants", secret, null);
        assertEquals("2026-11-23T09:30:00Z", before.getString("grants[0].notAfter"));
        assertEquals(30 * 60, before.getLong("grants[0].secondsLeft"));

        CompletableFuture<JsonPath> waiting = held("grants", secret, before.getLong("version"));
        extendBy15(id);
        JsonPath woke = waiting.get(25, TimeUnit.SECONDS);
        assertTrue(woke.getLong("version") > before.getLong("version"), "Extend bumps the workstation's version");
        assertEquals(id, woke.getString("grants[0].session"));
        assertEquals("2026-11-23T09:45:00Z", woke.getString("grants[0].notAfter"));
        assertEquals(45 * 60, woke.getLong("grants[0].secondsLeft"));
    }

    @Test
    void theHostAgentsPendingTicketCarriesTheNewTimeLeft() throws Exception {
        String host = Fixtures.unique("kvm");
        String secret = Fixtures.enrolledHost(admin, Map.of("name", host, "address", "10.94.2." + (1 + NET.incrementAndGet() % 250)),
                "kvm-host").secret();
        String console = Fixtures.unique("vm");
        Fixtures.as(admin).body(Map.of("name", console, "host", host, "tlsPort", 22000 + NET.get(), "hostSubject", "CN=" + host,
                "password", "static-" + console)).post("/api/v1/admin/consoles").then().statusCode(201);
        fixtures.rule(console).user(user).save();
        String address = "10.94.3." + (1 + NET.incrementAndGet() % 250);
        fixtures.workstation("ws", address);
        String id = openFrom(address, console);
        JsonPath before = poll("tickets", secret, null);
        assertEquals(id, before.getString("tickets[0].session"));
        assertEquals(30 * 60, before.getLong("tickets[0].seconds"));

        CompletableFuture<JsonPath> waiting = held("tickets", secret, before.getLong("version"));
        extendBy15(id);
        JsonPath woke = waiting.get(25, TimeUnit.SECONDS);
        assertTrue(woke.getLong("version") > before.getLong("version"), "Extend bumps the host's version");
        assertEquals(id, woke.getString("tickets[0].session"));
        assertEquals(45 * 60, woke.getLong("tickets[0].seconds"));
        assertEquals(before.getString("tickets[0].password"), woke.getString("tickets[0].password"),
                "the same one-time password: Extend does not make the launch file stale");
    }
}
