package io.spicegate.access;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.spicegate.access.TestData.approved;
import static io.spicegate.access.TestData.at;
import static io.spicegate.access.TestData.user;
import static java.time.DayOfWeek.FRIDAY;
import static java.time.DayOfWeek.MONDAY;
import static java.time.DayOfWeek.TUESDAY;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A DENY window beats every ALLOW: it denies inside, cuts the stretch before it, and the next stretch starts at its end. */
class DenyTest {

    private static final AccessRule WORKING_HOURS =
            RuleBuilder.allow("charlie", "debianx").window(MONDAY, FRIDAY, "08:00", "18:00").build();
    private static final AccessRule WORKING_HOURS_WITH_APPROVERS =
            RuleBuilder.allow("charlie", "debianx").window(MONDAY, FRIDAY, "08:00", "18:00").approvers().build();
    private static final AccessRule MONDAY_LUNCH =
            RuleBuilder.deny("charlie", "debianx").window(MONDAY, "12:00", "13:00").build();

    @ParameterizedTest(name = "Mon–Fri 08–18 minus Mon 12–13 at {0}: {1}")
    @CsvSource(nullValues = "-", textBlock = """
            2026-11-23T09:00:00Z,  ALLOWED, 2026-11-23T11:00:00Z, 2026-11-23T12:00:00Z
            2026-11-23T10:59:59Z,  ALLOWED, 2026-11-23T11:00:00Z, 2026-11-23T12:00:00Z
            2026-11-23T11:00:00Z,  DENIED,  -,                    2026-11-23T12:00:00Z
            2026-11-23T11:59:59Z,  DENIED,  -,                    2026-11-23T12:00:00Z
            2026-11-23T12:00:00Z,  ALLOWED, 2026-11-23T17:00:00Z, 2026-11-24T07:00:00Z
            2026-11-23T06:00:00Z,  DENIED,  -,                    2026-11-23T07:00:00Z
            # from Friday evening the next stretch is Monday 08:00 (its DENY comes later)
            2026-11-27T17:00:00Z,  DENIED,  -,                    2026-11-30T07:00:00Z
            """)
    void denyInsideAllow(String now, Verdict verdict, String until, String next) {
        Decision decision = AccessPolicy.decide(user("charlie"), "debianx", List.of(WORKING_HOURS, MONDAY_LUNCH), List.of(), at(now));
        Expect.decision(decision, verdict, until, next);
    }

    @ParameterizedTest(name = "with approvers at {0}: {1}")
    @CsvSource(nullValues = "-", textBlock = """
            # inside a DENY window nobody may ask
            2026-11-23T11:30:00Z,  DENIED,         -,                    2026-11-23T12:00:00Z
            2026-11-23T17:30:00Z,  NEEDS_APPROVAL, -,                    2026-11-24T07:00:00Z
            """)
    void denyBeatsApprovers(String now, Verdict verdict, String until, String next) {
        Decision decision = AccessPolicy.decide(user("charlie"), "debianx",
                List.of(WORKING_HOURS_WITH_APPROVERS, MONDAY_LUNCH), List.of(), at(now));
        Expect.decision(decision, verdict, until, next);
    }

    @ParameterizedTest(name = "deny {0}–{1} at {2}: {3}")
    @CsvSource(nullValues = "-", textBlock = """
            # deny window,   now,                   verdict, until,                next
            # a DENY over the start of the ALLOW window moves the next start to the DENY's end
            07:00, 09:00,    2026-11-23T06:30:00Z,  DENIED,  -,                    2026-11-23T08:00:00Z
            07:00, 09:00,    2026-11-23T05:00:00Z,  DENIED,  -,                    2026-11-23T08:00:00Z
            # a DENY over the end shortens the stretch
            17:00, 20:00,    2026-11-23T09:00:00Z,  ALLOWED, 2026-11-23T16:00:00Z, 2026-11-24T07:00:00Z
            # a DENY covering the whole ALLOW window removes that day's stretch
            00:00, 00:00,    2026-11-23T09:00:00Z,  DENIED,  -,                    2026-11-24T07:00:00Z
            # touching but not overlapping: no effect
            18:00, 20:00,    2026-11-23T09:00:00Z,  ALLOWED, 2026-11-23T17:00:00Z, 2026-11-24T07:00:00Z
            """)
    void denyAtTheEdges(String from, String to, String now, Verdict verdict, String until, String next) {
        AccessRule deny = RuleBuilder.deny("charlie", "debianx").window(MONDAY, from, to).build();
        Decision decision = AccessPolicy.decide(user("charlie"), "debianx", List.of(WORKING_HOURS, deny), List.of(), at(now));
        Expect.decision(decision, verdict, until, next);
    }

    @ParameterizedTest(name = "whole Tuesday denied, at {0}: {1}")
    @CsvSource(nullValues = "-", textBlock = """
            2026-11-23T16:00:00Z,  ALLOWED, 2026-11-23T17:00:00Z, 2026-11-25T07:00:00Z
            2026-11-24T09:00:00Z,  DENIED,  -,                    2026-11-25T07:00:00Z
            """)
    void denyWholeDay(String now, Verdict verdict, String until, String next) {
        AccessRule deny = RuleBuilder.deny("charlie", "debianx").window(TUESDAY, "00:00", "00:00").build();
        Decision decision = AccessPolicy.decide(user("charlie"), "debianx", List.of(WORKING_HOURS, deny), List.of(), at(now));
        Expect.decision(decision, verdict, until, next);
    }

    @Test
    void denyBeatsAnApprovedRequest() {
        ApprovedWindow request = approved(7, "debianx", "2026-11-23T10:00:00Z", "2026-11-23T13:00:00Z");
        Decision inside = AccessPolicy.decide(user("charlie"), "debianx", List.of(MONDAY_LUNCH), List.of(request),
                at("2026-11-23T11:30:00Z"));
        Expect.decision(inside, Verdict.DENIED, null, null);
        Decision before = AccessPolicy.decide(user("charlie"), "debianx", List.of(MONDAY_LUNCH), List.of(request),
                at("2026-11-23T10:30:00Z"));
        Expect.decision(before, Verdict.ALLOWED, "2026-11-23T11:00:00Z", null);
    }

    @ParameterizedTest(name = "DENY for {0} applies to charlie in [accounting]: {1}")
    @CsvSource(textBlock = """
            group:accounting,  DENIED
            user:charlie,      DENIED
            group:sales,       ALLOWED
            user:boss,         ALLOWED
            """)
    void denyAppliesOnlyToItsSubject(String subject, Verdict verdict) {
        String name = subject.substring(subject.indexOf(':') + 1);
        AccessRule deny = (subject.startsWith("group:") ? RuleBuilder.denyGroup(name, "debianx") : RuleBuilder.deny(name, "debianx"))
                .window(MONDAY, "12:00", "13:00").build();
        Decision decision = AccessPolicy.decide(user("charlie", "accounting"), "debianx", List.of(WORKING_HOURS, deny), List.of(),
                at("2026-11-23T11:30:00Z"));
        assertEquals(verdict, decision.verdict());
    }

    @Test
    void denyForAnotherConsoleIsIgnored() {
        AccessRule deny = RuleBuilder.deny("charlie", "leaptest").window(MONDAY, "12:00", "13:00").build();
        Decision decision = AccessPolicy.decide(user("charlie"), "debianx", List.of(WORKING_HOURS, deny), List.of(),
                at("2026-11-23T11:30:00Z"));
        Expect.decision(decision, Verdict.ALLOWED, "2026-11-23T17:00:00Z", "2026-11-24T07:00:00Z");
    }

    @Test
    void denyOutsideItsValidityIsIgnored() {
        AccessRule deny = RuleBuilder.deny("charlie", "debianx").window(MONDAY, "12:00", "13:00")
                .validFrom("2026-11-24T00:00:00Z").build();
        Decision thisMonday = AccessPolicy.decide(user("charlie"), "debianx", List.of(WORKING_HOURS, deny), List.of(),
                at("2026-11-23T11:30:00Z"));
        Expect.decision(thisMonday, Verdict.ALLOWED, "2026-11-23T17:00:00Z", "2026-11-24T07:00:00Z");
        Decision nextMonday = AccessPolicy.decide(user("charlie"), "debianx", List.of(WORKING_HOURS, deny), List.of(),
                at("2026-11-30T11:30:00Z"));
        Expect.decision(nextMonday, Verdict.DENIED, null, "2026-11-30T12:00:00Z");
    }

    @ParameterizedTest(name = "DENY every day until {0}: {1}")
    @CsvSource(nullValues = "-", textBlock = """
            # a two-week ban: the next stretch is the first window after it
            2026-12-07T00:00:00Z,  2026-12-07T07:00:00Z
            2026-12-07T08:00:00Z,  2026-12-07T08:00:00Z
            # banned beyond the horizon (2026-12-28T09:00Z): nothing ahead
            2027-01-31T00:00:00Z,  -
            """)
    void longBan(String banUntil, String next) {
        AccessRule ban = RuleBuilder.deny("charlie", "debianx").always().validUntil(banUntil).build();
        Decision decision = AccessPolicy.decide(user("charlie"), "debianx", List.of(WORKING_HOURS, ban), List.of(),
                at("2026-11-23T09:00:00Z"));
        Expect.decision(decision, Verdict.DENIED, null, next);
    }
}
