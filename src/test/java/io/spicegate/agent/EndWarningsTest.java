package io.spicegate.agent;

import io.spicegate.protocol.Grant;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The warning schedule on the agent's monotonic clock: 15, 5 and 1 minute before the end, once each; a grant first
 * seen late gets only what still lies ahead; Extend (a later notAfter) re-arms; an ended grant cancels its warnings.
 */
class EndWarningsTest {

    private static final String S1 = "3f1c0000-0000-4000-8000-000000000001";
    private static final Instant END = Instant.parse("2026-12-02T17:00:00Z");

    private final FakeTicker ticker = new FakeTicker();
    private final EndWarnings warnings = new EndWarnings(List.of(15, 5, 1));

    private static Grant grant(Instant notAfter, long secondsLeft) {
        return new Grant(S1, "ralph", "vm3", "10.99.0.2", List.of(20006), notAfter, secondsLeft, null, "Europe/Berlin");
    }

    private GrantBook.Entry entry(Instant notAfter, Duration left) {
        return new GrantBook.Entry(grant(notAfter, left.toSeconds()), ticker.nanos() + left.toNanos());
    }

    /** Moves the ticker second by second for {@code duration}, collecting the minutes of every warning shown. */
    private List<Long> run(GrantBook.Entry entry, Duration duration) {
        List<Long> shown = new ArrayList<>();
        for (long s = 0; s < duration.toSeconds(); s++) {
            ticker.advance(Duration.ofSeconds(1));
            warnings.update(List.of(entry), ticker.nanos()).due().forEach(d -> shown.add(d.minutesLeft()));
        }
        return shown;
    }

    @Test
    void warnsAtFifteenFiveAndOneMinuteOnceEach() {
        GrantBook.Entry entry = entry(END, Duration.ofMinutes(60));
        assertEquals(List.of(), warnings.update(List.of(entry), ticker.nanos()).due(), "an hour left: nothing yet");
        assertEquals(List.of(15L, 5L, 1L), run(entry, Duration.ofMinutes(61)), "each threshold once, in order");
    }

    @Test
    void theWarningComesExactlyAtItsMinuteNotBefore() {
        GrantBook.Entry entry = entry(END, Duration.ofMinutes(20));
        warnings.update(List.of(entry), ticker.nanos());
        ticker.advance(Duration.ofMinutes(5).minusNanos(1));
        assertEquals(List.of(), warnings.update(List.of(entry), ticker.nanos()).due(), "15 min and a nanosecond left");
        ticker.advance(Duration.ofNanos(1));
        List<EndWarnings.Due> due = warnings.update(List.of(entry), ticker.nanos()).due();
        assertEquals(1, due.size());
        assertEquals(900, due.get(0).secondsLeft());
        assertEquals(15, due.get(0).minutesLeft());
        assertEquals(S1, due.get(0).grant().session());
    }

    @Test
    void firstSeenWithThreeMinutesLeftGetsOnlyTheOneMinuteWarning() {
        GrantBook.Entry entry = entry(END, Duration.ofMinutes(3));
        assertEquals(List.of(), warnings.update(List.of(entry), ticker.nanos()).due(), "no burst of past warnings");
        assertEquals(List.of(1L), run(entry, Duration.ofMinutes(4)));
    }

    @Test
    void aGrantOpenedForFifteenMinutesIsNotToldAtOnceThatItEndsInFifteen() {
        GrantBook.Entry entry = entry(END, Duration.ofMinutes(15));
        assertEquals(List.of(), warnings.update(List.of(entry), ticker.nanos()).due());
        assertEquals(List.of(5L, 1L), run(entry, Duration.ofMinutes(16)));
    }

    @Test
    void extendReArmsTheThresholdsThatNowLieAhead() {
        GrantBook.Entry entry = entry(END, Duration.ofMinutes(16));
        warnings.update(List.of(entry), ticker.nanos());
        assertEquals(List.of(15L, 5L), run(entry, Duration.ofMinutes(11)), "15 and 5 shown, 5 min left");
        // Extend: the same session, a notAfter 20 minutes later, received with 25 minutes left
        GrantBook.Entry extended = entry(END.plus(Duration.ofMinutes(20)), Duration.ofMinutes(25));
        assertEquals(List.of(), warnings.update(List.of(extended), ticker.nanos()).due());
        assertEquals(List.of(15L, 5L, 1L), run(extended, Duration.ofMinutes(26)), "all three lie ahead again");
    }

    @Test
    void extendToLessThanFifteenMinutesReArmsOnlyFiveAndOne() {
        GrantBook.Entry entry = entry(END, Duration.ofMinutes(6));
        warnings.update(List.of(entry), ticker.nanos());
        assertEquals(List.of(5L), run(entry, Duration.ofMinutes(2)));
        GrantBook.Entry extended = entry(END.plus(Duration.ofMinutes(8)), Duration.ofMinutes(12));
        assertEquals(List.of(5L, 1L), run(extended, Duration.ofMinutes(13)), "15 is behind, 5 and 1 ahead");
    }

    @Test
    void aNewGrantVersionWithTheSameEndDoesNotRepeatAWarning() {
        GrantBook.Entry entry = entry(END, Duration.ofMinutes(6));
        warnings.update(List.of(entry), ticker.nanos());
        assertEquals(List.of(5L), run(entry, Duration.ofSeconds(61)));
        // another grant changed: the set comes again, its deadline recomputed from whole seconds, a little later
        GrantBook.Entry again = new GrantBook.Entry(entry.grant(), entry.deadline() + TimeUnit.MILLISECONDS.toNanos(900));
        assertEquals(List.of(1L), run(again, Duration.ofMinutes(5)), "5 is not shown again, 1 still comes");
    }

    @Test
    void anEndedGrantCancelsItsPendingWarnings() {
        GrantBook.Entry entry = entry(END, Duration.ofMinutes(10));
        warnings.update(List.of(entry), ticker.nanos());
        ticker.advance(Duration.ofMinutes(2));
        EndWarnings.Update ended = warnings.update(List.of(), ticker.nanos());
        assertEquals(Set.of(S1), ended.ended(), "the notifier is told, so a waiting Extend… goes too");
        ticker.advance(Duration.ofMinutes(10));
        EndWarnings.Update later = warnings.update(List.of(), ticker.nanos());
        assertEquals(List.of(), later.due());
        assertEquals(Set.of(), later.ended(), "told once");
    }

    @Test
    void aLateTickShowsOnlyTheLatestThresholdWithTheTimeReallyLeft() {
        GrantBook.Entry entry = entry(END, Duration.ofMinutes(20));
        warnings.update(List.of(entry), ticker.nanos());
        ticker.advance(Duration.ofMinutes(16).plusSeconds(30)); // 3.5 minutes left: 15 and 5 both passed unseen
        List<EndWarnings.Due> due = warnings.update(List.of(entry), ticker.nanos()).due();
        assertEquals(1, due.size());
        assertEquals(4, due.get(0).minutesLeft(), "ends in 4 minutes (3 min 30 s, rounded up)");
        assertEquals(List.of(1L), run(entry, Duration.ofMinutes(4)));
    }

    @Test
    void nothingIsShownAtOrAfterTheEnd() {
        GrantBook.Entry entry = entry(END, Duration.ofMinutes(2));
        warnings.update(List.of(entry), ticker.nanos());
        ticker.advance(Duration.ofMinutes(3)); // the timer was stalled past the end, the grant not yet expired
        assertEquals(List.of(), warnings.update(List.of(entry), ticker.nanos()).due());
    }

    @Test
    void thresholdsComeFromTheConfigInAnyOrder() {
        EndWarnings custom = new EndWarnings(List.of(2, 10));
        GrantBook.Entry entry = entry(END, Duration.ofMinutes(30));
        custom.update(List.of(entry), ticker.nanos());
        List<Long> shown = new ArrayList<>();
        for (int s = 0; s < 31 * 60; s++) {
            ticker.advance(Duration.ofSeconds(1));
            custom.update(List.of(entry), ticker.nanos()).due().forEach(d -> shown.add(d.minutesLeft()));
        }
        assertEquals(List.of(10L, 2L), shown);
        assertTrue(custom.update(List.of(), ticker.nanos()).ended().contains(S1));
    }

    @Test
    void notifyFalseMeansNoScheduleAtAll() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("portal.url", "https://portal.example");
        EndWarnings on = EndWarnings.of(AgentConfig.parse(p, "test"));
        GrantBook.Entry entry = entry(END, Duration.ofMinutes(16));
        on.update(List.of(entry), ticker.nanos());
        ticker.advance(Duration.ofMinutes(1));
        assertEquals(1, on.update(List.of(entry), ticker.nanos()).due().size(), "on by default");
        p.setProperty("notify", "false");
        assertEquals(null, EndWarnings.of(AgentConfig.parse(p, "test")), "the agent then keeps no schedule and starts no notifier");
    }
}
