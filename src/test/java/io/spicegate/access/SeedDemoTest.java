package io.spicegate.access;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.spicegate.access.TestData.at;
import static io.spicegate.access.TestData.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The seed's office (DESIGN "Demo data"), Europe/Berlin, in the week of Monday 2026-11-23 (UTC+1). */
class SeedDemoTest {

    private static final List<AccessRule> RULES = TestData.seedRules();

    @ParameterizedTest(name = "{0} → {1} at {2}: {3}")
    @CsvSource(nullValues = "-", textBlock = """
            # user,  console,  now,                   verdict,        until,                next
            # Monday 10:00 local
            maggie,  leaptest, 2026-11-23T09:00:00Z,  ALLOWED,        2026-11-23T17:00:00Z, 2026-11-24T07:00:00Z
            charlie, debianx,  2026-11-23T09:00:00Z,  ALLOWED,        2026-11-23T17:00:00Z, 2026-11-24T07:00:00Z
            anne,    leaptest, 2026-11-23T09:00:00Z,  NEEDS_APPROVAL, -,                    2026-11-25T07:00:00Z
            boss,    debianx,  2026-11-23T09:00:00Z,  DENIED,         -,                    2026-11-23T17:00:00Z
            ralph,   vm3,      2026-11-23T09:00:00Z,  ALLOWED,        -,                    -
            myself,  debianx,  2026-11-23T09:00:00Z,  ALLOWED,        -,                    -
            mybro,   leaptest, 2026-11-23T09:00:00Z,  ALLOWED,        -,                    -
            # nobody else may use vm3, and nobody can approve it
            charlie, vm3,      2026-11-23T09:00:00Z,  DENIED,         -,                    -
            boss,    vm3,      2026-11-23T09:00:00Z,  DENIED,         -,                    -
            # Monday 19:00 local: the boss's evening
            boss,    debianx,  2026-11-23T18:00:00Z,  ALLOWED,        2026-11-23T22:00:00Z, 2026-11-24T17:00:00Z
            boss,    debianx,  2026-11-23T22:00:00Z,  DENIED,         -,                    2026-11-24T17:00:00Z
            charlie, debianx,  2026-11-23T18:00:00Z,  NEEDS_APPROVAL, -,                    2026-11-24T07:00:00Z
            # Wednesday 10:00 local
            anne,    leaptest, 2026-11-25T09:00:00Z,  ALLOWED,        2026-11-25T17:00:00Z, 2026-11-26T07:00:00Z
            maggie,  leaptest, 2026-11-25T09:00:00Z,  NEEDS_APPROVAL, -,                    2026-11-30T07:00:00Z
            anne,    debianx,  2026-11-25T09:00:00Z,  DENIED,         -,                    -
            # Thursday 18:00 local: anne's week is over
            anne,    leaptest, 2026-11-26T17:00:00Z,  NEEDS_APPROVAL, -,                    2026-12-02T07:00:00Z
            # Friday 17:59:59 and Saturday
            charlie, debianx,  2026-11-27T16:59:59Z,  ALLOWED,        2026-11-27T17:00:00Z, 2026-11-30T07:00:00Z
            charlie, debianx,  2026-11-28T10:00:00Z,  NEEDS_APPROVAL, -,                    2026-11-30T07:00:00Z
            boss,    debianx,  2026-11-28T10:00:00Z,  DENIED,         -,                    2026-11-28T17:00:00Z
            """)
    void seedOffice(String username, String console, String now, Verdict verdict, String until, String next) {
        Decision decision = AccessPolicy.decide(user(username), console, RULES, List.of(), at(now));
        Expect.decision(decision, verdict, until, next);
    }

    @Test
    void dashboardForEveryConsoleAUserHasARuleFor() {
        Map<String, Decision> charlie = AccessPolicy.decideAll(user("charlie"), RULES, List.of(), at("2026-11-23T09:00:00Z"));
        assertEquals(List.of("debianx"), List.copyOf(charlie.keySet()));
        Expect.decision(charlie.get("debianx"), Verdict.ALLOWED, "2026-11-23T17:00:00Z", "2026-11-24T07:00:00Z");

        Map<String, Decision> anne = AccessPolicy.decideAll(user("anne"), RULES,
                List.of(TestData.approved(3, "debianx", "2026-11-23T08:00:00Z", "2026-11-23T10:00:00Z")), at("2026-11-23T09:00:00Z"));
        assertEquals(List.of("debianx", "leaptest"), List.copyOf(anne.keySet()));
        Expect.decision(anne.get("debianx"), Verdict.ALLOWED, "2026-11-23T10:00:00Z", null);
        assertEquals(3L, anne.get("debianx").approvedRequestId());
        Expect.decision(anne.get("leaptest"), Verdict.NEEDS_APPROVAL, null, "2026-11-25T07:00:00Z");

        assertEquals(Map.of(), AccessPolicy.decideAll(user("nobody"), RULES, List.of(), at("2026-11-23T09:00:00Z")));
    }
}
