package io.spicegate.access;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The value types refuse shapes the domain has no meaning for. */
class ModelTest {

    private static final LocalTime EIGHT = LocalTime.of(8, 0);
    private static final LocalTime SIX_PM = LocalTime.of(18, 0);

    @Test
    void weeklyWindowNeedsDaysAndTimes() {
        assertThrows(IllegalArgumentException.class, () -> new WeeklyWindow(Set.of(), EIGHT, SIX_PM));
        assertThrows(NullPointerException.class, () -> new WeeklyWindow(null, EIGHT, SIX_PM));
        assertThrows(NullPointerException.class, () -> new WeeklyWindow(Set.of(DayOfWeek.MONDAY), null, SIX_PM));
        assertThrows(NullPointerException.class, () -> new WeeklyWindow(Set.of(DayOfWeek.MONDAY), EIGHT, null));
        Set<DayOfWeek> withNull = new HashSet<>();
        withNull.add(null);
        assertThrows(IllegalArgumentException.class, () -> new WeeklyWindow(withNull, EIGHT, SIX_PM));
    }

    @Test
    void weeklyWindowKeepsItsOwnCopyOfTheDays() {
        Set<DayOfWeek> days = EnumSet.of(DayOfWeek.MONDAY);
        WeeklyWindow window = new WeeklyWindow(days, EIGHT, SIX_PM);
        days.add(DayOfWeek.TUESDAY);
        assertEquals(Set.of(DayOfWeek.MONDAY), window.days());
        assertThrows(UnsupportedOperationException.class, () -> window.days().add(DayOfWeek.FRIDAY));
        assertTrue(window.opensOn(DayOfWeek.MONDAY));
        assertFalse(window.opensOn(DayOfWeek.TUESDAY));
        assertFalse(window.crossesMidnight());
        assertTrue(new WeeklyWindow(days, SIX_PM, EIGHT).crossesMidnight());
        assertTrue(new WeeklyWindow(days, EIGHT, EIGHT).crossesMidnight());
    }

    @Test
    void ruleValidation() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        Subject charlie = Subject.user("charlie");
        Instant t = Instant.parse("2026-11-23T00:00:00Z");
        assertThrows(IllegalArgumentException.class,
                () -> new AccessRule(1, "debianx", charlie, Effect.ALLOW, berlin, List.of(), false, 0, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new AccessRule(1, "debianx", charlie, Effect.ALLOW, berlin, List.of(), false, null, t, t));
        assertThrows(NullPointerException.class,
                () -> new AccessRule(1, "debianx", charlie, Effect.ALLOW, null, List.of(), false, null, null, null));
        assertThrows(NullPointerException.class,
                () -> new AccessRule(1, null, charlie, Effect.ALLOW, berlin, List.of(), false, null, null, null));
        assertDoesNotThrow(() -> new AccessRule(1, "debianx", charlie, Effect.ALLOW, berlin, List.of(), true, null, null, t));
    }

    @Test
    void validityIsHalfOpen() {
        AccessRule rule = RuleBuilder.allow("charlie", "debianx")
                .validFrom("2026-11-23T00:00:00Z").validUntil("2026-11-24T00:00:00Z").build();
        assertFalse(rule.validAt(Instant.parse("2026-11-22T23:59:59.999Z")));
        assertTrue(rule.validAt(Instant.parse("2026-11-23T00:00:00Z")));
        assertTrue(rule.validAt(Instant.parse("2026-11-23T23:59:59.999Z")));
        assertFalse(rule.validAt(Instant.parse("2026-11-24T00:00:00Z")));
    }

    @Test
    void intervalsAndApprovedWindowsAreNonEmptyAndHalfOpen() {
        Instant t = Instant.parse("2026-11-23T00:00:00Z");
        assertThrows(IllegalArgumentException.class, () -> new Interval(t, t));
        assertThrows(IllegalArgumentException.class, () -> new ApprovedWindow(1, "debianx", t, t.minusSeconds(1)));
        Interval hour = new Interval(t, t.plusSeconds(3600));
        assertTrue(hour.contains(t));
        assertFalse(hour.contains(t.plusSeconds(3600)));
        assertFalse(hour.overlaps(t.plusSeconds(3600), t.plusSeconds(7200)));
    }

    @Test
    void onlyAllowedDecisionsCarryUntilMinutesAndRequest() {
        Instant t = Instant.parse("2026-11-23T00:00:00Z");
        assertThrows(IllegalArgumentException.class, () -> new Decision(Verdict.DENIED, t, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Decision(Verdict.NEEDS_APPROVAL, null, null, 60, null));
        assertThrows(IllegalArgumentException.class, () -> new Decision(Verdict.DENIED, null, null, null, 1L));
        assertDoesNotThrow(() -> new Decision(Verdict.DENIED, null, t, null, null));
    }

    @Test
    void requesterGroupsAreCopied() {
        assertEquals(Set.of(), new Requester("anne", null).groups());
        assertEquals(Set.of("a", "b"), Requester.of("anne", "a", "b", "a").groups());
    }
}
