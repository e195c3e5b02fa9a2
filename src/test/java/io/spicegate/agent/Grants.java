package io.spicegate.agent;

import io.spicegate.protocol.Destination;
import io.spicegate.protocol.Grant;
import io.spicegate.protocol.GrantSet;

import java.time.Instant;
import java.util.List;

/** Small builders for grants and grant sets in tests. */
final class Grants {

    static final Instant NOT_AFTER = Instant.parse("2026-11-26T17:00:00Z");

    private Grants() {
    }

    static Grant grant(String session, String user, String address, long secondsLeft, Integer... ports) {
        return new Grant(session, user, "leaptest", address, List.of(ports), NOT_AFTER, secondsLeft, null);
    }

    static Grant strictGrant(String session, String user, String console, String address, long secondsLeft,
                             String launchFile, Integer... ports) {
        return new Grant(session, user, console, address, List.of(ports), NOT_AFTER, secondsLeft, launchFile);
    }

    static GrantSet set(long version, long leaseSeconds, List<Destination> protectedDestinations, Grant... grants) {
        return new GrantSet(version, leaseSeconds, false, protectedDestinations, List.of(grants));
    }

    static Destination destination(String address, Integer... ports) {
        return new Destination(address, List.of(ports));
    }
}
