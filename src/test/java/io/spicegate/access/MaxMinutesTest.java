package io.spicegate.access;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.spicegate.access.TestData.approved;
import static io.spicegate.access.TestData.at;
import static io.spicegate.access.TestData.user;
import static java.time.DayOfWeek.MONDAY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Max session minutes: the largest among the ALLOW rules whose windows hold now; one unlimited rule makes it unlimited. */
class MaxMinutesTest {

    @ParameterizedTest(name = "rule A {0} (08–18), rule B {1} (12–20), at {2} → {3}")
    @CsvSource(nullValues = "-", textBlock = """
            # A,  B,    now,                   expected
            60,   120,  2026-11-23T12:00:00Z,  120
            120,  60,   2026-11-23T12:00:00Z,  120
            -,    60,   2026-11-23T12:00:00Z,  -
            60,   -,    2026-11-23T12:00:00Z,  -
            # only A holds at 10:00 local: B's limit (or its absence) does not count
            60,   -,    2026-11-23T09:00:00Z,  60
            60,   120,  2026-11-23T09:00:00Z,  60
            # only B holds at 19:00 local
            60,   120,  2026-11-23T18:00:00Z,  120
            -,    120,  2026-11-23T18:00:00Z,  120
            """)
    void largestAmongTheRulesThatAllowNow(Integer a, Integer b, String now, Integer expected) {
        List<AccessRule> rules = List.of(
                RuleBuilder.allow("charlie", "debianx").window(MONDAY, "08:00", "18:00").maxMinutes(a).build(),
                RuleBuilder.allow("charlie", "debianx").window(MONDAY, "12:00", "20:00").maxMinutes(b).build());
        Decision decision = AccessPolicy.decide(user("charlie"), "debianx", rules, List.of(), at(now));
        assertEquals(Verdict.ALLOWED, decision.verdict());
        assertEquals(expected, decision.maxMinutes());
    }

    @ParameterizedTest(name = "at {0}: maxMinutes {1}, request {2}")
    @CsvSource(nullValues = "-", textBlock = """
            # window 08–18 local (max 90) and an approved request 16:00–19:00Z
            2026-11-23T16:30:00Z,  90, -
            # only the request allows: its end bounds the session, no minutes limit
            2026-11-23T18:00:00Z,  -,  9
            """)
    void approvedRequestHasNoMinutesLimit(String now, Integer maxMinutes, Long requestId) {
        AccessRule rule = RuleBuilder.allow("charlie", "debianx").window(MONDAY, "08:00", "18:00").maxMinutes(90).build();
        Decision decision = AccessPolicy.decide(user("charlie"), "debianx", List.of(rule),
                List.of(approved(9, "debianx", "2026-11-23T16:00:00Z", "2026-11-23T19:00:00Z")), at(now));
        Expect.decision(decision, Verdict.ALLOWED, "2026-11-23T19:00:00Z", "2026-11-30T07:00:00Z");
        assertEquals(maxMinutes, decision.maxMinutes());
        assertEquals(requestId, decision.approvedRequestId());
    }

    @ParameterizedTest(name = "{0}: no maxMinutes")
    @CsvSource(textBlock = """
            2026-11-23T06:00:00Z
            2026-11-23T20:00:00Z
            """)
    void onlyAllowedDecisionsCarryMaxMinutes(String now) {
        AccessRule rule = RuleBuilder.allow("charlie", "debianx").window(MONDAY, "08:00", "18:00").maxMinutes(90).build();
        Decision decision = AccessPolicy.decide(user("charlie"), "debianx", List.of(rule), List.of(), at(now));
        assertEquals(Verdict.DENIED, decision.verdict());
        assertNull(decision.maxMinutes());
    }
}
