package io.spicegate.access;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static java.time.DayOfWeek.FRIDAY;
import static java.time.DayOfWeek.MONDAY;
import static java.time.DayOfWeek.THURSDAY;
import static java.time.DayOfWeek.TUESDAY;
import static java.time.DayOfWeek.WEDNESDAY;

/** The seed's office (DESIGN "Demo data") as rules, plus small shortcuts for instants and requesters. */
final class TestData {

    private TestData() {
    }

    static Requester user(String username, String... groups) {
        return Requester.of(username, groups);
    }

    static Instant at(String instant) {
        return instant == null || instant.isBlank() ? null : Instant.parse(instant);
    }

    static ApprovedWindow approved(long id, String console, String start, String end) {
        return new ApprovedWindow(id, console, Instant.parse(start), Instant.parse(end));
    }

    /** All ALLOW rules of the demo data, in Europe/Berlin. */
    static List<AccessRule> seedRules() {
        return List.of(
                RuleBuilder.allow("charlie", "debianx").window(MONDAY, FRIDAY, "08:00", "18:00").approvers().build(),
                RuleBuilder.allow("boss", "debianx").everyDay("18:00", "23:00").build(),
                RuleBuilder.allow("maggie", "leaptest").window(Set.of(MONDAY, TUESDAY), "08:00", "18:00").approvers().build(),
                RuleBuilder.allow("anne", "leaptest").window(Set.of(WEDNESDAY, THURSDAY), "08:00", "18:00").approvers().build(),
                RuleBuilder.allow("ralph", "vm3").always().build(),
                RuleBuilder.allow("myself", "debianx").always().build(),
                RuleBuilder.allow("mybro", "leaptest").always().build());
    }
}
