package io.spicegate.requests;

import io.spicegate.access.Interval;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;

/** The time rules of a request, pure: its approved window, its maximum length, when it expires. */
public final class RequestPolicy {

    private RequestPolicy() {
    }

    /**
     * The one-off window an approval opens: {@code minutes} from the wanted start, or from the approval
     * when that comes later (a late approval never shortens the window, and it is never counted from
     * when the request was made).
     */
    public static Interval approvedWindow(Instant wantedStart, int minutes, Instant approvedAt) {
        Objects.requireNonNull(wantedStart, "wantedStart");
        Objects.requireNonNull(approvedAt, "approvedAt");
        if (minutes < 1) {
            throw new IllegalArgumentException("a request lasts at least one minute");
        }
        Instant start = approvedAt.isAfter(wantedStart) ? approvedAt : wantedStart;
        return new Interval(start, start.plus(Duration.ofMinutes(minutes)));
    }

    /** A request nobody decides is pending during {@code [createdAt, expiresAt)}. */
    public static Instant expiresAt(Instant createdAt, int pendingHours) {
        if (pendingHours < 1) {
            throw new IllegalArgumentException("requests stay pending for at least an hour");
        }
        return createdAt.plus(Duration.ofHours(pendingHours));
    }

    /** Whether a pending request with this expiry is due to expire at {@code now} (half-open, like every window). */
    public static boolean expiredAt(Instant expiresAt, Instant now) {
        return !now.isBefore(expiresAt);
    }

    /**
     * The longest request: the largest {@code maxMinutes} among the ALLOW rules with approvers that
     * cover the requester; a rule without a maximum counts as {@code cap}.
     *
     * @param ruleMaxima one entry per such rule, null where the rule sets no maximum
     */
    public static int maxMinutes(Collection<Integer> ruleMaxima, int cap) {
        int max = 0;
        for (Integer m : ruleMaxima) {
            max = Math.max(max, m == null ? cap : m);
        }
        return ruleMaxima.isEmpty() ? cap : max;
    }
}
