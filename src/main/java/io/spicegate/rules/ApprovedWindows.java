package io.spicegate.rules;

import io.spicegate.access.ApprovedWindow;

import java.time.Instant;
import java.util.List;

/**
 * The user's approved off-hours requests as one-off windows, as the access decision reads them. Declared here,
 * implemented by the requests feature, so that rules never reads the requests table.
 */
public interface ApprovedWindows {

    /**
     * The approved windows of the user still running at {@code now} or later (only those matter to a decision
     * at {@code now}), of one console or of all when {@code consoleId} is null, by request id.
     */
    List<ApprovedWindow> of(long userId, Long consoleId, Instant now);
}
