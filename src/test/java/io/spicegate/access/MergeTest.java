package io.spicegate.access;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.spicegate.access.TestData.at;
import static io.spicegate.access.TestData.user;
import static java.time.DayOfWeek.MONDAY;
import static java.time.DayOfWeek.TUESDAY;

/** The allowed stretch is the union of all applicable windows: touching or overlapping ones merge, across rules and zones. */
class MergeTest {

    private static Decision decide(List<AccessRule> rules, String now) {
        return AccessPolicy.decide(user("charlie"), "debianx", rules, List.of(), at(now));
    }

    @ParameterizedTest(name = "Mon 08–12 + Mon 12–18 at {0}: {1}")
    @CsvSource(nullValues = "-", textBlock = """
            2026-11-23T07:00:00Z,  ALLOWED, 2026-11-23T17:00:00Z, 2026-11-30T07:00:00Z
            2026-11-23T10:59:59Z,  ALLOWED, 2026-11-23T17:00:00Z, 2026-11-30T07:00:00Z
            2026-11-23T11:00:00Z,  ALLOWED, 2026-11-23T17:00:00Z, 2026-11-30T07:00:00Z
            2026-11-23T17:00:00Z,  DENIED,  -,                    2026-11-30T07:00:00Z
            2026-11-23T06:00:00Z,  DENIED,  -,                    2026-11-23T07:00:00Z
            """)
    void touchingWindowsMerge(String now, Verdict verdict, String until, String next) {
        List<AccessRule> twoRules = List.of(
                RuleBuilder.allow("charlie", "debianx").window(MONDAY, "08:00", "12:00").build(),
                RuleBuilder.allow("charlie", "debianx").window(MONDAY, "12:00", "18:00").build());
        List<AccessRule> oneRule = List.of(
                RuleBuilder.allow("charlie", "debianx").window(MONDAY, "08:00", "12:00").window(MONDAY, "12:00", "18:00").build());
        Expect.decision(decide(twoRules, now), verdict, until, next);
        Expect.decision(decide(oneRule, now), verdict, until, next);
    }

    @ParameterizedTest(name = "Mon 18–00 + Tue 00–08 at {0}: {1}")
    @CsvSource(nullValues = "-", textBlock = """
            2026-11-23T19:00:00Z,  ALLOWED, 2026-11-24T07:00:00Z, 2026-11-30T17:00:00Z
            2026-11-23T22:59:59Z,  ALLOWED, 2026-11-24T07:00:00Z, 2026-11-30T17:00:00Z
            2026-11-23T23:00:00Z,  ALLOWED, 2026-11-24T07:00:00Z, 2026-11-30T17:00:00Z
            2026-11-24T06:59:59Z,  ALLOWED, 2026-11-24T07:00:00Z, 2026-11-30T17:00:00Z
            2026-11-24T07:00:00Z,  DENIED,  -,                    2026-11-30T17:00:00Z
            # Tue 00:00 local opens a stretch only if Monday's window does not run into it
            2026-11-30T16:00:00Z,  DENIED,  -,                    2026-11-30T17:00:00Z
            """)
    void touchingAcrossMidnight(String now, Verdict verdict, String until, String next) {
        List<AccessRule> rules = List.of(
                RuleBuilder.allow("charlie", "debianx").window(MONDAY, "18:00", "00:00").build(),
                RuleBuilder.allow("charlie", "debianx").window(TUESDAY, "00:00", "08:00").build());
        Expect.decision(decide(rules, now), verdict, until, next);
    }

    @ParameterizedTest(name = "Mon 08–12 + Mon 12:01–18 at {0}: {1}")
    @CsvSource(nullValues = "-", textBlock = """
            # a one-minute gap is a gap: two stretches
            2026-11-23T07:00:00Z,  ALLOWED, 2026-11-23T11:00:00Z, 2026-11-23T11:01:00Z
            2026-11-23T11:00:30Z,  DENIED,  -,                    2026-11-23T11:01:00Z
            2026-11-23T11:01:00Z,  ALLOWED, 2026-11-23T17:00:00Z, 2026-11-30T07:00:00Z
            """)
    void aGapIsNotMerged(String now, Verdict verdict, String until, String next) {
        List<AccessRule> rules = List.of(
                RuleBuilder.allow("charlie", "debianx").window(MONDAY, "08:00", "12:00").build(),
                RuleBuilder.allow("charlie", "debianx").window(MONDAY, "12:01", "18:00").build());
        Expect.decision(decide(rules, now), verdict, until, next);
    }

    @ParameterizedTest(name = "Berlin Mon 08–12 + New York Mon {0}–10 at {1}: {2}")
    @CsvSource(nullValues = "-", textBlock = """
            # NY start, now,                   verdict, until,                next
            # November: Berlin is UTC+1, New York UTC-5 — Berlin 07:00–11:00Z touches New York 11:00–15:00Z
            06:00,      2026-11-23T07:00:00Z,  ALLOWED, 2026-11-23T15:00:00Z, 2026-11-30T07:00:00Z
            06:00,      2026-11-23T10:59:59Z,  ALLOWED, 2026-11-23T15:00:00Z, 2026-11-30T07:00:00Z
            06:00,      2026-11-23T12:00:00Z,  ALLOWED, 2026-11-23T15:00:00Z, 2026-11-30T07:00:00Z
            06:00,      2026-11-23T15:00:00Z,  DENIED,  -,                    2026-11-30T07:00:00Z
            # overlapping: New York 10:00–15:00Z
            05:00,      2026-11-23T07:00:00Z,  ALLOWED, 2026-11-23T15:00:00Z, 2026-11-30T07:00:00Z
            # the week between the two DST changes: Berlin UTC+1, New York still UTC-4 → 07:00–11:00Z and 10:00–14:00Z
            06:00,      2026-10-26T08:00:00Z,  ALLOWED, 2026-10-26T14:00:00Z, 2026-11-02T07:00:00Z
            06:00,      2026-10-26T06:59:59Z,  DENIED,  -,                    2026-10-26T07:00:00Z
            # in summer (both on DST): Berlin 06:00–10:00Z and New York 10:00–14:00Z touch
            06:00,      2026-07-06T06:00:00Z,  ALLOWED, 2026-07-06T14:00:00Z, 2026-07-13T06:00:00Z
            """)
    void rulesInDifferentZonesMerge(String newYorkFrom, String now, Verdict verdict, String until, String next) {
        List<AccessRule> rules = List.of(
                RuleBuilder.allow("charlie", "debianx").zone("Europe/Berlin").window(MONDAY, "08:00", "12:00").build(),
                RuleBuilder.allow("charlie", "debianx").zone("America/New_York").window(MONDAY, newYorkFrom, "10:00").build());
        Expect.decision(decide(rules, now), verdict, until, next);
    }
}
