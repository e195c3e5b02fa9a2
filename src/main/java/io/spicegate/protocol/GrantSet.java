package io.spicegate.protocol;

import java.util.List;

/**
 * The answer to a workstation agent's long-poll: every live grant of the workstation at {@code version},
 * every protected destination (REJECTed for everyone not granted; JSON name {@code protected}), and the
 * lease: without a successful poll for that long the agent drops every grant.
 */
public record GrantSet(long version, long leaseSeconds, boolean strict, List<Destination> protectedDestinations,
                       List<Grant> grants) {
}
