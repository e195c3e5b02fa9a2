package io.spicegate.users;

/**
 * A group is about to be deleted (fired before anything changes): an observer for whom the group is still in use
 * vetoes by throwing a {@link io.spicegate.shared.Problem} (409) with a sentence.
 */
public record GroupDeleting(long groupId, String name) { }
