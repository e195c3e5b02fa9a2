package io.spicegate.archfixture.clean.access;

import java.time.LocalTime;

/** ArchitectureTest fixture: an access class that names only java.*. */
public record Window(LocalTime from, LocalTime to) {
}
