package io.spicegate.archfixture.dirty.sessions;

import io.spicegate.archfixture.dirty.users.UserAdmin;

/** ArchitectureTest fixture: sessions naming users, which names sessions back. */
public class Session {

    public UserAdmin admin;

    public void revoke() {
        admin = null;
    }
}
