package io.spicegate.agentapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.ExternalPostgres;
import io.spicegate.testing.PortalProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two packaged replicas on one PostgreSQL. Replica B answers an agent's renewals from the bearers it remembers
 * (no database round trip); the admin revokes the agent on replica A (disables, re-enrolls or removes its
 * machine), and the agent's very next call to B is refused: A's transaction notified every replica, which forgot
 * the bearer. A change made behind the portal's back (plain SQL, no notification) shows that B does remember.
 */
class AgentBearerReplicaIT {

    static ExternalPostgres pg;
    static PortalProcess a;
    static PortalProcess b;
    static Api admin;
    static String db;

    @BeforeAll
    static void start() throws Exception {
        pg = ExternalPostgres.start();
        db = pg.database("spicegate");
        Map<String, String> env = pg.portalEnv(db);
        a = PortalProcess.start("bearer-a", env);
        b = PortalProcess.start("bearer-b", env);
        admin = Api.basic(a.base, "admin", "first-admin-pw");
    }

    @AfterAll
    static void stop() throws Exception {
        try (ExternalPostgres p = pg; PortalProcess y = b; PortalProcess x = a) {
            // closed in reverse order: the portals (which write last seen as they stop), then the database
        }
    }

    @Test
    void bRemembersTheBearerUntilNotified() throws Exception {
        Agent agent = workstationAgent("ws-remembered", "10.81.0.1");
        assertEquals(200, agent.poll(b));
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
            // behind the portal's back, with no NOTIFY: only a replica that asks the database sees it
            st.executeUpdate("update workstation set secret_hash = 'x' where id = " + agent.id);
        }
        assertEquals(200, agent.poll(b), "B answered from the bearer it remembers, without the database");
        assertEquals(401, agent.poll(a), "A never saw this agent: it asked the database");
    }

    @Test
    void disablingOnARefusesTheNextCallOnB() throws Exception {
        revokedOnA(workstationAgent("ws-disabled", "10.81.0.2"),
                ws -> admin.put("/api/v1/admin/workstations/" + ws.id, Map.of("active", false)).expect(200));
    }

    @Test
    void aNewEnrollmentTokenOnARefusesTheNextCallOnB() throws Exception {
        revokedOnA(workstationAgent("ws-reenrolled", "10.81.0.3"),
                ws -> admin.post("/api/v1/admin/workstations/" + ws.id + "/enrollment", Map.of()).expect(201));
    }

    @Test
    void removingOnARefusesTheNextCallOnB() throws Exception {
        revokedOnA(workstationAgent("ws-removed", "10.81.0.4"),
                ws -> admin.delete("/api/v1/admin/workstations/" + ws.id).expect(204));
    }

    @Test
    void aHostReenrolledOnAIsRefusedOnB() throws Exception {
        JsonNode host = admin.post("/api/v1/admin/hosts", Map.of("name", "kvm-bearer", "address", "10.82.0.1")).expect(201).json();
        String secret = Api.anonymous(b.base).post("/api/agent/v1/enroll",
                Map.of("token", host.get("enrollmentToken").asText(), "hostname", "kvm-bearer")).expect(200).json()
                .get("secret").asText();
        Agent agent = new Agent(host.get("id").asLong(), secret, "tickets");
        revokedOnA(agent, h -> admin.post("/api/v1/admin/hosts/" + h.id + "/enrollment", Map.of()).expect(201));
    }

    /** The agent is answered by B twice (remembered), revoked on A, and refused by B at once. */
    private static void revokedOnA(Agent agent, Consumer<Agent> revoke) {
        assertEquals(200, agent.poll(b));
        assertEquals(200, agent.poll(b));
        revoke.accept(agent);
        assertEquals(401, agent.poll(b), "B still let the revoked agent in");
        assertEquals(401, agent.poll(a));
    }

    /** A workstation created on A whose agent enrolled on B. */
    private static Agent workstationAgent(String name, String address) {
        JsonNode ws = admin.post("/api/v1/admin/workstations", Map.of("name", name, "addresses", List.of(address)))
                .expect(201).json();
        String secret = Api.anonymous(b.base).post("/api/agent/v1/enroll",
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
