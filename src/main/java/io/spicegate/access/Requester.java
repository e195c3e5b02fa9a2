package io.spicegate.access;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/** The person asking: username and the groups he is a member of now. */
public record Requester(String username, Set<String> groups) {

    public Requester {
        Objects.requireNonNull(username, "username");
        groups = groups == null ? Set.of() : Set.copyOf(groups);
    }

    public static Requester of(String username, String... groups) {
        return new Requester(username, Set.copyOf(List.of(groups)));
    }
}
