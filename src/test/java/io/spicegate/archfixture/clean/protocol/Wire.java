package io.spicegate.archfixture.clean.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** ArchitectureTest fixture: a wire record that names java.* and Jackson only. */
public record Wire(@JsonProperty("v") long version) {
}
