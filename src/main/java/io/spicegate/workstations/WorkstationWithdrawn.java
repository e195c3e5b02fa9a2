package io.spicegate.workstations;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A workstation is being disabled or removed (fired in the admin's transaction, before its row changes, so the
 * sessions' rows are locked first): its live console sessions end with {@link #reason()}; observers add the number
 * they ended to {@code revoked}, which the audit line reports. On removal the session log keeps its name only.
 */
public record WorkstationWithdrawn(long workstationId, String name, boolean removed, String admin, AtomicInteger revoked) {

    public String reason() {
        return "workstation " + name + (removed ? " removed" : " disabled");
    }
}
