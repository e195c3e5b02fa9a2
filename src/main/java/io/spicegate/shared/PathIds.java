package io.spicegate.shared;

import java.util.UUID;

/**
 * Ids read from an address ({@code /api/v1/requests/{id}}): one that does not parse names nothing, so it answers
 * 404 with a sentence, as an unknown id does, never a 400 or a stack trace.
 */
public final class PathIds {

    private PathIds() {
    }

    /** A numeric id; {@code hint} (null: none) tells what a real one looks like or where to find one. */
    public static long number(String raw, String what, String hint) {
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw unknown(raw, what, hint);
        }
    }

    /** A UUID id; {@code hint} as for {@link #number}. */
    public static UUID uuid(String raw, String what, String hint) {
        try {
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw unknown(raw, what, hint);
        }
    }

    private static Problem unknown(String raw, String what, String hint) {
        return Problem.notFound("There is no " + what + " '" + TimeText.clip(raw) + "'" + (hint == null ? "." : ": " + hint));
    }
}
