package io.spicegate.archfixture.dirty.cli;

/** ArchitectureTest fixture: a command-line class that names the portal's sessions feature. */
public class Command {

    public io.spicegate.archfixture.dirty.sessions.Session session;
}
