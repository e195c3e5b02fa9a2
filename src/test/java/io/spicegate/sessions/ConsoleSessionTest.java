package io.spicegate.sessions;

import io.spicegate.consoles.Console;
import io.spicegate.users.User;
import io.spicegate.workstations.Workstation;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The session's factory: what a new session holds, a fresh launch file at every (re-)open, and its one password rule. */
class ConsoleSessionTest {

    static final Instant START = Instant.parse("2026-11-23T09:00:00Z");
    static final Instant END = Instant.parse("2026-11-23T10:00:00Z");

    static ConsoleSession charlieOnDebianx() {
        User charlie = new User();
        charlie.username = "charlie";
        charlie.unixUsername = "charlie_x";
        Workstation mylap = new Workstation();
        mylap.name = "mylap";
        Console debianx = LaunchFileTest.console(20002, null);
        debianx.password = "static-pw";
        return ConsoleSession.open(charlie, debianx, mylap, "127.0.0.1", START, END, 12L);
    }

    @Test
    void openCopiesTheNamesAndStartsActive() {
        ConsoleSession s = charlieOnDebianx();
        assertNotNull(s.id);
        assertEquals(SessionState.ACTIVE, s.state);
        assertEquals("charlie", s.username);
        assertEquals("charlie_x", s.unixUsername);
        assertEquals("debianx", s.consoleName);
        assertEquals("mylap", s.workstationName);
        assertEquals("127.0.0.1", s.sourceAddress);
        assertEquals(START, s.startsAt);
        assertEquals(END, s.endsAt);
        assertEquals(12L, s.approvedRequestId);
        assertNotNull(s.vvNonce);
        assertNull(s.vvFetchedAt);
        assertTrue(s.isLiveAt(START));
        assertTrue(!s.isLiveAt(END), "half-open: over at its end");
    }

    @Test
    void reopeningRenewsTheLaunchFile() {
        ConsoleSession s = charlieOnDebianx();
        String first = s.vvNonce;
        s.vvFetchedAt = START;
        s.renewLaunchFile();
        assertNotEquals(first, s.vvNonce);
        assertNull(s.vvFetchedAt);
    }

    @Test
    void theLaunchFileCarriesTheStaticPasswordOnlyWithoutATicket() {
        ConsoleSession s = charlieOnDebianx();
        assertTrue(LaunchFile.of(s, START, "Europe/Berlin").orElseThrow().contains("\npassword=static-pw\n"));
        s.ticketVersion = 3L;
        s.ticketPassword = "one-time";
        String vv = LaunchFile.of(s, START, "Europe/Berlin").orElseThrow();
        assertTrue(vv.contains("\npassword=one-time\n"), "a ticketed session carries its one-time password");
        assertTrue(!vv.contains("static-pw"), "and never the console's static one");
    }
}
