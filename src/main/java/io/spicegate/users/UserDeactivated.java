package io.spicegate.users;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A user was deactivated (fired in the admin's transaction): his live console sessions end with {@link #reason()};
 * observers add the number they ended to {@code revoked}, which the audit line reports.
 */
public record UserDeactivated(long userId, String admin, AtomicInteger revoked) {

    public String reason() {
        return "account deactivated";
    }
}
