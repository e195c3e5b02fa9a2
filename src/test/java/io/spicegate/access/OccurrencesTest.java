package io.spicegate.access;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.spicegate.access.TestData.at;
import static java.time.DayOfWeek.FRIDAY;
import static java.time.DayOfWeek.MONDAY;
import static java.time.DayOfWeek.SATURDAY;
import static java.time.DayOfWeek.SUNDAY;
import static java.time.DayOfWeek.TUESDAY;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link AccessPolicy#occurrences}: a rule's intervals in a range, for a week view. */
class OccurrencesTest {

    /** Week of Monday 2026-11-23 in Berlin: [Mon 00:00, next Mon 00:00) local. */
    private static final String WEEK_START = "2026-11-22T23:00:00Z";
    private static final String WEEK_END = "2026-11-29T23:00:00Z";

    static Stream<Arguments> weeks() {
        return Stream.of(
                Arguments.of("Mon–Fri 08–18",
                        RuleBuilder.allow("charlie", "debianx").window(MONDAY, FRIDAY, "08:00", "18:00").build(),
                        WEEK_START, WEEK_END, List.of(
                                "2026-11-23T07:00:00Z/2026-11-23T17:00:00Z",
                                "2026-11-24T07:00:00Z/2026-11-24T17:00:00Z",
                                "2026-11-25T07:00:00Z/2026-11-25T17:00:00Z",
                                "2026-11-26T07:00:00Z/2026-11-26T17:00:00Z",
                                "2026-11-27T07:00:00Z/2026-11-27T17:00:00Z")),
                Arguments.of("Sun 22–06 (reaches into the week from both ends, not clipped to the range)",
                        RuleBuilder.allow("charlie", "debianx").window(SUNDAY, "22:00", "06:00").build(),
                        WEEK_START, WEEK_END, List.of(
                                "2026-11-22T21:00:00Z/2026-11-23T05:00:00Z",
                                "2026-11-29T21:00:00Z/2026-11-30T05:00:00Z")),
                Arguments.of("Mon–Fri 08–18, valid until Wed 13:00 local",
                        RuleBuilder.allow("charlie", "debianx").window(MONDAY, FRIDAY, "08:00", "18:00")
                                .validUntil("2026-11-25T12:00:00Z").build(),
                        WEEK_START, WEEK_END, List.of(
                                "2026-11-23T07:00:00Z/2026-11-23T17:00:00Z",
                                "2026-11-24T07:00:00Z/2026-11-24T17:00:00Z",
                                "2026-11-25T07:00:00Z/2026-11-25T12:00:00Z")),
                Arguments.of("always: one merged interval covering the week",
                        RuleBuilder.allow("ralph", "vm3").always().build(),
                        WEEK_START, WEEK_END, List.of(WEEK_START + "/" + WEEK_END)),
                Arguments.of("touching windows in one rule are merged",
                        RuleBuilder.allow("charlie", "debianx").window(MONDAY, "18:00", "00:00").window(TUESDAY, "00:00", "08:00").build(),
                        WEEK_START, WEEK_END, List.of("2026-11-23T17:00:00Z/2026-11-24T07:00:00Z")),
                Arguments.of("a DENY rule's windows",
                        RuleBuilder.deny("charlie", "debianx").window(SATURDAY, "12:00", "13:00").build(),
                        WEEK_START, WEEK_END, List.of("2026-11-28T11:00:00Z/2026-11-28T12:00:00Z")),
                Arguments.of("week of the spring-forward: Sat 08:00 CET, Sun 08:00 CEST",
                        RuleBuilder.allow("charlie", "debianx").window(SATURDAY, SUNDAY, "08:00", "09:00").build(),
                        "2026-03-27T23:00:00Z", "2026-03-29T22:00:00Z", List.of(
                                "2026-03-28T07:00:00Z/2026-03-28T08:00:00Z",
                                "2026-03-29T06:00:00Z/2026-03-29T07:00:00Z")),
                Arguments.of("New York rule seen in a Berlin week",
                        RuleBuilder.allow("charlie", "debianx").zone("America/New_York").window(MONDAY, "20:00", "02:00").build(),
                        WEEK_START, WEEK_END, List.of("2026-11-24T01:00:00Z/2026-11-24T07:00:00Z")),
                Arguments.of("empty range",
                        RuleBuilder.allow("ralph", "vm3").always().build(),
                        WEEK_START, WEEK_START, List.of()),
                Arguments.of("range before validFrom",
                        RuleBuilder.allow("ralph", "vm3").always().validFrom("2026-12-01T00:00:00Z").build(),
                        WEEK_START, WEEK_END, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("weeks")
    void intervalsOfAWeek(String name, AccessRule rule, String from, String to, List<String> expected) {
        List<String> actual = new ArrayList<>();
        for (Interval interval : AccessPolicy.occurrences(rule, at(from), at(to))) {
            actual.add(interval.start() + "/" + interval.end());
        }
        assertEquals(expected, actual);
    }

    @Test
    void occurrencesAgreeWithDecide() {
        AccessRule rule = RuleBuilder.allow("charlie", "debianx").window(MONDAY, FRIDAY, "08:00", "18:00").build();
        for (Interval interval : AccessPolicy.occurrences(rule, at(WEEK_START), at(WEEK_END))) {
            Decision atStart = AccessPolicy.decide(Requester.of("charlie"), "debianx", List.of(rule), List.of(), interval.start());
            assertEquals(Verdict.ALLOWED, atStart.verdict());
            assertEquals(interval.end(), atStart.until());
            Instant justBefore = interval.start().minusNanos(1);
            assertEquals(interval.start(),
                    AccessPolicy.decide(Requester.of("charlie"), "debianx", List.of(rule), List.of(), justBefore).nextWindowStart());
        }
    }
}
