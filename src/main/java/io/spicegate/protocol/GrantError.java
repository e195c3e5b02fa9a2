package io.spicegate.protocol;

/** A grant the agent could not apply, e.g. no such local user. */
public record GrantError(String session, String error) {
}
