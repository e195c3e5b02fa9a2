package io.spicegate.archfixture.clean.sessions;

import io.spicegate.archfixture.clean.users.UserAdmin;

/** ArchitectureTest fixture: a high feature may name a low one. */
public class Session {

    public UserAdmin users = new UserAdmin();
}
