package io.spicegate.requests;

import java.util.Locale;

/**
 * The lifecycle of an off-hours request: PENDING, then exactly one terminal state, which is final.
 * The database refuses the other transitions too (trigger {@code access_request_guard}).
 */
public enum RequestState {
    /** Asked, not yet decided: the approvers see it in their inbox. */
    PENDING,
    /** An approver said yes: a one-off window opens the console. */
    APPROVED,
    /** An approver said no, with a note saying why. */
    DENIED,
    /** The requester withdrew it while it was pending. */
    CANCELLED,
    /** Nobody decided in time. */
    EXPIRED;

    public boolean isTerminal() {
        return this != PENDING;
    }

    /** Returns {@code next} if a request in this state may become it; throws otherwise. */
    public RequestState transitionTo(RequestState next) {
        if (this != PENDING || next == null || next == PENDING) {
            throw new IllegalStateException("a request that is " + this + " cannot become " + next);
        }
        return next;
    }

    /** "approved", "pending", ... as sentences use it. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
