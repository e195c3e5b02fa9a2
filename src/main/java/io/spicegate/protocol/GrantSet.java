package io.spicegate.protocol;

import java.util.List;

/**
 * The answer to a workstation agent's long-poll: every live grant of the workstation at {@code version},
 * every protected destination (REJECTed for everyone not granted; JSON name {@code protected}), and the
 * lease: without a successful poll for that long the agent drops every grant.
 * <p>
 * {@code protectedTag} names the protected list (the same list has the same tag on every replica). An agent that
 * says which list it has ({@code have=<tag>} on its poll) gets the answer without the list while it stands:
 * {@code protected} is then absent (null), and the agent keeps the list it has. Thousands of destinations are
 * then not sent again to every idle agent at every renewal. Agents that do not say get the list every time.
 */
public record GrantSet(long version, long leaseSeconds, boolean strict, List<Destination> protectedDestinations,
                       List<Grant> grants, String protectedTag) {

    /** An answer that names no tag for its protected list (as portals before the tag sent): always sent whole. */
    public GrantSet(long version, long leaseSeconds, boolean strict, List<Destination> protectedDestinations,
                    List<Grant> grants) {
        this(version, leaseSeconds, strict, protectedDestinations, grants, null);
    }

    /** This answer for an agent that has the protected list {@code have} names: without the list when it is this one. */
    public GrantSet forAgentHaving(String have) {
        return have == null || protectedTag == null || !protectedTag.equals(have) ? this
                : new GrantSet(version, leaseSeconds, strict, null, grants, protectedTag);
    }
}
