package io.spicegate.archfixture.clean.audit;

import io.spicegate.archfixture.clean.shared.Json;

/** ArchitectureTest fixture: audit names only shared. */
public class Trail {

    public Json json = new Json();
}
