package io.spicegate.access;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/** A weekly window: opens on each of {@code days} at {@code from} (local time in the rule's zone), closes at {@code to}. */
public record WeeklyWindow(Set<DayOfWeek> days, LocalTime from, LocalTime to) {

    /**
     * Shapes, all half-open {@code [from, to)}: {@code from < to} within the opening day;
     * {@code to < from} runs past midnight and closes on the next day; {@code from == to} lasts
     * until the same local time on the next day (00:00–00:00 is the calendar day).
     * {@code days} are the days the window OPENS on, so Mon 18:00–02:00 holds Tue 01:30.
     */
    public WeeklyWindow {
        Objects.requireNonNull(days, "days");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (days.isEmpty()) {
            throw new IllegalArgumentException("a window needs at least one day");
        }
        for (DayOfWeek day : days) {
            if (day == null) {
                throw new IllegalArgumentException("a window's days must not contain null");
            }
        }
        days = Collections.unmodifiableSet(EnumSet.copyOf(days));
    }

    /** Whether this window opens on the given day of the week. */
    public boolean opensOn(DayOfWeek day) {
        return days.contains(day);
    }

    /** True if the window closes on the day after it opens (overnight or whole-day window). */
    public boolean crossesMidnight() {
        return !from.isBefore(to);
    }

    /**
     * The occurrence of this window that opens on {@code date} (whether or not {@code date}'s day is
     * in {@code days}), or null when DST squeezes it to nothing (e.g. 02:00–03:00 on spring-forward day).
     */
    Interval occurrenceOpeningOn(LocalDate date, LocalInstants zone) {
        Instant start = zone.at(date, from);
        Instant end = zone.at(crossesMidnight() ? date.plusDays(1) : date, to);
        return start.isBefore(end) ? new Interval(start, end) : null;
    }
}
