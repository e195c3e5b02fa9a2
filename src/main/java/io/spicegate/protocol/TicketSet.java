package io.spicegate.protocol;

import java.util.List;

/**
 * The answer to a host agent's long-poll: at {@code version}, the one-time passwords still to be set on this
 * host's consoles, the source addresses of the enrolled, active workstations (the only ones that may reach the
 * console {@code ports}), and the lease: without a successful poll for that long the agent lets nobody in.
 */
public record TicketSet(long version, long leaseSeconds, List<String> allowed, List<Integer> ports,
                        List<TicketJob> tickets) {
}
