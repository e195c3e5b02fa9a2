package io.spicegate.access;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.spicegate.access.TestData.at;
import static io.spicegate.access.TestData.user;
import static java.time.DayOfWeek.FRIDAY;
import static java.time.DayOfWeek.MONDAY;

/** A rule counts only inside {@code [validFrom, validUntil)}: its windows are clipped to that range. */
class ValidityTest {

    private static Decision decide(List<AccessRule> rules, String now) {
        return AccessPolicy.decide(user("charlie"), "debianx", rules, List.of(), at(now));
    }

    @ParameterizedTest(name = "valid Tue 21:00 to Thu 13:00, at {0}: {1}")
    @CsvSource(nullValues = "-", textBlock = """
            # before validFrom: denied, next = the first window after validFrom (Wednesday)
            2026-11-23T09:00:00Z,  DENIED,  -,                    2026-11-25T07:00:00Z
            2026-11-25T09:00:00Z,  ALLOWED, 2026-11-25T17:00:00Z, 2026-11-26T07:00:00Z
            # the stretch is cut at validUntil, and nothing follows
            2026-11-26T09:00:00Z,  ALLOWED, 2026-11-26T12:00:00Z, -
            2026-11-26T11:59:59Z,  ALLOWED, 2026-11-26T12:00:00Z, -
            2026-11-26T12:00:00Z,  DENIED,  -,                    -
            2026-11-27T09:00:00Z,  DENIED,  -,                    -
            """)
    void validityClipsWindows(String now, Verdict verdict, String until, String next) {
        AccessRule rule = RuleBuilder.allow("charlie", "debianx").window(MONDAY, FRIDAY, "08:00", "18:00")
                .validFrom("2026-11-24T20:00:00Z").validUntil("2026-11-26T12:00:00Z").build();
        Expect.decision(decide(List.of(rule), now), verdict, until, next);
    }

    @ParameterizedTest(name = "valid from Wed 11:00, at {0}: {1}")
    @CsvSource(nullValues = "-", textBlock = """
            # validFrom falls inside a window: the first stretch starts at validFrom itself
            2026-11-23T09:00:00Z,  DENIED,  -,                    2026-11-25T10:00:00Z
            2026-11-25T09:59:59Z,  DENIED,  -,                    2026-11-25T10:00:00Z
            2026-11-25T10:00:00Z,  ALLOWED, 2026-11-25T17:00:00Z, 2026-11-26T07:00:00Z
            """)
    void validFromInsideAWindow(String now, Verdict verdict, String until, String next) {
        AccessRule rule = RuleBuilder.allow("charlie", "debianx").window(MONDAY, FRIDAY, "08:00", "18:00")
                .validFrom("2026-11-25T10:00:00Z").build();
        Expect.decision(decide(List.of(rule), now), verdict, until, next);
    }

    @ParameterizedTest(name = "with approvers, at {0}: {1}")
    @CsvSource(nullValues = "-", textBlock = """
            # a rule not valid now does not apply, so its approvers do not either
            2026-11-23T17:30:00Z,  DENIED,         -, 2026-11-25T10:00:00Z
            2026-11-25T17:30:00Z,  NEEDS_APPROVAL, -, 2026-11-26T07:00:00Z
            2026-12-01T17:30:00Z,  DENIED,         -, -
            """)
    void approversOnlyWhileValid(String now, Verdict verdict, String until, String next) {
        AccessRule rule = RuleBuilder.allow("charlie", "debianx").window(MONDAY, FRIDAY, "08:00", "18:00").approvers()
                .validFrom("2026-11-25T10:00:00Z").validUntil("2026-11-30T00:00:00Z").build();
        Expect.decision(decide(List.of(rule), now), verdict, until, next);
    }

    @ParameterizedTest(name = "Mon 08–12 + Mon 12–18 (valid until 16:00 local), at {0}: {1}")
    @CsvSource(nullValues = "-", textBlock = """
            # each rule is clipped to its own validity before the union
            2026-11-23T08:00:00Z,  ALLOWED, 2026-11-23T15:00:00Z, 2026-11-30T07:00:00Z
            2026-11-23T15:00:00Z,  DENIED,  -,                    2026-11-30T07:00:00Z
            """)
    void validityPerRuleInTheUnion(String now, Verdict verdict, String until, String next) {
        List<AccessRule> rules = List.of(
                RuleBuilder.allow("charlie", "debianx").window(MONDAY, "08:00", "12:00").build(),
                RuleBuilder.allow("charlie", "debianx").window(MONDAY, "12:00", "18:00").validUntil("2026-11-23T15:00:00Z").build());
        Expect.decision(decide(rules, now), verdict, until, next);
    }

    @ParameterizedTest(name = "always, valid for one day, at {0}: {1}")
    @CsvSource(nullValues = "-", textBlock = """
            2026-11-22T23:59:59Z,  DENIED,  -,                    2026-11-23T00:00:00Z
            2026-11-23T00:00:00Z,  ALLOWED, 2026-11-24T00:00:00Z, -
            """)
    void alwaysButBounded(String now, Verdict verdict, String until, String next) {
        AccessRule rule = RuleBuilder.allow("charlie", "debianx").always()
                .validFrom("2026-11-23T00:00:00Z").validUntil("2026-11-24T00:00:00Z").build();
        Expect.decision(decide(List.of(rule), now), verdict, until, next);
    }

    @ParameterizedTest(name = "{0} valid [{1}, {2}) at 2026-11-23T09:00Z: {3}")
    @CsvSource(nullValues = "-", textBlock = """
            # rule,  validFrom,             validUntil,            verdict, until,                next
            # far ahead, but within the 35-day horizon
            always,  -,                     2026-12-13T00:00:00Z,  ALLOWED, 2026-12-13T00:00:00Z, -
            weekdays, 2026-12-14T00:00:00Z, -,                     DENIED,  -,                    2026-12-14T07:00:00Z
            # the horizon is now + 35 days = 2026-12-28T09:00Z: a stretch reaching it has no end in sight
            always,  -,                     2026-12-28T08:59:59Z,  ALLOWED, 2026-12-28T08:59:59Z, -
            always,  -,                     2026-12-28T09:00:00Z,  ALLOWED, -,                    -
            always,  2026-12-28T08:59:59Z,  -,                     DENIED,  -,                    2026-12-28T08:59:59Z
            always,  2026-12-28T09:00:00Z,  -,                     DENIED,  -,                    -
            weekdays, 2027-01-04T00:00:00Z, -,                     DENIED,  -,                    -
            """)
    void farAheadAndTheHorizon(String shape, String validFrom, String validUntil, Verdict verdict, String until, String next) {
        RuleBuilder rule = RuleBuilder.allow("charlie", "debianx");
        rule = shape.equals("always") ? rule.always() : rule.window(MONDAY, FRIDAY, "08:00", "18:00");
        if (validFrom != null) {
            rule.validFrom(validFrom);
        }
        if (validUntil != null) {
            rule.validUntil(validUntil);
        }
        Expect.decision(decide(List.of(rule.build()), "2026-11-23T09:00:00Z"), verdict, until, next);
    }
}
