package io.spicegate.archfixture.dirty.agent;

/** ArchitectureTest fixture: an agent class that names the portal's audit. */
public class Poller {

    public io.spicegate.archfixture.dirty.audit.Trail trail;
}
