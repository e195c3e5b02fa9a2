package io.spicegate.audit;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
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
 * Events that come in floods from whoever can send requests — failed enrollments, logins refused while an account is
 * locked, login names or passwords no account can have. Each would otherwise write a row under the chain's lock, so a
 * flood slowed every audited change and buried real events. The first event of a key (action, source, account) in a
 * window is audited at once; the others are only counted, and when the window closes a periodic flush writes one
 * summary row with the count, whether or not another request arrives. The tally is in this replica's memory: it
 * protects this replica, and a restart writes what it has counted and forgets the rest.
 */
@ApplicationScoped
public class RepeatedEvents {

    /** What is counted together. */
    public record Key(String action, String source, String username) { }

    /** This event's place in its window: {@code count} events so far (1 for the first), the window's end. */
    public record Occurrence(int count, Instant windowEnds) { }

    /** At most this many keys are tallied; beyond it the oldest windows are closed early (and summarised). */
    static final int MAX_KEYS = 100_000;

    @Inject Clock clock;
    @Inject AuditLog audit;

    /** One key's events in the current window; {@code unaudited} of them are not in the audit log yet. */
    private static final class Tally {
        final Instant start;
        final Duration window;
        final String what;
        Instant last;
        int count;
        int unaudited;
        int refused;

        Tally(Instant start, Duration window, String what) {
            this.start = start;
            this.window = window;
            this.what = what;
            this.last = start;
        }

        boolean expired(Instant now) {
            // after its length, or at once if the clock was set back before it began
            return !now.isBefore(start.plus(window)) || now.isBefore(start);
        }
    }

    /** A closed window still to be audited. */
    private record Summary(Key key, Tally tally) { }

    private final Map<Key, Tally> tallies = new HashMap<>();
    private final List<Summary> closed = new ArrayList<>();

    /**
     * Counts one event of {@code key}. The first of a window is appended now as {@code first}; later ones are
     * summarised as "N more {@code what} between … and …".
     */
    public Occurrence occurred(Key key, AuditLog.Entry first, String what, Duration window, Instant now) {
        Occurrence occurrence;
        boolean isFirst;
        synchronized (this) {
            Tally t = tallies.get(key);
            if (t != null && t.expired(now)) {
                close(key, t);
                tallies.remove(key);
                t = null;
            }
            isFirst = t == null;
            if (isFirst) {
                if (tallies.size() >= MAX_KEYS) {
                    closeOldest();
                }
                t = new Tally(now, window, what);
                tallies.put(key, t);
            } else {
                t.unaudited++;
            }
            t.count++;
            t.last = now;
            occurrence = new Occurrence(t.count, t.start.plus(t.window));
        }
        if (isFirst) {
            audit.append(first, now);
        }
        return occurrence;
    }

    /** Counts that the last event of {@code key} was answered 429; the summary says how many were. */
    public synchronized void refused(Key key) {
        Tally t = tallies.get(key);
        if (t != null) {
            t.refused++;
        }
    }

    /** Writes a summary row for every window that has closed (and that counted events not yet audited). */
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
            Log.warnf("could not audit the repeated events counted before shutdown: %s", e.getMessage());
        }
    }

    private synchronized List<Summary> take(Instant now, boolean all) {
        for (Iterator<Map.Entry<Key, Tally>> it = tallies.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Tally> e = it.next();
            if (all || e.getValue().expired(now)) {
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
            Tally t = s.tally();
            audit.append(AuditLog.event(s.key().action()).actor(s.key().username() == null ? "agent" : s.key().username())
                    .user(s.key().username()).source(s.key().source())
                    .detail(t.unaudited + " more " + t.what + " between " + t.start + " and " + t.last
                            + (t.refused > 0 ? " (" + t.refused + " answered 429)" : "")), now);
        }
    }

    private void close(Key key, Tally t) {
        if (t.unaudited > 0) {
            closed.add(new Summary(key, t));
        }
    }

    private void closeOldest() {
        tallies.entrySet().stream().min(java.util.Comparator.comparing(e -> e.getValue().start)).ifPresent(e -> {
            close(e.getKey(), e.getValue());
            tallies.remove(e.getKey());
        });
    }
}
