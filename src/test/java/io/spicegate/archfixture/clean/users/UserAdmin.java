package io.spicegate.archfixture.clean.users;

import io.spicegate.archfixture.clean.audit.Trail;

/** ArchitectureTest fixture: a low feature that names audit, not sessions. */
public class UserAdmin {

    public Trail trail = new Trail();
}
