package io.spicegate.archfixture.clean.agent;

import io.spicegate.archfixture.clean.protocol.Wire;

/** ArchitectureTest fixture: an agent class that names only protocol. */
public class Poller {

    public long next(Wire wire) {
        return wire.version() + 1;
    }
}
