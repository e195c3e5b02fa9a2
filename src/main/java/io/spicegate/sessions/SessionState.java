package io.spicegate.sessions;

import java.util.EnumSet;
import java.util.Set;

/** The lifecycle of a console session: ACTIVE, then exactly one terminal state, which is final. */
public enum SessionState {
    ACTIVE, ENDED, EXPIRED, REVOKED;

    public boolean isTerminal() {
        return this != ACTIVE;
    }

    /** The only transitions are out of ACTIVE; the database refuses the others too. */
    public SessionState transitionTo(SessionState next) {
        Set<SessionState> allowed = this == ACTIVE ? EnumSet.of(ENDED, EXPIRED, REVOKED) : EnumSet.noneOf(SessionState.class);
        if (!allowed.contains(next)) {
            throw new IllegalStateException("a session that is " + this + " cannot become " + next);
        }
        return next;
    }
}
