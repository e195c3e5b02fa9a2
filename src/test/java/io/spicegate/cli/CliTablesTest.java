package io.spicegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.time.ZoneId;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The tables and times the command prints, in the terminal's zone, from the API's JSON. */
class CliTablesTest {

    static final TimeText BERLIN = new TimeText(FakeApi.NOW, ZoneId.of("Europe/Berlin"));

    @ParameterizedTest
    @CsvSource({
            "2026-12-03T16:35:20Z, now",
            "2026-12-03T17:00:00Z, in 25 min",
            "2026-12-03T18:05:00Z, in 1 h 30 min",
            "2026-12-03T18:35:00Z, in 2 h",
            "2026-12-03T16:25:00Z, 10 min ago",
            "2026-12-04T16:34:00Z, in 23 h 59 min",
    })
    void relativeTimes(String instant, String expected) {
        assertEquals(expected, BERLIN.relative(Instant.parse(instant)));
    }

    @Test
    void timesAreLocalWithTheZoneAndRelativeOnlyWithinADay() {
        assertEquals("2026-12-03 19:05 CET (in 1 h 30 min)", BERLIN.atRelative(Instant.parse("2026-12-03T18:05:00Z")));
        assertEquals("2026-12-07 08:00 CET", BERLIN.atRelative(Instant.parse("2026-12-07T07:00:00Z")));
        assertNull(BERLIN.relative(Instant.parse("2026-12-07T07:00:00Z")));
        assertEquals("2026-07-01 10:00 CEST", BERLIN.at(Instant.parse("2026-07-01T08:00:00Z")));
        assertEquals("2026-12-03 16:35 UTC", new TimeText(FakeApi.NOW, ZoneId.of("UTC")).at(FakeApi.NOW));
        assertEquals("-", BERLIN.atRelative(null));
    }

    @Test
    void consolesShowTheFactsOfMyConsoles() throws Exception {
        JsonNode consoles = new ObjectMapper().readTree("""
                [{"name": "debianx", "decision": "ALLOWED", "until": "2026-12-03T17:00:00Z", "nextWindowStart": null,
                  "inUseBy": null, "inUseUntil": null},
                 {"name": "leaptest", "decision": "NEEDS_APPROVAL", "until": null,
                  "nextWindowStart": "2026-12-07T07:00:00Z", "inUseBy": "anne", "inUseUntil": "2026-12-03T17:30:00Z"},
                 {"name": "vm3", "decision": "DENIED", "until": null, "nextWindowStart": null, "inUseBy": null}]
                """);
        assertEquals("""
                CONSOLE   NOW              UNTIL                             NEXT WINDOW           IN USE
                debianx   allowed          2026-12-03 18:00 CET (in 25 min)  -                     -
                leaptest  ask an approver  -                                 2026-12-07 08:00 CET  anne until 2026-12-03 18:30 CET
                vm3       denied           -                                 -                     -
                """, Commands.consolesTable(consoles, BERLIN));
        assertEquals("You have no consoles yet: ask your administrator for access.\n",
                Commands.consolesTable(new ObjectMapper().readTree("[]"), BERLIN));
    }

    @Test
    void sessionsShowConsoleStateWorkstationEndAndId() throws Exception {
        JsonNode sessions = new ObjectMapper().readTree("""
                [{"id": "0f8c2a8e-1111-4222-8333-444455556666", "console": "debianx", "workstation": "mylap",
                  "state": "ACTIVE", "endsAt": "2026-12-03T17:05:00Z"},
                 {"id": "1f8c2a8e-1111-4222-8333-444455556666", "console": "leaptest", "workstation": "mylap",
                  "state": "ENDED", "endsAt": "2026-12-02T09:00:00Z"}]
                """);
        assertEquals("""
                CONSOLE   STATE   WORKSTATION  ENDS                              ID
                debianx   active  mylap        2026-12-03 18:05 CET (in 30 min)  0f8c2a8e-1111-4222-8333-444455556666
                leaptest  ended   mylap        2026-12-02 10:00 CET              1f8c2a8e-1111-4222-8333-444455556666
                """, Commands.sessionsTable(sessions, BERLIN));
    }

    @Test
    void cellsWithControlCharactersCannotMoveTheCursor() {
        assertEquals("A\nx?[2Jy\n", new Table("A").row("x\u001b[2Jy").render());
    }
}
