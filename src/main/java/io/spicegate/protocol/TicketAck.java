package io.spicegate.protocol;

import java.util.List;

/** Host agent → portal after a ticket set: the version, the sessions whose password is set, and the failures. */
public record TicketAck(long version, List<String> applied, List<GrantError> errors) {
}
