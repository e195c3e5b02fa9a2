package io.spicegate.archfixture.clean.cli;

import io.spicegate.archfixture.clean.protocol.Wire;

/** ArchitectureTest fixture: a command-line class that names only protocol (and java.*). */
public class Command {

    public String show(Wire wire) {
        return java.time.Instant.EPOCH + " v" + wire.version();
    }
}
