package io.spicegate.sessions;

import java.time.Instant;
import java.util.UUID;

/**
 * A console session as the API shows it to its owner. {@code firewall}: the workstation agent's rule
 * ({@code none}/{@code pending}/{@code ready}/{@code error}); on a strict workstation it is {@code ready} only once
 * both agents acked (the rule with the fresh launch file, and the host's ticket). {@code ticket}: the host agent's
 * one-time password, likewise. A strict workstation's session has no {@code vvUrl} (the portal never serves its
 * file) but a {@code command}, what the user runs on the workstation instead. {@code problem}: why the launch file
 * cannot come (an agent failed, or did not answer within the ack timeout), as the user reads it; else null.
 */
public record SessionView(UUID id, String console, String workstation, Instant startsAt, Instant endsAt,
                          String state, long secondsLeft, String vvUrl, boolean vvAvailable, String firewall,
                          String ticket, String command, String problem) {

    /** A warning shows in the last 15 minutes of a live session (with Extend). */
    public static final long WARN_SECONDS = 15 * 60;

    /** Whether the live session is in its last 15 minutes. */
    public boolean endingSoon() {
        return secondsLeft > 0 && secondsLeft <= WARN_SECONDS;
    }

    static SessionView of(ConsoleSession s, Instant now) {
        return of(s, now, null);
    }

    static SessionView of(ConsoleSession s, Instant now, String problem) {
        boolean live = s.isLiveAt(now);
        long left = live ? Math.max(0, java.time.Duration.between(now, s.endsAt).toSeconds()) : 0;
        String state = s.state == SessionState.ACTIVE && !live ? SessionState.EXPIRED.name() : s.state.name();
        boolean strict = s.workstation != null && s.workstation.strict;
        return new SessionView(s.id, s.consoleName, s.workstationName, s.startsAt, s.endsAt, state, left,
                strict ? null : "/api/v1/sessions/" + s.id + "/console.vv", !strict && live && s.vvFetchedAt == null,
                s.launchState(), s.ticketState(), strict ? LaunchFile.strictCommand(s.consoleName) : null,
                live ? problem : null);
    }
}
