package io.spicegate.workstations;

/**
 * A workstation changed, was re-enrolled or removed (fired in the admin's transaction, after the change): its
 * agent fetches its grants again (unless {@code removed}), and guarded hosts the addresses they admit.
 */
public record WorkstationChanged(long workstationId, boolean removed) { }
