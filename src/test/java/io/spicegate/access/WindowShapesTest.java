package io.spicegate.access;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.spicegate.access.TestData.at;
import static io.spicegate.access.TestData.user;
import static java.time.DayOfWeek.FRIDAY;
import static java.time.DayOfWeek.MONDAY;
import static java.time.DayOfWeek.SUNDAY;
import static java.time.DayOfWeek.WEDNESDAY;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Exact boundaries of the three window shapes: same-day, overnight ({@code to < from}) and whole-day ({@code from == to}). */
class WindowShapesTest {

    private static Decision decide(AccessRule rule, String now) {
        return AccessPolicy.decide(user("charlie"), "debianx", List.of(rule), List.of(), at(now));
    }

    // Europe/Berlin is UTC+1 in late November 2026; Monday is 2026-11-23.
    @ParameterizedTest(name = "Mon–Fri 08:00–18:00 at {0}: {1}")
    @CsvSource(nullValues = "-", textBlock = """
            # now,                     verdict, until,                nextWindowStart
            2026-11-23T07:00:00Z,      ALLOWED, 2026-11-23T17:00:00Z, 2026-11-24T07:00:00Z
            2026-11-23T16:59:59.999Z,  ALLOWED, 2026-11-23T17:00:00Z, 2026-11-24T07:00:00Z
            2026-11-23T17:00:00Z,      DENIED,  -,                    2026-11-24T07:00:00Z
            2026-11-23T06:59:59Z,      DENIED,  -,                    2026-11-23T07:00:00Z
            2026-11-23T06:59:59.999Z,  DENIED,  -,                    2026-11-23T07:00:00Z
            2026-11-22T22:59:59Z,      DENIED,  -,                    2026-11-23T07:00:00Z
            2026-11-27T16:59:59Z,      ALLOWED, 2026-11-27T17:00:00Z, 2026-11-30T07:00:00Z
            2026-11-27T17:00:00Z,      DENIED,  -,                    2026-11-30T07:00:00Z
            2026-11-28T10:00:00Z,      DENIED,  -,                    2026-11-30T07:00:00Z
            """)
    void sameDayWindowBoundaries(String now, Verdict verdict, String until, String next) {
        AccessRule rule = RuleBuilder.allow("charlie", "debianx").window(MONDAY, FRIDAY, "08:00", "18:00").build();
        Expect.decision(decide(rule, now), verdict, until, next);
    }

    @ParameterizedTest(name = "Mon 18:00–02:00 at {0}: {1}")
    @CsvSource(nullValues = "-", textBlock = """
            # Tue 01:30 local is inside Monday's window; Mon 01:30 would need a Sunday window
            2026-11-24T00:30:00Z,      ALLOWED, 2026-11-24T01:00:00Z, 2026-11-30T17:00:00Z
            2026-11-23T00:30:00Z,      DENIED,  -,                    2026-11-23T17:00:00Z
            2026-11-23T16:59:59Z,      DENIED,  -,                    2026-11-23T17:00:00Z
            2026-11-23T17:00:00Z,      ALLOWED, 2026-11-24T01:00:00Z, 2026-11-30T17:00:00Z
            2026-11-23T23:00:00Z,      ALLOWED, 2026-11-24T01:00:00Z, 2026-11-30T17:00:00Z
            2026-11-24T00:59:59.999Z,  ALLOWED, 2026-11-24T01:00:00Z, 2026-11-30T17:00:00Z
            2026-11-24T01:00:00Z,      DENIED,  -,                    2026-11-30T17:00:00Z
            """)
    void overnightWindowBelongsToItsOpeningDay(String now, Verdict verdict, String until, String next) {
        AccessRule rule = RuleBuilder.allow("charlie", "debianx").window(MONDAY, "18:00", "02:00").build();
        Expect.decision(decide(rule, now), verdict, until, next);
    }

    @ParameterizedTest(name = "Sun+Mon 18:00–02:00 at {0}: {1}")
    @CsvSource(nullValues = "-", textBlock = """
            # with Sunday in days, Mon 01:30 is inside Sunday's window
            2026-11-23T00:30:00Z,      ALLOWED, 2026-11-23T01:00:00Z, 2026-11-23T17:00:00Z
            2026-11-23T01:00:00Z,      DENIED,  -,                    2026-11-23T17:00:00Z
            2026-11-22T16:59:59Z,      DENIED,  -,                    2026-11-22T17:00:00Z
            """)
    void overnightWindowFromSunday(String now, Verdict verdict, String until, String next) {
        AccessRule rule = RuleBuilder.allow("charlie", "debianx").window(Set.of(SUNDAY, MONDAY), "18:00", "02:00").build();
        Expect.decision(decide(rule, now), verdict, until, next);
    }

    @ParameterizedTest(name = "Wed 10:00–10:00 at {0}: {1}")
    @CsvSource(nullValues = "-", textBlock = """
            # from == to: 24 hours, Wednesday 10:00 to Thursday 10:00
            2026-11-25T08:59:59Z,      DENIED,  -,                    2026-11-25T09:00:00Z
            2026-11-25T09:00:00Z,      ALLOWED, 2026-11-26T09:00:00Z, 2026-12-02T09:00:00Z
            2026-11-26T08:59:59.999Z,  ALLOWED, 2026-11-26T09:00:00Z, 2026-12-02T09:00:00Z
            2026-11-26T09:00:00Z,      DENIED,  -,                    2026-12-02T09:00:00Z
            """)
    void wholeDayFromAnyTime(String now, Verdict verdict, String until, String next) {
        AccessRule rule = RuleBuilder.allow("charlie", "debianx").window(WEDNESDAY, "10:00", "10:00").build();
        Expect.decision(decide(rule, now), verdict, until, next);
    }

    @ParameterizedTest(name = "Wed 00:00–00:00 at {0}: {1}")
    @CsvSource(nullValues = "-", textBlock = """
            # 00:00–00:00 is the calendar day
            2026-11-24T22:59:59Z,      DENIED,  -,                    2026-11-24T23:00:00Z
            2026-11-24T23:00:00Z,      ALLOWED, 2026-11-25T23:00:00Z, 2026-12-01T23:00:00Z
            2026-11-25T12:00:00Z,      ALLOWED, 2026-11-25T23:00:00Z, 2026-12-01T23:00:00Z
            2026-11-25T23:00:00Z,      DENIED,  -,                    2026-12-01T23:00:00Z
            """)
    void wholeCalendarDay(String now, Verdict verdict, String until, String next) {
        AccessRule rule = RuleBuilder.allow("charlie", "debianx").window(WEDNESDAY, "00:00", "00:00").build();
        Expect.decision(decide(rule, now), verdict, until, next);
    }

    @ParameterizedTest(name = "always at {0}")
    @CsvSource({
            "2026-11-23T00:00:00Z",
            "2026-03-29T01:00:00Z",   // spring-forward
            "2026-10-25T00:30:00Z",   // fall-back, first 02:30
            "2026-10-25T01:30:00Z",   // fall-back, second 02:30
            "2026-12-31T23:00:00Z",
    })
    void everyDayWholeDayIsAlwaysWithNoEndInSight(String now) {
        AccessRule rule = RuleBuilder.allow("charlie", "debianx").always().build();
        Decision decision = decide(rule, now);
        Expect.decision(decision, Verdict.ALLOWED, null, null);
        assertNull(decision.maxMinutes());
        assertNull(decision.approvedRequestId());
    }
}
