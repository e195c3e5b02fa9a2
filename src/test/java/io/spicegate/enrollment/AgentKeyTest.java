package io.spicegate.enrollment;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The wake-up key's NOTIFY payload is what replicas read: {@code <id>} for a workstation, {@code h<id>} for a host. */
class AgentKeyTest {

    @Test
    void payloadsKeepTheirFormatAndReadBack() {
        assertEquals("42", AgentKey.workstation(42).payload());
        assertEquals("h42", AgentKey.host(42).payload());
        assertEquals(AgentKey.workstation(42), AgentKey.parse("42"));
        assertEquals(AgentKey.host(42), AgentKey.parse("h42"));
        assertEquals(new AgentKey(AgentKind.HOST, 7), AgentKey.parse(AgentKey.host(7).payload()));
    }

    @Test
    void aWorkstationAndAHostOfOneIdAreTwoKeys() {
        assertEquals(2, java.util.Set.of(AgentKey.workstation(5), AgentKey.host(5)).size());
    }

    @Test
    void aPayloadNamingNoAgentIsRefused() {
        assertThrows(NumberFormatException.class, () -> AgentKey.parse("hx"));
        assertThrows(NumberFormatException.class, () -> AgentKey.parse(""));
    }

    @Test
    void theTokenPrefixPicksTheKind() {
        assertEquals(AgentKind.HOST, AgentKind.ofToken(" sgh_abc"));
        assertEquals(AgentKind.WORKSTATION, AgentKind.ofToken("sgw_abc"));
        assertEquals(AgentKind.WORKSTATION, AgentKind.ofToken("junk"));
        assertEquals(AgentKind.WORKSTATION, AgentKind.ofToken(null));
    }
}
