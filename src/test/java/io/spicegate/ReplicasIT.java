package io.spicegate;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.PortalProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The portal on an external PostgreSQL chosen by QUARKUS_DATASOURCE_*: no demo data unless SPICEGATE_DEMO=true,
 * the first admin from SPICEGATE_ADMIN_PASSWORD, and two replicas on one database: an agent long-polling
 * replica B is woken by a session opened on replica A (PostgreSQL LISTEN/NOTIFY, not memory).
 */
class ReplicasIT {

    static EmbeddedPostgres postgres;
    static Path dataDir;

    @BeforeAll
    static void externalPostgres() throws Exception {
        dataDir = Files.createTempDirectory("spicegate-external-pg-");
        postgres = EmbeddedPostgres.builder().setDataDirectory(dataDir.resolve("pg")).setCleanDataDirectory(true).start();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("create role spicegate login password 'db-secret'");
            st.execute("create database spicegate owner spicegate");
            st.execute("create database spicegate_demo owner spicegate");
        }
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    static Map<String, String> env(String database) {
        return Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + database,
                "QUARKUS_DATASOURCE_USERNAME", "spicegate",
                "QUARKUS_DATASOURCE_PASSWORD", "db-secret",
                "SPICEGATE_ADMIN_PASSWORD", "first-admin-pw",
                "SPICEGATE_AUDIT_KEY", io.spicegate.testing.ExternalPostgres.AUDIT_KEY);
    }

    @Test
    void twoReplicasOnOneDatabase() throws Exception {
        try (PortalProcess a = PortalProcess.start("replica-a", env("spicegate"));
             PortalProcess b = PortalProcess.start("replica-b", env("spicegate"))) {
            // no demo office on an external database; the first admin from SPICEGATE_ADMIN_PASSWORD, once
            Api.basic(a.base, "charlie", "demo").get("/api/v1/consoles").expect(401);
            Api adminA = Api.basic(a.base, "admin", "first-admin-pw");
            JsonNode users = adminA.get("/api/v1/admin/users").expect(200).json();
            assertEquals(1, users.size(), users.toString());
            assertEquals(List.of("user", "admin"), Api.JSON.convertValue(users.get(0).get("roles"), List.class));

            adminA.post("/api/v1/admin/hosts", Map.of("name", "kvm", "address", "127.0.0.1")).expect(201);
            adminA.post("/api/v1/admin/consoles", Map.of("name", "vm1", "host", "kvm", "tlsPort", 23001)).expect(201);
            adminA.post("/api/v1/admin/users", Map.of("username", "carol", "password", "carol-password",
                    "roles", List.of("user"))).expect(201);
            adminA.post("/api/v1/admin/rules", Map.of("console", "vm1", "user", "carol", "zone", "Europe/Berlin",
                    "windows", List.of(Map.of("days", List.of("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY",
                            "SATURDAY", "SUNDAY"), "from", "00:00", "to", "00:00")))).expect(201);
            String token = adminA.post("/api/v1/admin/workstations", Map.of("name", "desk",
                    "addresses", List.of("127.0.0.1"))).expect(201).json().get("enrollmentToken").asText();

            // the agent enrolls with and polls replica B
            String secret = Api.anonymous(b.base).post("/api/agent/v1/enroll", Map.of("token", token, "hostname", "desk"))
                    .expect(200).json().get("secret").asText();
            Api agent = Api.bearer(b.base, secret);
            long version = agent.get("/api/agent/v1/grants").expect(200).json().get("version").asLong();
            CompletableFuture<JsonNode> poll = CompletableFuture.supplyAsync(() ->
                    agent.get("/api/agent/v1/grants?after=" + version).expect(200).json());
            Thread.sleep(1000);
            assertFalse(poll.isDone(), "nothing changed yet: replica B holds the poll");

            // the session is opened on replica A
            long opened = System.nanoTime();
            JsonNode session = Api.basic(a.base, "carol", "carol-password").post("/api/v1/sessions", Map.of("console", "vm1"))
                    .expect(201).json();
            JsonNode grants = poll.get(25, TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - opened);
            System.out.println("replica B answered the long-poll " + took.toMillis() + " ms after the open on replica A");
            assertTrue(took.toSeconds() < 25, "woken by the change, not by the 30 s poll time");
            assertTrue(grants.get("version").asLong() > version);
            assertEquals(session.get("id").asText(), grants.get("grants").get(0).get("session").asText());
            assertEquals("carol", grants.get("grants").get(0).get("user").asText());
            assertEquals("pending", session.get("firewall").asText());

            // the ack through B makes the launch file available through A
            agent.post("/api/agent/v1/ack", Map.of("version", grants.get("version").asLong(),
                    "applied", List.of(session.get("id").asText()), "errors", List.of())).expect(204);
            Api.basic(a.base, "carol", "carol-password").get(session.get("vvUrl").asText()).expect(200);
        }
        // a restart creates no second admin
        try (PortalProcess again = PortalProcess.start("replica-a-again", env("spicegate"))) {
            assertEquals(2, Api.basic(again.base, "admin", "first-admin-pw").get("/api/v1/admin/users").expect(200).json().size());
        }
    }

    @Test
    void demoDataOnAnExternalDatabaseOnlyWhenAskedFor() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(env("spicegate_demo"));
        env.put("SPICEGATE_DEMO", "true");
        try (PortalProcess p = PortalProcess.start("external-demo", env)) {
            JsonNode consoles = Api.basic(p.base, "ralph", "demo").get("/api/v1/consoles").expect(200).json();
            assertEquals("vm3", consoles.get(0).get("name").asText());
        }
    }
}
