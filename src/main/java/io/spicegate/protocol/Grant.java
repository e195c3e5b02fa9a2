package io.spicegate.protocol;

import java.time.Instant;
import java.util.List;

/**
 * What one workstation's agent must allow now (DESIGN.md rule 3): Unix user {@code user} may reach
 * {@code address}:{@code ports} until {@code notAfter}. The agent times expiry from {@code secondsLeft} on its
 * own monotonic clock, so skew between the hosts cannot stretch a grant. In strict mode {@code launchFile}
 * carries the .vv the agent writes for the user (a secret: never logged). {@code zone} (an IANA zone id, optional:
 * older portals send none, older agents ignore it) is the zone in which the desktop warnings name the end.
 */
public record Grant(String session, String user, String console, String address, List<Integer> ports,
                    Instant notAfter, long secondsLeft, String launchFile, String zone) {

    /** A grant without a zone (as older portals send it): the agent names the end in its own zone. */
    public Grant(String session, String user, String console, String address, List<Integer> ports,
                 Instant notAfter, long secondsLeft, String launchFile) {
        this(session, user, console, address, ports, notAfter, secondsLeft, launchFile, null);
    }

    @Override
    public String toString() {
        return "Grant[" + session + " " + user + " -> " + address + ":" + ports + " until " + notAfter + "]";
    }
}
