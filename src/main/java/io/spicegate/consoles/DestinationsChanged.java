package io.spicegate.consoles;

/**
 * A KVM host or a console was created, changed or removed (fired in the admin's transaction): the protected
 * destinations changed, so every workstation agent and every host agent fetches its set again.
 */
public record DestinationsChanged() { }
