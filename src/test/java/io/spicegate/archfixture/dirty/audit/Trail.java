package io.spicegate.archfixture.dirty.audit;

/** ArchitectureTest fixture: audit naming a feature. */
public class Trail {

    public String who(io.spicegate.archfixture.dirty.users.UserAdmin users) {
        return String.valueOf(users);
    }
}
