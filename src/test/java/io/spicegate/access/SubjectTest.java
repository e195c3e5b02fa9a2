package io.spicegate.access;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.spicegate.access.TestData.at;
import static java.time.DayOfWeek.FRIDAY;
import static java.time.DayOfWeek.MONDAY;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rules apply by console and by subject: the user himself, or a group he is a member of now. */
class SubjectTest {

    private static final List<AccessRule> RULES = List.of(
            RuleBuilder.allowGroup("accounting", "debianx").window(MONDAY, FRIDAY, "08:00", "18:00").build(),
            RuleBuilder.allow("boss", "debianx").everyDay("18:00", "23:00").build(),
            RuleBuilder.allow("charlie", "leaptest").always().build());

    @ParameterizedTest(name = "{0} [{1}] on {2} at {3}: {4}")
    @CsvSource(nullValues = "-", textBlock = """
            # user,  groups,             console,  now,                   verdict, until,                next
            charlie, accounting,         debianx,  2026-11-23T09:00:00Z,  ALLOWED, 2026-11-23T17:00:00Z, 2026-11-24T07:00:00Z
            anne,    dev accounting,     debianx,  2026-11-23T09:00:00Z,  ALLOWED, 2026-11-23T17:00:00Z, 2026-11-24T07:00:00Z
            # not in the group: the group's rule is ignored, including its next window
            anne,    dev,                debianx,  2026-11-23T09:00:00Z,  DENIED,  -,                    -
            anne,    -,                  debianx,  2026-11-23T09:00:00Z,  DENIED,  -,                    -
            # group names are not user names and vice versa
            accounting, -,               debianx,  2026-11-23T09:00:00Z,  DENIED,  -,                    -
            charlie, boss,               debianx,  2026-11-23T19:00:00Z,  DENIED,  -,                    -
            # boss's rule is his alone
            boss,    -,                  debianx,  2026-11-23T19:00:00Z,  ALLOWED, 2026-11-23T22:00:00Z, 2026-11-24T17:00:00Z
            # charlie's always-rule is for another console
            charlie, -,                  debianx,  2026-11-23T09:00:00Z,  DENIED,  -,                    -
            charlie, -,                  leaptest, 2026-11-23T09:00:00Z,  ALLOWED, -,                    -
            charlie, -,                  vm3,      2026-11-23T09:00:00Z,  DENIED,  -,                    -
            """)
    void appliesBySubjectAndConsole(String username, String groups, String console, String now,
                                    Verdict verdict, String until, String next) {
        Requester who = groups == null ? Requester.of(username) : Requester.of(username, groups.split(" "));
        Expect.decision(AccessPolicy.decide(who, console, RULES, List.of(), at(now)), verdict, until, next);
    }

    @Test
    void subjectIsExactlyOneOfUserOrGroup() {
        assertThrows(IllegalArgumentException.class, () -> new Subject("charlie", "accounting"));
        assertThrows(IllegalArgumentException.class, () -> new Subject(null, null));
        assertThrows(IllegalArgumentException.class, () -> Subject.user(" "));
        assertTrue(Subject.user("charlie").matches(Requester.of("charlie")));
        assertTrue(Subject.group("accounting").matches(Requester.of("anne", "accounting")));
        assertFalse(Subject.group("accounting").matches(Requester.of("accounting")));
        assertFalse(Subject.user("charlie").matches(Requester.of("anne", "charlie")));
    }
}
