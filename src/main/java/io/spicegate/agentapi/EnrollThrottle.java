package io.spicegate.agentapi;

import io.spicegate.audit.AuditLog;
import io.spicegate.audit.RepeatedEvents;
import io.spicegate.shared.Problem;
import io.spicegate.shared.SpicegateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Failed enrollments per source address (issue 13 point 6): each would otherwise write an audit row under the
 * chain's lock, so a flood of bogus tokens slowed every other change. They are audited as {@link RepeatedEvents}
 * (the first of a window at once, the rest in one summary row), and after
 * {@code spicegate.agent.enroll-failure-limit} of them in a window the address is answered 429 until the window
 * closes. In this replica's memory: it protects this replica only.
 */
@ApplicationScoped
public class EnrollThrottle {

    @Inject Clock clock;
    @Inject RepeatedEvents repeated;
    @Inject SpicegateConfig config;

    /**
     * Counts a failed enrollment from {@code source} and returns what to answer: {@code refusal} itself (401) within
     * the limit, 429 with Retry-After beyond it.
     */
    public Problem failed(String source, Problem refusal) {
        Instant now = clock.instant();
        Duration window = Duration.ofSeconds(config.agent().enrollFailureWindowSeconds());
        RepeatedEvents.Key key = new RepeatedEvents.Key("ENROLL_FAILED", source, null);
        RepeatedEvents.Occurrence o = repeated.occurred(key, AuditLog.event("ENROLL_FAILED").actor("agent").source(source)
                        .detail("unknown, used or expired token; further failures from this address are counted and "
                                + "audited together"),
                "failed enrollment(s) from this address", window, now);
        if (o.count() <= config.agent().enrollFailureLimit()) {
            return refusal;
        }
        repeated.refused(key);
        long retryAfter = Math.max(1, Duration.between(now, o.windowEnds()).toSeconds());
        return Problem.tooManyRequests("Too many failed enrollments from " + source + ": wait " + retryAfter
                + " seconds, then enroll with the token the administrator was shown (ask for a new one if it expired).",
                (int) Math.min(Integer.MAX_VALUE, retryAfter));
    }
}
