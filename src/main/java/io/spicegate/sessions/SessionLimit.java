package io.spicegate.sessions;

import io.spicegate.access.Decision;
import io.spicegate.shared.TimeText;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/**
 * How far a session may run (DESIGN.md rule 2): the end of the allowed stretch or its start plus the max minutes,
 * whichever comes first. Decided at open, and anew at each Extend.
 *
 * @param at         the latest end
 * @param byMax      true when the max minutes end it before the allowed stretch does
 * @param byRequest  true when the stretch is an approved request's time (no window allows)
 * @param maxMinutes the max minutes counted from {@code start}
 * @param start      when the session started (or starts)
 */
public record SessionLimit(Instant at, boolean byMax, boolean byRequest, int maxMinutes, Instant start) {

    /** Shortest and longest length one may ask for at Open console or Extend. */
    public static final int MIN_MINUTES = 1;
    public static final int MAX_MINUTES = 1440;

    /** The limit of a session starting at {@code start} under an ALLOWED decision; {@code defaultMax} without one. */
    static SessionLimit of(Decision d, Instant start, int defaultMax) {
        int max = d.maxMinutes() != null ? d.maxMinutes() : defaultMax;
        Instant byMax = start.plus(Duration.ofMinutes(max));
        boolean stretchFirst = d.until() != null && !d.until().isAfter(byMax); // a tie reads as the window
        return new SessionLimit(stretchFirst ? d.until() : byMax, !stretchFirst, d.approvedRequestId() != null, max, start);
    }

    /** Whether {@code end} is within the limit. */
    boolean admits(Instant end) {
        return !end.isAfter(at);
    }

    /** Whole minutes from {@code end} to the limit (0 when none is left). */
    public long minutesLeftAfter(Instant end) {
        return Math.max(0, Duration.between(end, at).toMinutes());
    }

    /**
     * "vm3 can run until 18:00 at most: your window ends then." or "vm3 can run until 18:00 at most: 2 h from its
     * start at 16:00." Times in {@code zone}, with the date when not today.
     */
    public String sentence(String console, ZoneId zone, Instant now) {
        String until = console + " can run until " + TimeText.time(at, zone, now) + " at most: ";
        if (byMax) {
            return until + length(maxMinutes) + " from its start at " + TimeText.time(start, zone, now) + ".";
        }
        return until + (byRequest ? "your approved time ends then." : "your window ends then.");
    }

    /** "15 min", "2 h", "1 h 30 min". */
    public static String length(long minutes) {
        if (minutes < 60) {
            return minutes + " min";
        }
        return minutes / 60 + " h" + (minutes % 60 == 0 ? "" : " " + minutes % 60 + " min");
    }

    /** A length one may ask for, or a 400 saying what to send. */
    static int requireMinutes(Integer minutes, String what) {
        if (minutes == null || minutes < MIN_MINUTES || minutes > MAX_MINUTES) {
            throw io.spicegate.shared.Problem.badRequest("Give the minutes " + what + " as a whole number from "
                    + MIN_MINUTES + " to " + MAX_MINUTES + " (24 h), e.g. {\"minutes\": 30}.");
        }
        return minutes;
    }
}
