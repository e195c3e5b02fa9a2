package io.spicegate.requests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumSet;

import static io.spicegate.requests.RequestState.APPROVED;
import static io.spicegate.requests.RequestState.CANCELLED;
import static io.spicegate.requests.RequestState.DENIED;
import static io.spicegate.requests.RequestState.EXPIRED;
import static io.spicegate.requests.RequestState.PENDING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request lifecycle: PENDING goes to exactly one terminal state; terminal states are final. */
class RequestStateTest {

    @ParameterizedTest
    @EnumSource(value = RequestState.class, names = {"APPROVED", "DENIED", "CANCELLED", "EXPIRED"})
    void aPendingRequestMayEndInEachTerminalState(RequestState end) {
        assertEquals(end, PENDING.transitionTo(end));
        assertTrue(end.isTerminal());
    }

    @Test
    void pendingDoesNotBecomePendingAgain() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PENDING.transitionTo(PENDING));
        assertEquals("a request that is PENDING cannot become PENDING", e.getMessage());
        assertThrows(IllegalStateException.class, () -> PENDING.transitionTo(null));
        assertFalse(PENDING.isTerminal());
    }

    @ParameterizedTest
    @EnumSource(value = RequestState.class, names = {"APPROVED", "DENIED", "CANCELLED", "EXPIRED"})
    void terminalStatesAreFinal(RequestState terminal) {
        for (RequestState next : RequestState.values()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> terminal.transitionTo(next),
                    terminal + " -> " + next);
            assertTrue(e.getMessage().contains(terminal + " cannot become " + next), e.getMessage());
        }
    }

    @Test
    void theLifecycleHasFiveStates() {
        assertEquals(EnumSet.of(PENDING, APPROVED, DENIED, CANCELLED, EXPIRED), EnumSet.allOf(RequestState.class));
        assertEquals("approved", APPROVED.text());
    }
}
