package io.spicegate.requests;

import io.spicegate.access.Interval;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The time rules of a request with a fixed clock: the approved window and when a pending request expires. */
class RequestPolicyTest {

    /** anne asks on Monday 23 Nov 2026 at 18:30 Berlin (17:30Z) for 19:00 Berlin (18:00Z), 60 minutes. */
    static final Instant ASKED = Instant.parse("2026-11-23T17:30:00Z");
    static final Instant WANTED = Instant.parse("2026-11-23T18:00:00Z");

    @ParameterizedTest(name = "approved at {0}: window [{1}, {2})")
    @CsvSource({
            // approved before the wanted start: the window is the one asked for
            "2026-11-23T17:45:00Z, 2026-11-23T18:00:00Z, 2026-11-23T19:00:00Z",
            // approved exactly at the wanted start
            "2026-11-23T18:00:00Z, 2026-11-23T18:00:00Z, 2026-11-23T19:00:00Z",
            // approved later: the whole 60 minutes count from the approval
            "2026-11-23T18:20:00Z, 2026-11-23T18:20:00Z, 2026-11-23T19:20:00Z",
            // approved long after the wanted window would have ended: still 60 minutes from the approval
            "2026-11-24T07:00:00Z, 2026-11-24T07:00:00Z, 2026-11-24T08:00:00Z",
    })
    void theWindowStartsAtTheWantedStartOrAtALaterApproval(Instant approvedAt, Instant start, Instant end) {
        Clock clock = Clock.fixed(approvedAt, ZoneOffset.UTC);
        Instant now = clock.instant();
        assertEquals(new Interval(start, end), RequestPolicy.approvedWindow(WANTED, 60, now));
    }

    @Test
    void theWindowIsNeverCountedFromWhenItWasAsked() {
        // asked 30 minutes before the wanted start and approved at once: the window still starts at the wanted start
        Interval w = RequestPolicy.approvedWindow(WANTED, 60, ASKED);
        assertEquals(WANTED, w.start());
        assertEquals(Instant.parse("2026-11-23T19:00:00Z"), w.end());
    }

    @Test
    void aRequestLastsAtLeastAMinute() {
        assertThrows(IllegalArgumentException.class, () -> RequestPolicy.approvedWindow(WANTED, 0, ASKED));
    }

    @Test
    void aPendingRequestExpiresAfterThePendingHoursHalfOpen() {
        Instant expires = RequestPolicy.expiresAt(ASKED, 24);
        assertEquals(Instant.parse("2026-11-24T17:30:00Z"), expires);
        assertFalse(RequestPolicy.expiredAt(expires, Clock.fixed(ASKED, ZoneOffset.UTC).instant()));
        assertFalse(RequestPolicy.expiredAt(expires, expires.minusNanos(1)), "still pending a moment before");
        assertTrue(RequestPolicy.expiredAt(expires, expires), "expired exactly at the expiry instant");
        assertTrue(RequestPolicy.expiredAt(expires, expires.plusSeconds(3600)));
        assertEquals(Instant.parse("2026-11-23T18:30:00Z"), RequestPolicy.expiresAt(ASKED, 1));
        assertThrows(IllegalArgumentException.class, () -> RequestPolicy.expiresAt(ASKED, 0));
    }

    @ParameterizedTest(name = "rules {0}, cap {1} -> {2}")
    @CsvSource(delimiter = ';', value = {
            "'';        480; 480",   // no rule with approvers at all: the cap
            "null;      480; 480",   // the rule sets no maximum: the cap
            "90;        480; 90",    // the rule's maximum
            "90,120;    480; 120",   // the largest of several
            "90,null;   480; 480",   // a rule without a maximum counts as the cap
            "600,null;  480; 600",   // a rule may allow more than the cap
    })
    void theLongestRequestIsTheLargestRuleMaximum(String maxima, int cap, int expected) {
        List<Integer> list = maxima.isEmpty() ? List.of() : Arrays.stream(maxima.split(","))
                .map(s -> "null".equals(s) ? null : Integer.valueOf(s)).toList();
        assertEquals(expected, RequestPolicy.maxMinutes(list, cap));
    }
}
