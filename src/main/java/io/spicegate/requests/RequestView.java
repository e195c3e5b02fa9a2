package io.spicegate.requests;

import java.time.Instant;

/**
 * A request as the API and pages show it. {@code start} is the wanted start; an approved request opens
 * the console during {@code [approvedStart, approvedEnd)}. {@code decidedBy}/{@code decidedAt} name who
 * closed it and when (the requester for CANCELLED, {@code system} for EXPIRED).
 */
public record RequestView(long id, String requester, String console, Instant start, int minutes, String reason,
                          String state, String note, String decidedBy, Instant decidedAt, Instant approvedStart,
                          Instant approvedEnd, Instant createdAt, Instant expiresAt, String zone) {

    static RequestView of(AccessRequest r) {
        return new RequestView(r.id, r.username, r.consoleName, r.wantedStart, r.minutes, r.reason, r.state.name(),
                r.note, r.decidedBy, r.decidedAt, r.approvedStart, r.approvedEnd, r.createdAt, r.expiresAt, r.zone);
    }

    public boolean pending() {
        return RequestState.PENDING.name().equals(state);
    }
}
