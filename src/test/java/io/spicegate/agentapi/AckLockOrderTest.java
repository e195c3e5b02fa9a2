package io.spicegate.agentapi;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.spicegate.enrollment.AgentKey;
import io.spicegate.protocol.Ack;
import io.spicegate.sessions.AgentVersions;
import io.spicegate.sessions.GrantService;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An agent's ack and a change of a session it acks (End session, a revocation, the expiry sweep: the session row,
 * then the workstation's grant version) lock the rows in the same order, so the ack waits instead of deadlocking.
 * AgentChaosIT met the deadlock: the ack of two new sessions wrote the first and the workstation's row, then waited
 * for the second, which the user was ending; the user's End session answered 500.
 */
@QuarkusTest
class AckLockOrderTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @Inject
    GrantService grants;

    @Inject
    AgentVersions versions;

    @Test
    void anAckBesideEndSessionWaitsInsteadOfDeadlocking() throws Exception {
        clock.berlin("2026-11-23T10:00");
        String admin = fixtures.user("root", false, true);
        String address = "10.97." + (1 + (int) (Math.random() * 250)) + "." + (1 + (int) (Math.random() * 250));
        ExtractableResponse<Response> ws = given().auth().preemptive().basic(admin, Fixtures.PASSWORD)
                .contentType("application/json").body(Map.of("name", Fixtures.unique("lockws"), "addresses", List.of(address)))
                .post("/api/v1/admin/workstations").then().statusCode(201).extract();
        given().contentType("application/json").body(Map.of("token", ws.path("enrollmentToken"), "hostname", "h"))
                .post("/api/agent/v1/enroll").then().statusCode(200);
        long wsId = ((Number) ws.path("id")).longValue();
        String user = fixtures.user("lock");
        List<UUID> sessions = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String console = fixtures.console("lockvm");
            fixtures.rule(console).user(user).save();
            sessions.add(UUID.fromString(given().auth().preemptive().basic(user, Fixtures.PASSWORD).header("X-Forwarded-For", address)
                    .contentType("application/json").body(Map.of("console", console)).post("/api/v1/sessions")
                    .then().statusCode(201).extract().path("id")));
        }
        // the session the ack reaches last (it walks a hash set of the ids) is the one being ended
        UUID session = new ArrayList<>(new HashSet<>(sessions)).get(1);
        long version = versions.version(AgentKey.workstation(wsId));

        CompletableFuture<Void> acked;
        try (Connection change = Db.connection()) {
            change.setAutoCommit(false);
            // a session change in flight holds the session row ...
            try (PreparedStatement ps = change.prepareStatement("update console_session set end_reason = end_reason where id = ?")) {
                ps.setObject(1, session);
                assertEquals(1, ps.executeUpdate());
            }
            // ... while the agent acks that very session
            List<String> applied = sessions.stream().map(UUID::toString).toList();
            acked = CompletableFuture.runAsync(() -> grants.ack(wsId, new Ack(version, applied, List.of(), null)));
            awaitALockWait(acked);
            // ... and then bumps the workstation's version, as every session change does: this must not deadlock
            try (PreparedStatement ps = change.prepareStatement("update workstation set grant_version = grant_version + 1 where id = ?")) {
                ps.setLong(1, wsId);
                assertEquals(1, ps.executeUpdate());
            }
            change.commit();
        }
        acked.get(30, TimeUnit.SECONDS);
        for (UUID s : sessions) {
            assertEquals(1, Db.count("select count(*) from console_session where id = ? and grant_applied_at is not null", s));
        }
        assertEquals(version, Db.count("select acked_version from workstation where id = ?", wsId));
    }

    /** Waits until the ack's transaction waits for a row lock (or has failed). */
    private static void awaitALockWait(CompletableFuture<Void> acked) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - end < 0) {
            if (acked.isDone() || Db.count("select count(*) from pg_stat_activity where wait_event_type = 'Lock'") > 0) {
                return;
            }
            Thread.sleep(20);
        }
        fail("the ack never waited for the session row");
    }
}
