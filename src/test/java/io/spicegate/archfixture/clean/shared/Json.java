package io.spicegate.archfixture.clean.shared;

import io.spicegate.archfixture.clean.protocol.Wire;

/** ArchitectureTest fixture: shared may name protocol. */
public class Json {

    public String write(Wire wire) {
        return "{\"v\":" + wire.version() + "}";
    }
}
