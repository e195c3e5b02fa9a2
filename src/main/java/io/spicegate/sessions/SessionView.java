package io.spicegate.sessions;

import java.time.Instant;
import java.util.UUID;

/**
 * A console session as the API shows it to its owner. {@code firewall}: the workstation agent's rule
 * ({@code none}/{@code pending}/{@code ready}/{@code error}); {@code ticket}: the host agent's one-time password, likewise.
 */
public record SessionView(UUID id, String console, String workstation, Instant startsAt, Instant endsAt,
                          String state, long secondsLeft, String vvUrl, boolean vvAvailable, String firewall,
                          String ticket) {

    static SessionView of(ConsoleSession s, Instant now) {
        boolean live = s.isLiveAt(now);
        long left = live ? Math.max(0, java.time.Duration.between(now, s.endsAt).toSeconds()) : 0;
        String state = s.state == SessionState.ACTIVE && !live ? SessionState.EXPIRED.name() : s.state.name();
        return new SessionView(s.id, s.consoleName, s.workstationName, s.startsAt, s.endsAt, state, left,
                "/api/v1/sessions/" + s.id + "/console.vv", live && s.vvFetchedAt == null, s.firewallState(),
                s.ticketState());
    }
}
