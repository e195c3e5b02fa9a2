package io.spicegate.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spicegate.protocol.Ack;
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
