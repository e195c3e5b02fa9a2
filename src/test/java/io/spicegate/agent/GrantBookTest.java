package io.spicegate.agent;

import io.spicegate.protocol.Grant;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.spicegate.agent.Grants.destination;
import static io.spicegate.agent.Grants.grant;
import static io.spicegate.agent.Grants.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Expiry on the agent's own monotonic clock, stale sets, and the lease (DESIGN.md rule 4), with a fake ticker. */
class GrantBookTest {

    private static final List<io.spicegate.protocol.Destination> PROTECTED = List.of(destination("10.99.1.2", 20004));
    private final FakeTicker ticker = new FakeTicker();
    private final GrantBook book = new GrantBook();

    private List<String> sessions() {
        return book.grants().stream().map(Grant::session).toList();
    }

    @Test
    void eachGrantEndsAtReceiptPlusSecondsLeft() {
        book.receive(set(1, 90, PROTECTED, grant("a", "maggie", "10.99.1.2", 10, 20004),
                grant("b", "anne", "10.99.1.2", 20, 20004)), ticker.nanos());
        ticker.advance(Duration.ofSeconds(10).minusNanos(1));
        assertEquals(List.of(), book.expire(ticker.nanos()));
        assertEquals(List.of("a", "b"), sessions());
        ticker.advance(Duration.ofNanos(1));
        List<String> changes = book.expire(ticker.nanos());
        assertEquals(1, changes.size());
        assertTrue(changes.get(0).startsWith("grant expired: Grant[a maggie"), changes.get(0));
        assertEquals(List.of("b"), sessions());
        ticker.advance(Duration.ofSeconds(10));
        book.expire(ticker.nanos());
        assertEquals(List.of(), sessions());
    }

    @Test
    void theWallClockNotAfterPlaysNoPart() {
        // notAfter lies in the past of any real clock reading of this test's fixture, secondsLeft says 60: 60 wins
        book.receive(set(1, 90, PROTECTED, grant("a", "maggie", "10.99.1.2", 60, 20004)), ticker.nanos());
        ticker.advance(Duration.ofSeconds(59));
        book.expire(ticker.nanos());
        assertEquals(List.of("a"), sessions());
    }

    @Test
    void aStaleSetCannotBringBackAnExpiredGrant() {
        var stale = set(4, 90, PROTECTED, grant("a", "maggie", "10.99.1.2", 10, 20004));
        book.receive(stale, ticker.nanos());
        ticker.advance(Duration.ofSeconds(10));
        book.expire(ticker.nanos());
        assertEquals(List.of(), sessions());
        book.receive(stale, ticker.nanos()); // the portal still answers the old set
        assertEquals(List.of(), sessions());
        // not even a newer version that still lists it (the portal's own expiry may lag behind)
        book.receive(set(5, 90, PROTECTED, grant("a", "maggie", "10.99.1.2", 3, 20004)), ticker.nanos());
        assertEquals(List.of(), sessions());
    }

    @Test
    void theSameVersionAgainCannotStretchADeadline() {
        var stale = set(4, 90, PROTECTED, grant("a", "maggie", "10.99.1.2", 10, 20004));
        book.receive(stale, ticker.nanos());
        ticker.advance(Duration.ofSeconds(6));
        book.receive(stale, ticker.nanos()); // would be 6 + 10 if taken at face value
        ticker.advance(Duration.ofSeconds(4));
        book.expire(ticker.nanos());
        assertEquals(List.of(), sessions());
    }

    @Test
    void aNewerVersionSetsTheDeadlineAnew() {
        book.receive(set(4, 90, PROTECTED, grant("a", "maggie", "10.99.1.2", 10, 20004)), ticker.nanos());
        ticker.advance(Duration.ofSeconds(6));
        book.receive(set(5, 90, PROTECTED, grant("a", "maggie", "10.99.1.2", 30, 20004)), ticker.nanos());
        ticker.advance(Duration.ofSeconds(29));
        book.expire(ticker.nanos());
        assertEquals(List.of("a"), sessions());
        ticker.advance(Duration.ofSeconds(1));
        book.expire(ticker.nanos());
        assertEquals(List.of(), sessions());
    }

    @Test
    void aSessionMissingFromTheSetIsGone() {
        book.receive(set(1, 90, PROTECTED, grant("a", "maggie", "10.99.1.2", 60, 20004),
                grant("b", "anne", "10.99.1.2", 60, 20004)), ticker.nanos());
        book.receive(set(2, 90, PROTECTED, grant("b", "anne", "10.99.1.2", 60, 20004)), ticker.nanos());
        assertEquals(List.of("b"), sessions());
    }

    @Test
    void zeroSecondsLeftIsNotAGrant() {
        book.receive(set(1, 90, PROTECTED, grant("a", "maggie", "10.99.1.2", 0, 20004)), ticker.nanos());
        assertEquals(List.of(), sessions());
    }

    @Test
    void everyGrantGoesWhenNoPollSucceedsWithinTheLease() {
        book.receive(set(1, 15, PROTECTED, grant("a", "maggie", "10.99.1.2", 3600, 20004)), ticker.nanos());
        ticker.advance(Duration.ofSeconds(14));
        assertEquals(List.of(), book.expire(ticker.nanos()));
        ticker.advance(Duration.ofSeconds(1));
        assertEquals(List.of("no successful poll within the lease: dropped 1 grant(s)"), book.expire(ticker.nanos()));
        assertEquals(List.of(), sessions());
        assertEquals(-1, book.version());
        // once the portal answers again, the grant (not expired, only unconfirmed) comes back
        book.receive(set(1, 15, PROTECTED, grant("a", "maggie", "10.99.1.2", 3500, 20004)), ticker.nanos());
        assertEquals(List.of("a"), sessions());
    }

    @Test
    void eachSuccessfulPollRenewsTheLease() {
        var current = set(1, 15, PROTECTED, grant("a", "maggie", "10.99.1.2", 3600, 20004));
        for (int i = 0; i < 10; i++) {
            book.receive(current, ticker.nanos());
            ticker.advance(Duration.ofSeconds(10));
            book.expire(ticker.nanos());
        }
        assertEquals(List.of("a"), sessions());
    }
}
