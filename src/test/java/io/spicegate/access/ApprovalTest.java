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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** NEEDS_APPROVAL where someone can approve, and approved off-hours requests as one-off ALLOW windows. */
class ApprovalTest {

    private static final AccessRule WORKING_HOURS_WITH_APPROVERS =
            RuleBuilder.allow("charlie", "debianx").window(MONDAY, FRIDAY, "08:00", "18:00").approvers().maxMinutes(240).build();
    private static final AccessRule WORKING_HOURS =
            RuleBuilder.allow("charlie", "debianx").window(MONDAY, FRIDAY, "08:00", "18:00").build();

    @ParameterizedTest(name = "approvers={0} at {1}: {2}")
    @CsvSource(nullValues = "-", textBlock = """
            # approvers, now,                   verdict,        until,                next
            true,        2026-11-28T10:00:00Z,  NEEDS_APPROVAL, -,                    2026-11-30T07:00:00Z
            true,        2026-11-23T17:00:00Z,  NEEDS_APPROVAL, -,                    2026-11-24T07:00:00Z
            true,        2026-11-23T07:00:00Z,  ALLOWED,        2026-11-23T17:00:00Z, 2026-11-24T07:00:00Z
            false,       2026-11-28T10:00:00Z,  DENIED,         -,                    2026-11-30T07:00:00Z
            false,       2026-11-23T17:00:00Z,  DENIED,         -,                    2026-11-24T07:00:00Z
            """)
    void needsApprovalOnlyWithApprovers(boolean approvers, String now, Verdict verdict, String until, String next) {
        AccessRule rule = approvers ? WORKING_HOURS_WITH_APPROVERS : WORKING_HOURS;
        Expect.decision(AccessPolicy.decide(user("charlie"), "debianx", List.of(rule), List.of(), at(now)), verdict, until, next);
    }

    @ParameterizedTest(name = "approver rule {0} → {1}")
    @CsvSource(textBlock = """
            # which rule has approvers,          verdict for charlie [accounting] on debianx, Saturday
            group accounting on debianx,         NEEDS_APPROVAL
            group sales on debianx,              DENIED
            user charlie on leaptest,            DENIED
            user boss on debianx,                DENIED
            DENY for charlie on debianx,         DENIED
            """)
    void onlyAnApplicableAllowRuleWithApproversLetsAsk(String which, Verdict verdict) {
        AccessRule withApprovers = switch (which) {
            case "group accounting on debianx" -> RuleBuilder.allowGroup("accounting", "debianx").approvers().build();
            case "group sales on debianx" -> RuleBuilder.allowGroup("sales", "debianx").approvers().build();
            case "user charlie on leaptest" -> RuleBuilder.allow("charlie", "leaptest").approvers().build();
            case "user boss on debianx" -> RuleBuilder.allow("boss", "debianx").approvers().build();
            case "DENY for charlie on debianx" -> RuleBuilder.deny("charlie", "debianx").window(MONDAY, "00:00", "01:00").approvers().build();
            default -> throw new IllegalArgumentException(which);
        };
        Decision decision = AccessPolicy.decide(user("charlie", "accounting"), "debianx",
                List.of(WORKING_HOURS, withApprovers), List.of(), at("2026-11-28T10:00:00Z"));
        Expect.decision(decision, verdict, null, "2026-11-30T07:00:00Z");
    }

    @ParameterizedTest(name = "approved {0}–{1} at {2}: {3}")
    @CsvSource(nullValues = "-", textBlock = """
            # approved start,      approved end,         now,                   verdict,        until,                next,                 request id, max minutes
            # Saturday off-hours: until the request's end, no minutes limit
            2026-11-28T09:00:00Z,  2026-11-28T11:00:00Z, 2026-11-28T09:00:00Z,  ALLOWED,        2026-11-28T11:00:00Z, 2026-11-30T07:00:00Z, 42,         -
            2026-11-28T09:00:00Z,  2026-11-28T11:00:00Z, 2026-11-28T10:59:59Z,  ALLOWED,        2026-11-28T11:00:00Z, 2026-11-30T07:00:00Z, 42,         -
            2026-11-28T09:00:00Z,  2026-11-28T11:00:00Z, 2026-11-28T11:00:00Z,  NEEDS_APPROVAL, -,                    2026-11-30T07:00:00Z, -,          -
            # before it starts, the request does not count, and nextWindowStart is about windows only
            2026-11-28T09:00:00Z,  2026-11-28T11:00:00Z, 2026-11-28T08:00:00Z,  NEEDS_APPROVAL, -,                    2026-11-30T07:00:00Z, -,          -
            # right after Monday's window: merged with it
            2026-11-23T17:00:00Z,  2026-11-23T19:00:00Z, 2026-11-23T16:00:00Z,  ALLOWED,        2026-11-23T19:00:00Z, 2026-11-24T07:00:00Z, -,          240
            2026-11-23T17:00:00Z,  2026-11-23T19:00:00Z, 2026-11-23T18:00:00Z,  ALLOWED,        2026-11-23T19:00:00Z, 2026-11-24T07:00:00Z, 42,         -
            # right before Monday's window: the window is part of the current stretch, not the next one
            2026-11-23T05:00:00Z,  2026-11-23T07:00:00Z, 2026-11-23T06:00:00Z,  ALLOWED,        2026-11-23T17:00:00Z, 2026-11-24T07:00:00Z, 42,         -
            # overlapping the window: the window allows, so no request id
            2026-11-23T15:00:00Z,  2026-11-23T20:00:00Z, 2026-11-23T16:00:00Z,  ALLOWED,        2026-11-23T20:00:00Z, 2026-11-24T07:00:00Z, -,          240
            """)
    void approvedRequestIsAOneOffWindow(String start, String end, String now, Verdict verdict, String until, String next,
                                        Long requestId, Integer maxMinutes) {
        List<ApprovedWindow> approved = List.of(approved(42, "debianx", start, end));
        Decision decision = AccessPolicy.decide(user("charlie"), "debianx", List.of(WORKING_HOURS_WITH_APPROVERS), approved, at(now));
        Expect.decision(decision, verdict, until, next);
        assertEquals(requestId, decision.approvedRequestId());
        assertEquals(maxMinutes, decision.maxMinutes());
    }

    @Test
    void approvedRequestWithoutAnyRule() {
        Decision decision = AccessPolicy.decide(user("charlie"), "debianx", List.of(),
                List.of(approved(5, "debianx", "2026-11-28T09:00:00Z", "2026-11-28T11:00:00Z")), at("2026-11-28T10:00:00Z"));
        Expect.decision(decision, Verdict.ALLOWED, "2026-11-28T11:00:00Z", null);
        assertEquals(5L, decision.approvedRequestId());
    }

    @Test
    void approvedRequestForAnotherConsoleIsIgnored() {
        Decision decision = AccessPolicy.decide(user("charlie"), "debianx", List.of(WORKING_HOURS_WITH_APPROVERS),
                List.of(approved(5, "leaptest", "2026-11-28T09:00:00Z", "2026-11-28T11:00:00Z")), at("2026-11-28T10:00:00Z"));
        Expect.decision(decision, Verdict.NEEDS_APPROVAL, null, "2026-11-30T07:00:00Z");
        assertNull(decision.approvedRequestId());
    }

    @Test
    void touchingApprovedRequestsChainAndTheLongestIsReported() {
        List<ApprovedWindow> approved = List.of(
                approved(1, "debianx", "2026-11-28T09:00:00Z", "2026-11-28T10:00:00Z"),
                approved(2, "debianx", "2026-11-28T09:30:00Z", "2026-11-28T10:30:00Z"),
                approved(3, "debianx", "2026-11-28T10:30:00Z", "2026-11-28T12:00:00Z"));
        Decision decision = AccessPolicy.decide(user("charlie"), "debianx", List.of(WORKING_HOURS_WITH_APPROVERS), approved,
                at("2026-11-28T09:45:00Z"));
        Expect.decision(decision, Verdict.ALLOWED, "2026-11-28T12:00:00Z", "2026-11-30T07:00:00Z");
        assertEquals(2L, decision.approvedRequestId());
    }
}
