package io.spicegate.protocol;

import java.util.List;

/** Agent → portal after applying a grant set: the version, the sessions applied, the errors, the host facts. */
public record Ack(long version, List<String> applied, List<GrantError> errors, HostFacts facts) {
}
