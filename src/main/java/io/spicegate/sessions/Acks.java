package io.spicegate.sessions;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Reading an agent's acknowledgement: the session ids it names, and its free text clipped for storage. */
final class Acks {

    private Acks() {
    }

    /** The well-formed session ids among {@code ids} (null for none), added to {@code out}: its order is the walk's. */
    static <S extends Set<UUID>> S sessions(List<String> ids, S out) {
        for (String id : ids == null ? List.<String>of() : ids) {
            session(id).ifPresent(out::add);
        }
        return out;
    }

    static Optional<UUID> session(String id) {
        try {
            return Optional.of(UUID.fromString(id));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code s} without NUL characters, at most {@code max} long; null stays null. */
    static String clip(String s, int max) {
        if (s == null) {
            return null;
        }
        String c = s.replace('\u0000', '?');
        return c.length() <= max ? c : c.substring(0, max);
    }
}
