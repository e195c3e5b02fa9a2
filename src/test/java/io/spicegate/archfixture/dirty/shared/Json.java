package io.spicegate.archfixture.dirty.shared;

import io.spicegate.archfixture.dirty.audit.Trail;

/** ArchitectureTest fixture: shared naming a feature. */
public class Json {

    public Trail trail;
}
