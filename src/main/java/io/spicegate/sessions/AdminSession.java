package io.spicegate.sessions;

import java.time.Instant;
import java.util.UUID;

/** A console session as administrators see it (the admin API's live sessions and revoke). */
public record AdminSession(UUID id, String user, String console, String workstation, String source,
                           Instant startsAt, Instant endsAt, String state, String firewall, Instant grantAppliedAt,
                           Instant endedAt, String endedBy, String endReason) {

    static AdminSession of(ConsoleSession s) {
        return new AdminSession(s.id, s.username, s.consoleName, s.workstationName, s.sourceAddress, s.startsAt,
                s.endsAt, s.state.name(), s.firewallState(), s.grantAppliedAt, s.endedAt, s.endedBy, s.endReason);
    }
}
