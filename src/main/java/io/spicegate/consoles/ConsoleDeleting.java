package io.spicegate.consoles;

/**
 * A console is about to be deleted (fired before anything changes): an observer for whom the console is still in
 * use vetoes by throwing a {@link io.spicegate.shared.Problem} (409) with a sentence.
 */
public record ConsoleDeleting(long consoleId, String name) { }
