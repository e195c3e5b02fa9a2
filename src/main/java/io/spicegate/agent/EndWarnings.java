package io.spicegate.agent;

import io.spicegate.protocol.Grant;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * When to warn a granted user that the session ends (DESIGN.md rule 2: 15, 5 and 1 minute before), timed like
 * expiry on the agent's monotonic clock from each grant's deadline, so skew cannot move a warning. Each threshold
 * is shown once per grant. Thresholds already behind when a grant is first seen are skipped (a grant first seen
 * with 3 minutes left gets only the 1-minute warning); when the portal moves the end later (Extend: a larger
 * {@code notAfter}) the thresholds that now lie ahead are armed again; an ended grant forgets its pending ones.
 * When a tick comes late and several thresholds passed, only the latest is shown. Not thread-safe: the agent calls
 * it under its own lock with the time it read once per operation.
 */
final class EndWarnings {

    /** One warning to show now: the grant, and how long it has left. */
    record Due(Grant grant, long secondsLeft) {

        /** Whole minutes left, rounded up: "ends in 5 minutes" just after the 5-minute mark. */
        long minutesLeft() {
            return Math.max(1, (secondsLeft + 59) / 60);
        }
    }

    /** What changed at one instant: warnings to show, and sessions whose grant ended (their warnings go too). */
    record Update(List<Due> due, Set<String> ended) {
    }

    /** A grant being watched: the end the portal named, and the index of the next threshold not yet handled. */
    private record Armed(Instant notAfter, int next) {
    }

    private final long[] thresholds;
    private final Map<String, Armed> armed = new HashMap<>();

    /** Warns at each of {@code minutes} before a grant's end (any order, whole minutes). */
    EndWarnings(List<Integer> minutes) {
        this.thresholds = minutes.stream().distinct().sorted((a, b) -> b - a)
                .mapToLong(m -> TimeUnit.MINUTES.toNanos(m)).toArray();
    }

    /** The schedule the config asks for, or null with {@code notify=false} (then nothing is ever shown). */
    static EndWarnings of(AgentConfig config) {
        return config.desktopWarnings() ? new EndWarnings(config.notifyMinutes()) : null;
    }

    /** Looks at the live grants at {@code now} (monotonic nanos): the warnings due, and the grants that ended. */
    Update update(List<GrantBook.Entry> live, long now) {
        List<Due> due = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (GrantBook.Entry entry : live) {
            Grant grant = entry.grant();
            if (!seen.add(grant.session())) {
                continue;
            }
            long left = entry.deadline() - now;
            Armed known = armed.get(grant.session());
            int next;
            if (known == null || later(grant.notAfter(), known.notAfter())) {
                next = firstAhead(left); // first sight or extended: what is already behind is not shown
            } else {
                next = known.next();
            }
            boolean crossed = false;
            while (next < thresholds.length && left <= thresholds[next]) {
                next++;
                crossed = true;
            }
            if (crossed && left > 0) {
                due.add(new Due(grant, TimeUnit.NANOSECONDS.toSeconds(left + TimeUnit.SECONDS.toNanos(1) - 1)));
            }
            Instant notAfter = grant.notAfter() != null || known == null ? grant.notAfter() : known.notAfter();
            armed.put(grant.session(), new Armed(notAfter, next));
        }
        Set<String> ended = new HashSet<>(armed.keySet());
        ended.removeAll(seen);
        armed.keySet().removeAll(ended);
        return new Update(due, ended);
    }

    /** The index of the first threshold that still lies ahead with {@code left} nanos to go. */
    private int firstAhead(long left) {
        int i = 0;
        while (i < thresholds.length && left <= thresholds[i]) {
            i++;
        }
        return i;
    }

    private static boolean later(Instant candidate, Instant known) {
        return candidate != null && (known == null || candidate.isAfter(known));
    }
}
