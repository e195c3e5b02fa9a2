package io.spicegate.requests;

import java.time.Instant;

/**
 * A pending request in an approver's inbox, with what he needs to decide: who, which console, when and
 * why, and the requester's normal windows for that console ("Wed, Thu 08:00–18:00 (Europe/Berlin)").
 */
public record InboxItem(long id, String requester, String requesterName, String console, Instant start, int minutes,
                        String reason, String zone, Instant createdAt, Instant expiresAt, String normalWindows) {
}
