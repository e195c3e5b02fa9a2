package io.spicegate.access;

import java.time.Instant;
import java.util.Objects;

/** An approved off-hours request: a one-off ALLOW interval [start, end) for one console. */
public record ApprovedWindow(long requestId, String console, Instant start, Instant end) {

    public ApprovedWindow {
        Objects.requireNonNull(console, "console");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!start.isBefore(end)) {
            throw new IllegalArgumentException("approved window " + requestId + " must end after it starts");
        }
    }

    public Interval interval() {
        return new Interval(start, end);
    }

    /** Half-open, like every window. */
    public boolean holds(Instant t) {
        return !t.isBefore(start) && t.isBefore(end);
    }
}
