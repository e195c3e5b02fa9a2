package io.spicegate.agentapi;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.spicegate.audit.AuditLog;
import io.spicegate.shared.Problem;
import io.spicegate.shared.SpicegateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Failed enrollments per source address (issue 13 point 6): each would otherwise write an audit row under the
 * chain's lock, so a flood of bogus tokens slowed every other change. The first failure of an address in a window is
 * audited at once; the others are only counted, and after {@code spicegate.agent.enroll-failure-limit} of them the
 * address is answered 429 until the window closes. When it closes, a periodic flush writes one summary row with the
 * count, whether or not another request arrives. The tally is in this replica's memory: it protects this replica
 * only, and a restart forgets it (after writing what it has counted).
 */
@ApplicationScoped
public class EnrollThrottle {

    @Inject
    Clock clock;

    @Inject
    AuditLog audit;

    @Inject
    SpicegateConfig config;

    /** One address's failures in the current window; {@code unaudited} of them are not in the audit log yet. */
    private static final class Tally {
        final Instant start;
        Instant last;
        int failures;
        int unaudited;
        int refused;

        Tally(Instant start) {
            this.start = start;
            this.last = start;
        }
    }

    /** A closed window still to be audited. */
    private record Summary(String source, Instant from, Instant to, int failures, int refused) { }

    private final Map<String, Tally> tallies = new HashMap<>();
    private final List<Summary> closed = new ArrayList<>();

    /**
     * Counts a failed enrollment from {@code source} and returns what to answer: {@code refusal} itself (401) within
     * the limit, 429 with Retry-After beyond it. Only the first failure of a window writes an audit row now.
     */
    public Problem failed(String source, Problem refusal) {
        Instant now = clock.instant();
        Duration window = Duration.ofSeconds(config.agent().enrollFailureWindowSeconds());
        boolean first;
        long retryAfter;
        boolean throttled;
        synchronized (this) {
            Tally t = tallies.get(source);
            if (t != null && expired(t, now, window)) {
                close(source, t);
                t = null;
            }
            first = t == null;
            if (first) {
                t = new Tally(now);
                tallies.put(source, t);
            } else {
                t.unaudited++;
            }
            t.failures++;
            t.last = now;
            throttled = t.failures > config.agent().enrollFailureLimit();
            if (throttled) {
                t.refused++;
            }
            retryAfter = Math.max(1, Duration.between(now, t.start.plus(window)).toSeconds());
        }
        if (first) {
            appendFirst(source, now);
        }
        if (!throttled) {
            return refusal;
        }
        return Problem.tooManyRequests("Too many failed enrollments from " + source + ": wait " + retryAfter
                + " seconds, then enroll with the token the administrator was shown (ask for a new one if it expired).",
                (int) Math.min(Integer.MAX_VALUE, retryAfter));
    }

    private void appendFirst(String source, Instant now) {
        audit.append(AuditLog.event("ENROLL_FAILED").actor("agent").source(source)
                .detail("unknown, used or expired token; further failures from this address are counted and audited "
                        + "together"), now);
    }

    /** Writes a summary row for every window that has closed (and that counted failures not yet audited). */
    @Scheduled(every = "5s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @Transactional
    void flush() {
        write(take(clock.instant(), false));
    }

    /** On the way down, whatever was counted is written, windows open or not. */
    void flushAll(@Observes ShutdownEvent stopping) {
        try {
            write(take(clock.instant(), true));
        } catch (RuntimeException e) {
            Log.warnf("could not audit the failed enrollments counted before shutdown: %s", e.getMessage());
        }
    }

    private synchronized List<Summary> take(Instant now, boolean all) {
        Duration window = Duration.ofSeconds(config.agent().enrollFailureWindowSeconds());
        for (Iterator<Map.Entry<String, Tally>> it = tallies.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Tally> e = it.next();
            if (all || expired(e.getValue(), now, window)) {
                close(e.getKey(), e.getValue());
                it.remove();
            }
        }
        List<Summary> out = List.copyOf(closed);
        closed.clear();
        return out;
    }

    private void write(List<Summary> summaries) {
        Instant now = clock.instant();
        for (Summary s : summaries) {
            audit.append(AuditLog.event("ENROLL_FAILED").actor("agent").source(s.source())
                    .detail(s.failures() + " more failed enrollment(s) from this address between " + s.from() + " and "
                            + s.to() + " (" + s.refused() + " answered 429)"), now);
        }
    }

    private void close(String source, Tally t) {
        if (t.unaudited > 0) {
            closed.add(new Summary(source, t.start, t.last, t.unaudited, t.refused));
        }
    }

    /** A window closes after its length, or at once if the clock was set back before it began. */
    private static boolean expired(Tally t, Instant now, Duration window) {
        return !now.isBefore(t.start.plus(window)) || now.isBefore(t.start);
    }
}
