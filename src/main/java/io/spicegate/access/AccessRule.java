package io.spicegate.access;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;

/** One access rule: who, which console, ALLOW or DENY, in which weekly windows of which zone, and for how long it is valid. */
public record AccessRule(long id, String console, Subject subject, Effect effect, ZoneId zone,
                         List<WeeklyWindow> windows, boolean hasApprovers, Integer maxMinutes,
                         Instant validFrom, Instant validUntil) {

    /**
     * {@code maxMinutes} null means no limit on a session's length; {@code validFrom}/{@code validUntil}
     * null mean open-ended; validity is half-open {@code [validFrom, validUntil)}. A rule without
     * windows never holds, but an ALLOW rule without windows and with approvers still lets its
     * subject ask for access.
     */
    public AccessRule {
        Objects.requireNonNull(console, "console");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(effect, "effect");
        Objects.requireNonNull(zone, "zone");
        windows = List.copyOf(Objects.requireNonNull(windows, "windows"));
        if (maxMinutes != null && maxMinutes <= 0) {
            throw new IllegalArgumentException("rule " + id + ": maxMinutes must be positive, or null for no limit");
        }
        if (validFrom != null && validUntil != null && !validFrom.isBefore(validUntil)) {
            throw new IllegalArgumentException("rule " + id + ": validUntil must be after validFrom");
        }
    }

    /** The rule is about this console and its subject is the requester or one of his groups (validity aside). */
    public boolean appliesTo(Requester who, String console) {
        return this.console.equals(console) && subject.matches(who);
    }

    /** Inside {@code [validFrom, validUntil)}. */
    public boolean validAt(Instant t) {
        return (validFrom == null || !t.isBefore(validFrom)) && (validUntil == null || t.isBefore(validUntil));
    }
}
