package io.spicegate.agent;

import io.spicegate.protocol.Destination;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static io.spicegate.agent.Grants.grant;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Grants to rules: an unknown user or a malformed grant gets an error and no rule; bad destinations are left out. */
class ResolveTest {

    private final UserDirectory users = user -> switch (user) {
        case "maggie" -> OptionalInt.of(1001);
        case "anne" -> OptionalInt.of(1002);
        default -> OptionalInt.empty();
    };

    @Test
    void unknownUsersGetAnErrorAndNoRule() {
        Agent.Resolved resolved = Agent.resolve(List.of(
                grant("s-1", "maggie", "10.99.1.2", 60, 20004),
                grant("s-2", "nobody-here", "10.99.1.2", 60, 20004),
                grant("s-3", "anne", "fd00::2", 60, 20006)), users);
        assertEquals(List.of(
                new AcceptRule("s-1", "maggie", 1001, "10.99.1.2", List.of(20004)),
                new AcceptRule("s-3", "anne", 1002, "fd00::2", List.of(20006))), resolved.accepts());
        assertEquals(Map.of("s-2", "no such local user: nobody-here"), resolved.errors());
    }

    @Test
    void malformedGrantsGetAnError() {
        Agent.Resolved resolved = Agent.resolve(List.of(
                grant("s-1", "maggie", "mysrv.example", 60, 20004),
                grant("s 2", "maggie", "10.99.1.2", 60, 20004),
                grant("s-3", "maggie", "10.99.1.2", 60, 0),
                grant("s-4", "maggie", "10.99.1.2", 60)), users);
        assertEquals(List.of(), resolved.accepts());
        assertEquals(List.of("s-1", "s 2", "s-3", "s-4"), List.copyOf(resolved.errors().keySet()));
        assertEquals("not an IP address: 'mysrv.example'", resolved.errors().get("s-1"));
    }

    @Test
    void badProtectedDestinationsAreLeftOutNotFatal() {
        assertEquals(List.of(Grants.destination("10.99.1.2", 20002)), Agent.usable(List.of(
                Grants.destination("10.99.1.2", 20002, 0),
                Grants.destination("mysrv", 20002),
                new Destination("10.99.1.3", null))));
        assertEquals(List.of(), Agent.usable(null));
    }
}
