package io.spicegate.access;

import java.time.Instant;
import java.util.Objects;

/** A non-empty, half-open stretch of time {@code [start, end)}. */
public record Interval(Instant start, Instant end) {

    public Interval {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!start.isBefore(end)) {
            throw new IllegalArgumentException("interval must end after it starts: [" + start + ", " + end + ")");
        }
    }

    /** Half-open: the start belongs to the interval, the end does not. */
    public boolean contains(Instant t) {
        return !t.isBefore(start) && t.isBefore(end);
    }

    /** True if the two share at least one instant (merely touching does not count). */
    public boolean overlaps(Instant from, Instant to) {
        return start.isBefore(to) && end.isAfter(from);
    }
}
