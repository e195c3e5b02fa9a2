package io.spicegate.archfixture.dirty.users;

import io.spicegate.archfixture.dirty.sessions.Session;

/** ArchitectureTest fixture: a low feature reaching up into sessions (and so closing a cycle). */
public class UserAdmin {

    public void deactivate(Session session) {
        session.revoke();
    }
}
