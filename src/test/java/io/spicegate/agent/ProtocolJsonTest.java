package io.spicegate.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spicegate.protocol.Ack;
import io.spicegate.protocol.Grant;
import io.spicegate.protocol.GrantError;
import io.spicegate.protocol.GrantSet;
import io.spicegate.protocol.HostFacts;
import io.spicegate.protocol.ProtocolJson;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wire form: {@code protected} maps to {@code protectedDestinations}, ISO instants, unknown keys ignored. */
class ProtocolJsonTest {

    private final ObjectMapper mapper = ProtocolJson.mapper();

    @Test
    void readsTheGrantSetAsThePortalSendsIt() throws Exception {
        String json = """
                {"version": 7, "leaseSeconds": 90, "strict": false, "somethingNew": {"x": 1},
                 "protected": [{"address": "10.99.1.2", "ports": [20002, 20004]}],
                 "grants": [{"session": "3f1c", "user": "maggie", "console": "leaptest", "address": "10.99.1.2",
                             "ports": [20004], "notAfter": "2026-11-26T17:00:00Z", "secondsLeft": 3600, "launchFile": null}]}
                """;
        GrantSet set = mapper.readValue(json, GrantSet.class);
        assertEquals(7, set.version());
        assertEquals(90, set.leaseSeconds());
        assertEquals(List.of(Grants.destination("10.99.1.2", 20002, 20004)), set.protectedDestinations());
        assertEquals("maggie", set.grants().get(0).user());
        assertEquals(Instant.parse("2026-11-26T17:00:00Z"), set.grants().get(0).notAfter());
        assertEquals(3600, set.grants().get(0).secondsLeft());
        assertNull(set.grants().get(0).launchFile());
        assertNull(set.grants().get(0).zone(), "a portal without zones: the agent names the end in its own zone");
    }

    @Test
    void theSameDestinationsListIsWrittenOnceAndReadsBackTheSame() throws Exception {
        List<io.spicegate.protocol.Destination> kept = List.of(Grants.destination("10.99.1.2", 20002, 20004),
                Grants.destination("10.99.1.3", 20006));
        String first = mapper.writeValueAsString(new GrantSet(7, 90, false, kept, List.of()));
        String again = mapper.writeValueAsString(new GrantSet(8, 90, true, kept, List.of()));
        JsonNode a = mapper.readTree(first);
        JsonNode b = mapper.readTree(again);
        assertEquals(a.get("protected"), b.get("protected"), "the kept list writes the same JSON");
        assertEquals(8, b.get("version").asLong(), "the rest of the answer is its own");
        assertTrue(b.get("strict").asBoolean());
        assertEquals(kept, mapper.readValue(again, GrantSet.class).protectedDestinations());
        // another list (the destinations changed) is written from its own content, not from the kept text
        List<io.spicegate.protocol.Destination> changed = List.of(Grants.destination("10.99.1.4", 20010));
        GrantSet after = mapper.readValue(mapper.writeValueAsString(new GrantSet(9, 90, false, changed, List.of())),
                GrantSet.class);
        assertEquals(changed, after.protectedDestinations());
        assertEquals(List.of(), mapper.readValue(mapper.writeValueAsString(new GrantSet(9, 90, false, List.of(), List.of())),
                GrantSet.class).protectedDestinations());
    }

    @Test
    void theGrantsZoneTravelsBothWays() throws Exception {
        Grant grant = new Grant("3f1c", "ralph", "vm3", "10.99.1.2", List.of(20006), Instant.parse("2026-11-26T17:00:00Z"),
                300, null, "Europe/Berlin");
        String json = mapper.writeValueAsString(grant);
        assertEquals("Europe/Berlin", mapper.readTree(json).get("zone").asText());
        assertEquals(grant, mapper.readValue(json, Grant.class));
    }

    /** A grant as an agent built before the zone existed reads it. */
    record OldGrant(String session, String user, String console, String address, List<Integer> ports, Instant notAfter,
                    long secondsLeft, String launchFile) {
    }

    @Test
    void anOlderAgentIgnoresTheZone() throws Exception {
        Grant grant = new Grant("3f1c", "ralph", "vm3", "10.99.1.2", List.of(20006), Instant.parse("2026-11-26T17:00:00Z"),
                300, null, "Europe/Berlin");
        OldGrant old = mapper.readValue(mapper.writeValueAsString(grant), OldGrant.class);
        assertEquals(new OldGrant("3f1c", "ralph", "vm3", "10.99.1.2", List.of(20006), Instant.parse("2026-11-26T17:00:00Z"),
                300, null), old);
    }

    @Test
    void writesProtectedAndIsoInstants() throws Exception {
        GrantSet set = Grants.set(3, 90, List.of(Grants.destination("::1", 20002)),
                Grants.grant("s1", "maggie", "::1", 60, 20002));
        JsonNode tree = mapper.readTree(mapper.writeValueAsString(set));
        assertTrue(tree.has("protected"));
        assertFalse(tree.has("protectedDestinations"));
        assertEquals("2026-11-26T17:00:00Z", tree.get("grants").get(0).get("notAfter").asText());
        assertEquals(set, mapper.readValue(mapper.writeValueAsString(set), GrantSet.class));
    }

    @Test
    void theMixInCanBeAddedToAnotherMapper() throws Exception {
        ObjectMapper portals = new ObjectMapper().findAndRegisterModules();
        ProtocolJson.configure(portals);
        GrantSet set = Grants.set(1, 90, List.of(Grants.destination("10.0.0.1", 1)));
        assertTrue(portals.readTree(portals.writeValueAsString(set)).has("protected"));
    }

    @Test
    void writesTheAck() throws Exception {
        Ack ack = new Ack(7, List.of("s1"), List.of(new GrantError("s2", "no such local user: maggie")),
                new HostFacts("0.1.0", "mylap", false, "/usr/bin/remote-viewer", "root", "spicegrp", "0750", null));
        JsonNode tree = mapper.readTree(mapper.writeValueAsString(ack));
        assertEquals("no such local user: maggie", tree.get("errors").get(0).get("error").asText());
        assertEquals("0750", tree.get("facts").get("remoteViewerMode").asText());
        assertTrue(tree.get("facts").get("drift").isNull());
    }
}
