package io.spicegate.users;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.ExternalPostgres;
import io.spicegate.testing.PortalProcess;
import io.spicegate.testing.Replicas;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Personal API tokens against two packaged replicas with their production clock and configuration (two database
 * roles): a token made on A works on B; expiry (moved into the past behind the portal's back), revocation and
 * deactivation on A stop it at the very next call on B; 40 parallel revocations over both replicas audit once; the
 * agent API never takes it; uses reach {@code last_used_at}; the secret is in no log line and no audit row.
 */
class ApiTokenIT {

    static Replicas r;

    @BeforeAll
    static void start() throws Exception {
        r = Replicas.start("tokens", ExternalPostgres::portalEnvTwoRoles, Map.of("SPICEGATE_AGENT_LAST_SEEN_FLUSH_SECONDS", "1"));
    }

    @AfterAll
    static void stop() throws Exception {
        r.close();
    }

    /** A new local user with a password: his id. */
    static long user(String name) {
        return r.admin.post("/api/v1/admin/users", Map.of("username", name, "password", "pw-" + name + "-123",
                "displayName", name, "unixUsername", name, "roles", List.of("user"))).expect(201).json().get("id").asLong();
    }

    static Api basic(String name) {
        return Api.basic(r.a.base, name, "pw-" + name + "-123");
    }

    /** A token of {@code name}'s, made on A: [id, secret]. */
    static String[] token(String name, int days) {
        JsonNode t = basic(name).post("/api/v1/tokens", Map.of("name", "ci", "days", days)).expect(201).json();
        return new String[]{t.get("id").asText(), t.get("token").asText()};
    }

    @Test
    void madeOnAWorksOnBUntilItsProductionExpiry() throws Exception {
        user("tok-expiry");
        Instant before = Instant.now();
        JsonNode t = basic("tok-expiry").post("/api/v1/tokens", Map.of("name", "ci", "days", 1)).expect(201).json();
        Instant after = Instant.now();
        Instant expires = Instant.parse(t.get("expiresAt").asText());
        assertFalse(expires.isBefore(before.plus(Duration.ofDays(1)).minusSeconds(1)), expires + " vs " + before);
        assertFalse(expires.isAfter(after.plus(Duration.ofDays(1)).plusSeconds(1)), expires + " vs " + after);
        String secret = t.get("token").asText();
        Api.bearer(r.b.base, secret).get("/api/v1/consoles").expect(200);
        Api.bearer(r.b.base, secret).get("/api/v1/tokens").expect(200);
        try (Connection c = r.pg.connect(r.db); PreparedStatement st = c.prepareStatement(
                "update api_token set created_at = now() - interval '2 days', expires_at = now() - interval '1 second' where id = ?")) {
            st.setLong(1, t.get("id").asLong());
            assertEquals(1, st.executeUpdate());
        }
        for (PortalProcess p : List.of(r.a, r.b)) {
            Api.Answer refused = Api.bearer(p.base, secret).get("/api/v1/consoles");
            assertEquals(401, refused.status(), refused.body());
            assertTrue(refused.body().contains("expired"), refused.body());
        }
    }

    @Test
    void revokedOrDeactivatedOnAIsRefusedAtTheNextCallOnB() {
        user("tok-revoke");
        String[] t = token("tok-revoke", 30);
        Api.bearer(r.b.base, t[1]).get("/api/v1/sessions").expect(200);
        basic("tok-revoke").delete("/api/v1/tokens/" + t[0]).expect(200);
        assertTrue(Api.bearer(r.b.base, t[1]).get("/api/v1/sessions").expect(401).body().contains("revoked"));

        long id = user("tok-deactivate");
        String[] u = token("tok-deactivate", 30);
        Api.bearer(r.b.base, u[1]).get("/api/v1/consoles").expect(200);
        r.admin.put("/api/v1/admin/users/" + id, Map.of("active", false)).expect(200);
        Api.bearer(r.b.base, u[1]).get("/api/v1/consoles").expect(401);
    }

    @Test
    void neverOnTheAgentApiNorForMoreTokens() {
        user("tok-agent");
        String[] t = token("tok-agent", 7);
        for (PortalProcess p : List.of(r.a, r.b)) {
            Api.bearer(p.base, t[1]).get("/api/agent/v1/grants").expect(401);
            Api.bearer(p.base, t[1]).get("/api/agent/v1/grants?after=1").expect(401);
            Api.bearer(p.base, t[1]).get("/api/agent/v1/tickets?after=1").expect(401);
            Api.bearer(p.base, t[1]).post("/api/v1/tokens", Map.of("name", "more", "days", 90)).expect(403);
        }
    }

    @Test
    void fortyParallelRevocationsOverBothReplicasAuditOnce() throws Exception {
        user("tok-race");
        // the revocations are sent with a second token of the same user (no password check to queue behind)
        String[] revoker = token("tok-race", 7);
        for (int round = 0; round < 2; round++) {
            String[] t = token("tok-race", 7);
            List<Integer> statuses = parallel(40, i -> Api.bearer((i % 2 == 0 ? r.a : r.b).base, revoker[1])
                    .delete("/api/v1/tokens/" + t[0]).status());
            assertEquals(40, statuses.stream().filter(s -> s == 200).count(), statuses.toString());
            try (Connection c = r.pg.connect(r.db); PreparedStatement st = c.prepareStatement(
                    "select count(*) from audit_event where action = 'TOKEN_REVOKED' and detail like ?")) {
                st.setString(1, "token #" + t[0] + " %");
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    assertEquals(1, rs.getLong(1), "round " + round);
                }
            }
        }
    }

    /** Attack review of 3 Dec: tokens created on both replicas while A deactivates the user are all revoked. */
    @Test
    void creationsRacingADeactivationOverBothReplicasLeaveNoLiveToken() throws Exception {
        for (int round = 0; round < 3; round++) {
            String name = "tok-racer-" + round;
            long id = user(name);
            List<Integer> statuses = parallel(30, i -> i == 15
                    ? r.admin.put("/api/v1/admin/users/" + id, Map.of("active", false)).status()
                    : Api.basic((i % 2 == 0 ? r.a : r.b).base, name, "pw-" + name + "-123")
                            .post("/api/v1/tokens", Map.of("name", "race-" + i, "days", 1)).status());
            assertTrue(statuses.stream().allMatch(s -> s < 500), statuses.toString());
            assertEquals(200, statuses.get(15), "the deactivation: " + statuses);
            try (Connection c = r.pg.connect(r.db); PreparedStatement st = c.prepareStatement(
                    "select count(*) from api_token where user_id = ? and revoked_at is null")) {
                st.setLong(1, id);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    assertEquals(0, rs.getLong(1), "round " + round + ": a token outlived the deactivation; " + statuses);
                }
            }
        }
    }

    @Test
    void usesReachLastUsedAndTheSecretReachesNoLogNorAudit() throws Exception {
        user("tok-quiet");
        String[] t = token("tok-quiet", 7);
        // every way the secret could be echoed: good calls, refused calls, a broken header, a page
        Api.bearer(r.b.base, t[1]).get("/api/v1/consoles").expect(200);
        Api.bearer(r.b.base, t[1]).post("/api/v1/sessions", Map.of("console", "no-such-console")).expect(404);
        Api.bearer(r.a.base, t[1] + "x").get("/api/v1/consoles").expect(401);
        Api.bearer(r.a.base, t[1]).get("/api/agent/v1/grants").expect(401);
        Api.bearer(r.a.base, t[1]).get("/consoles");
        Instant deadline = Instant.now().plusSeconds(30);
        String used = null;
        while (used == null && Instant.now().isBefore(deadline)) {
            used = Api.basic(r.a.base, "tok-quiet", "pw-tok-quiet-123").get("/api/v1/tokens").expect(200).json().get(0)
                    .path("lastUsedAt").asText(null);
            if (used == null) {
                Thread.sleep(200);
            }
        }
        assertTrue(used != null, "lastUsedAt written within 30 s with a 1 s flush");
        for (PortalProcess p : List.of(r.a, r.b)) {
            String log = p.logText();
            assertFalse(log.contains(t[1]), "the token in a log line of " + p.base);
            assertFalse(log.contains(t[1].substring(4)), "the token's random part in a log line of " + p.base);
        }
        try (Connection c = r.pg.connect(r.db); PreparedStatement st = c.prepareStatement(
                "select count(*) from audit_event where concat_ws('|', actor, username, console, detail) like ?")) {
            st.setString(1, "%" + t[1].substring(4) + "%");
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                assertEquals(0, rs.getLong(1));
            }
        }
    }

    interface Call {
        int run(int i) throws Exception;
    }

    static List<Integer> parallel(int n, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                futures.add(pool.submit(() -> {
                    go.await();
                    return call.run(k);
                }));
            }
            go.countDown();
            List<Integer> out = new ArrayList<>();
            for (Future<Integer> f : futures) {
                out.add(f.get(120, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
