package io.spicegate.access;

import java.time.Instant;
import java.util.Objects;

/**
 * The access decision for one user, console and instant, with when it ends and when the next window opens.
 *
 * @param until             ALLOWED: end of the allowed stretch; null = beyond the horizon (or not ALLOWED)
 * @param nextWindowStart   start of the next allowed stretch from ALLOW windows strictly after now, or null
 * @param maxMinutes        ALLOWED: largest maxMinutes among the rules that allow now; null = no limit
 * @param approvedRequestId ALLOWED via an approved request (and no window allows): its id, else null
 */
public record Decision(Verdict verdict, Instant until, Instant nextWindowStart, Integer maxMinutes,
                       Long approvedRequestId) {

    public Decision {
        Objects.requireNonNull(verdict, "verdict");
        if (verdict != Verdict.ALLOWED && (until != null || maxMinutes != null || approvedRequestId != null)) {
            throw new IllegalArgumentException("only an ALLOWED decision has until, maxMinutes or approvedRequestId");
        }
    }

    public boolean allowed() {
        return verdict == Verdict.ALLOWED;
    }
}
