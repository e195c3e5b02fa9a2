package io.spicegate.requests;

import io.quarkus.panache.common.Parameters;
import io.spicegate.consoles.Console;
import io.spicegate.rules.AccessService;
import io.spicegate.rules.Rule;
import io.spicegate.shared.Problem;
import io.spicegate.shared.TimeText;
import io.spicegate.users.User;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Look-ups that the request lifecycle and its read-models share: the acting user, his console, who decides. */
final class Requests {

    private Requests() {
    }

    /** The operation's one reading of the clock, at the precision PostgreSQL keeps. */
    static Instant now(Clock clock) {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    static User activeUser(long userId) {
        User user = User.findById(userId);
        if (user == null || !user.active) {
            throw Problem.notLoggedIn();
        }
        return user;
    }

    /** A console the user has any rule for; any other name answers 404, as if it did not exist. */
    static Console ownConsole(AccessService access, User user, String name) {
        if (name == null || name.isBlank()) {
            throw Problem.badRequest("Say which console you ask for: \"console\": \"leaptest\".");
        }
        return access.console(user, name.strip()).orElseThrow(() ->
                Problem.notFound("You have no console named '" + TimeText.clip(name) + "': check My consoles."));
    }

    /** Whether a rule names the user an approver of this request (whatever its state): see {@link Rule#approves}. */
    static boolean approves(long userId, long requestId) {
        return AccessRequest.count("from AccessRequest q where q.id = :id and "
                        + Rule.approves(":me", "q.user.id", "q.console.id", "q.wantedStart"),
                Parameters.with("id", requestId).and("me", userId)) > 0;
    }

    static AccessRequest pendingOf(long userId, long consoleId) {
        return AccessRequest.<AccessRequest>find("user.id = ?1 and console.id = ?2 and state = ?3", userId, consoleId,
                RequestState.PENDING).firstResult();
    }
}
