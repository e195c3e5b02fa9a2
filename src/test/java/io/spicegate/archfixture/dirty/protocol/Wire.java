package io.spicegate.archfixture.dirty.protocol;

/** ArchitectureTest fixture: a wire record that names a class of ours by its fully-qualified name. */
public record Wire(io.spicegate.archfixture.dirty.shared.Json json) {
}
