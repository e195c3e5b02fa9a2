package io.spicegate.enrollment;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Agents' calls are noted in memory and written to {@code last_seen_at} in one statement per kind, never per poll;
 * the column only moves forward; what is pending at shutdown is written then.
 */
@QuarkusTest
class LastSeenTest {

    @Inject Fixtures fixtures;
    @Inject TestClock clock;
    @Inject LastSeen lastSeen;
    @Inject io.spicegate.shared.Touches touches;

    String admin;

    @BeforeEach
    void setUp() {
        clock.berlin("2026-11-24T10:00");
        admin = fixtures.user("seenroot", false, true);
        lastSeen.flush(); // whatever earlier tests left pending
    }

    @Test
    void pollsAreWrittenInOneStatementWithTheirTimes() throws Exception {
        List<Fixtures.Enrolled> agents = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            agents.add(enrolled());
        }
        Instant old = clock.instant().minusSeconds(3600);
        for (Fixtures.Enrolled a : agents) {
            Db.update("update workstation set last_seen_at = ? where id = ?", Timestamp.from(old), Long.parseLong(a.id()));
        }
        Instant polled = clock.instant().plusSeconds(5);
        clock.set(polled);
        for (Fixtures.Enrolled a : agents) {
            poll(a);
            poll(a);
        }
        for (Fixtures.Enrolled a : agents) {
            assertEquals(old, seenAt(a), "written per poll, not in a batch");
        }
        assertEquals(3, lastSeen.pending());

        assertEquals(1, lastSeen.flush(), "one statement for the three workstations");
        for (Fixtures.Enrolled a : agents) {
            assertEquals(polled, seenAt(a));
        }
        assertEquals(0, lastSeen.pending());
        assertEquals(0, lastSeen.flush(), "nothing pending: no statement");
    }

    @Test
    void lastSeenOnlyMovesForward() throws Exception {
        Fixtures.Enrolled a = enrolled();
        Instant newer = clock.instant().plusSeconds(600);
        poll(a); // noted at the clock's time, older than what another replica wrote meanwhile
        Db.update("update workstation set last_seen_at = ? where id = ?", Timestamp.from(newer), Long.parseLong(a.id()));
        lastSeen.flush();
        assertEquals(newer, seenAt(a));
    }

    @Test
    void whatIsPendingIsWrittenAtShutdown() throws Exception {
        Fixtures.Enrolled a = enrolled();
        Db.update("update workstation set last_seen_at = null where id = ?", Long.parseLong(a.id()));
        poll(a);
        touches.onStop(new ShutdownEvent());
        assertEquals(clock.instant(), seenAt(a));
    }

    private Fixtures.Enrolled enrolled() {
        String address = "10.96." + (1 + (int) (Math.random() * 250)) + "." + (1 + (int) (Math.random() * 250));
        return Fixtures.enrolledWorkstation(admin, Map.of("name", Fixtures.unique("seen"), "addresses", List.of(address)), "h");
    }

    private static void poll(Fixtures.Enrolled a) {
        given().header("Authorization", "Bearer " + a.secret()).get("/api/agent/v1/grants").then().statusCode(200);
    }

    private static Instant seenAt(Fixtures.Enrolled a) {
        String epochMicros = Db.strings("select (extract(epoch from last_seen_at) * 1000000)::bigint from workstation where id = ?",
                Long.parseLong(a.id())).get(0);
        long micros = Long.parseLong(epochMicros);
        return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000);
    }
}
