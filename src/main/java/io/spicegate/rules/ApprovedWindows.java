package io.spicegate.rules;

import io.spicegate.access.ApprovedWindow;

import java.time.Instant;
import java.util.List;

/**
 * The user's approved off-hours requests as one-off windows, as the access decision reads them. Declared here,
 * implemented by the requests feature, so that rules never reads the requests table.
 */
public interface ApprovedWindows {

    /** One approved request: its console, its window and who approved it (a copy of the name). */
    record Slot(long requestId, long consoleId, String console, Instant start, Instant end, String approvedBy) {

        public ApprovedWindow window() {
            return new ApprovedWindow(requestId, console, start, end);
        }
    }

    /**
     * The approved requests of the user still running at {@code now} or later, of one console or of all when
     * {@code consoleId} is null, by request id: one query, whatever the number of consoles.
     */
    List<Slot> slots(long userId, Long consoleId, Instant now);

    /**
     * The approved windows of the user still running at {@code now} or later (only those matter to a decision
     * at {@code now}), of one console or of all when {@code consoleId} is null, by request id.
     */
    default List<ApprovedWindow> of(long userId, Long consoleId, Instant now) {
        return slots(userId, consoleId, now).stream().map(Slot::window).toList();
    }
}
