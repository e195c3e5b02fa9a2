package io.spicegate.agentapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.ExternalPostgres;
import io.spicegate.testing.PortalProcess;
import io.spicegate.testing.Replicas;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two packaged replicas on one PostgreSQL. Replica B answers an agent's renewals from the bearers it remembers
 * (no database round trip); the admin revokes the agent on replica A (disables, re-enrolls or removes its
 * machine), and the agent's very next call to B is refused: A's transaction notified every replica, which forgot
 * the bearer. A change made behind the portal's back (plain SQL, no notification) shows that B does remember.
 */
class AgentBearerReplicaIT {

    static Replicas r;

    @BeforeAll
    static void start() throws Exception {
        // a parked poll runs out after a second (polls without "after" answer at once, as before)
        r = Replicas.start("bearer", ExternalPostgres::portalEnv, Map.of("SPICEGATE_AGENT_POLL_SECONDS", "1"));
    }

    @AfterAll
    static void stop() throws Exception {
        r.close();
    }

    @Test
    void bRemembersTheBearerUntilNotified() throws Exception {
        Agent agent = workstationAgent("ws-remembered", "10.81.0.1");
        assertEquals(200, agent.poll(r.b));
        try (Connection c = r.pg.connect(r.db); Statement st = c.createStatement()) {
            // behind the portal's back, with no NOTIFY: only a replica that asks the database sees it
            st.executeUpdate("update workstation set secret_hash = 'x' where id = " + agent.id);
        }
        assertEquals(200, agent.poll(r.b), "B answered from the bearer it remembers, without the database");
        assertEquals(401, agent.poll(r.a), "A never saw this agent: it asked the database");
    }

    @Test
    void anIdlePollThatRunsOutIsAnsweredFromMemory() throws Exception {
        Agent agent = workstationAgent("ws-idle", "10.81.0.9");
        JsonNode first = Api.bearer(r.b.base, agent.secret).get("/api/agent/v1/grants").expect(200).json();
        long version = first.get("version").asLong();
        assertFalse(first.get("strict").asBoolean());
        double reads = answers(r.b, "read");
        double fromMemory = answers(r.b, "unchanged");
        try (Connection c = r.pg.connect(r.db); Statement st = c.createStatement()) {
            // behind the portal's back, with no NOTIFY and no version bump: only a read of the database would see it
            st.executeUpdate("update workstation set strict_mode = true where id = " + agent.id);
        }
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            JsonNode renewed = Api.bearer(r.b.base, agent.secret).get("/api/agent/v1/grants?after=" + version).expect(200).json();
            assertTrue(System.nanoTime() - t0 >= 900_000_000L, "the poll was parked until its time ran out");
            assertEquals(version, renewed.get("version").asLong());
            assertFalse(renewed.get("strict").asBoolean(), "a renewal that ran out re-read the workstation");
        }
        assertEquals(reads, answers(r.b, "read"), "no renewal read the database");
        assertEquals(fromMemory + 3, answers(r.b, "unchanged"));
        try (Connection c = r.pg.connect(r.db); Statement st = c.createStatement()) {
            st.executeUpdate("update workstation set strict_mode = false where id = " + agent.id);
        }
    }

    @Test
    void aPollIsHeldAsLongAsTheAgentSaysItWaitsAndAtMostThePollSetting() throws Exception {
        Agent agent = workstationAgent("ws-wait", "10.81.0.10");
        long version = Api.bearer(r.b.base, agent.secret).get("/api/agent/v1/grants").expect(200).json().get("version").asLong();
        // an hour asked for, the setting (1 s here) held: the answer comes long before the client gives up
        Api.bearer(r.b.base, agent.secret).get("/api/agent/v1/grants?after=" + version + "&wait=3600", Duration.ofSeconds(20))
                .expect(200);
        Api.Answer zero = Api.bearer(r.b.base, agent.secret).get("/api/agent/v1/grants?after=" + version + "&wait=0");
        assertEquals(400, zero.status());
        assertTrue(zero.body().contains("wait is how many seconds the agent waits"), zero.body());
    }

    /** {@code spicegate_agent_poll_answers_total{answer=...}} of one replica. */
    private static double answers(PortalProcess portal, String answer) {
        String text = Api.anonymous(portal.management).get("/q/metrics").expect(200).body();
        Matcher m = Pattern.compile("(?m)^spicegate_agent_poll_answers_total\\{[^}]*answer=\"" + answer + "\"[^}]*} ([0-9.eE+-]+)$")
                .matcher(text);
        assertTrue(m.find(), "no spicegate_agent_poll_answers_total{answer=\"" + answer + "\"}");
        return Double.parseDouble(m.group(1));
    }

    @Test
    void disablingOnARefusesTheNextCallOnB() throws Exception {
        revokedOnA(workstationAgent("ws-disabled", "10.81.0.2"),
                ws -> r.admin.put("/api/v1/admin/workstations/" + ws.id, Map.of("active", false)).expect(200));
    }

    @Test
    void aNewEnrollmentTokenOnARefusesTheNextCallOnB() throws Exception {
        revokedOnA(workstationAgent("ws-reenrolled", "10.81.0.3"),
                ws -> r.admin.post("/api/v1/admin/workstations/" + ws.id + "/enrollment", Map.of()).expect(201));
    }

    @Test
    void removingOnARefusesTheNextCallOnB() throws Exception {
        revokedOnA(workstationAgent("ws-removed", "10.81.0.4"),
                ws -> r.admin.delete("/api/v1/admin/workstations/" + ws.id).expect(204));
    }

    @Test
    void aHostReenrolledOnAIsRefusedOnB() throws Exception {
        JsonNode host = r.admin.post("/api/v1/admin/hosts", Map.of("name", "kvm-bearer", "address", "10.82.0.1")).expect(201).json();
        String secret = Api.anonymous(r.b.base).post("/api/agent/v1/enroll",
                Map.of("token", host.get("enrollmentToken").asText(), "hostname", "kvm-bearer")).expect(200).json()
                .get("secret").asText();
        Agent agent = new Agent(host.get("id").asLong(), secret, "tickets");
        revokedOnA(agent, h -> r.admin.post("/api/v1/admin/hosts/" + h.id + "/enrollment", Map.of()).expect(201));
    }

    /** The agent is answered by B twice (remembered), revoked on A, and refused by B at once. */
    private static void revokedOnA(Agent agent, Consumer<Agent> revoke) {
        assertEquals(200, agent.poll(r.b));
        assertEquals(200, agent.poll(r.b));
        revoke.accept(agent);
        assertEquals(401, agent.poll(r.b), "B still let the revoked agent in");
        assertEquals(401, agent.poll(r.a));
    }

    /** A workstation created on A whose agent enrolled on B. */
    private static Agent workstationAgent(String name, String address) {
        JsonNode ws = r.admin.post("/api/v1/admin/workstations", Map.of("name", name, "addresses", List.of(address)))
                .expect(201).json();
        String secret = Api.anonymous(r.b.base).post("/api/agent/v1/enroll",
                Map.of("token", ws.get("enrollmentToken").asText(), "hostname", name)).expect(200).json()
                .get("secret").asText();
        return new Agent(ws.get("id").asLong(), secret, "grants");
    }

    /** An enrolled agent: its machine's id, its secret and its feed. */
    private record Agent(long id, String secret, String feed) {

        /** The status of a poll that answers at once (no {@code after}: the agent has nothing yet). */
        int poll(PortalProcess portal) {
            return Api.bearer(portal.base, secret).get("/api/agent/v1/" + feed).status();
        }
    }
}
