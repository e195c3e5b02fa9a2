package io.spicegate.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.ExternalPostgres;
import io.spicegate.testing.PortalProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two portal replicas on one PostgreSQL; the real agent process long-polls replica B; the session is opened on
 * replica A; the kernel rule appears on the workstation within about a second (PostgreSQL NOTIFY wakes B's poll).
 */
class ReplicaAgentIT {

    @Test
    void aSessionOpenedOnReplicaAReachesTheAgentPollingReplicaB() throws Exception {
        Path dir = Files.createTempDirectory("sg-replica-agent-");
        Process agent = null;
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(true).start();
             TestUsers users = new TestUsers(); TestNet net = TestNet.create()) {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                st.execute("create role spicegate login password 'db-secret'");
                st.execute("create database spicegate owner spicegate");
            }
            Map<String, String> env = Map.of(
                    "QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/spicegate",
                    "QUARKUS_DATASOURCE_USERNAME", "spicegate", "QUARKUS_DATASOURCE_PASSWORD", "db-secret",
                    "SPICEGATE_ADMIN_PASSWORD", "first-admin-pw", "SPICEGATE_AUDIT_KEY", ExternalPostgres.AUDIT_KEY,
                    "QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING", "true",
                    "QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED", "true",
                    "QUARKUS_HTTP_PROXY_TRUSTED_PROXIES", "127.0.0.1");
            TestUsers.User dora = users.create("sgt_d_" + net.suffix);
            net.echoServer(net.kvm, net.kvmAddress, 20002);
            try (PortalProcess a = PortalProcess.start("replica-agent-a", env);
                 PortalProcess b = PortalProcess.start("replica-agent-b", env)) {
                Api admin = Api.basic(a.base, "admin", "first-admin-pw");
                admin.post("/api/v1/admin/hosts", Map.of("name", "kvm", "address", net.kvmAddress)).expect(201);
                admin.post("/api/v1/admin/consoles", Map.of("name", "vm1", "host", "kvm", "tlsPort", 20002)).expect(201);
                admin.post("/api/v1/admin/users", Map.of("username", "dora", "password", "dora-password",
                        "unixUsername", dora.name(), "roles", List.of("user"))).expect(201);
                EnforcementIT.rule(admin, "vm1", "dora", null);
                JsonNode ws = admin.post("/api/v1/admin/workstations", Map.of("name", "ws",
                        "addresses", List.of(net.wsAddress))).expect(201).json();
                Path config = dir.resolve("agent.properties");
                Files.writeString(config, "portal.url=" + b.base + "\nenrollment.token=" + ws.get("enrollmentToken").asText()
                        + "\nstate.dir=" + dir + "\nnetns=" + net.ws + "\nretry.seconds=1\nhostname=ws\n");
                agent = EnforcementIT.startAgent(config, dir);
                EnforcementIT.await(() -> !EnforcementIT.chain(net).isEmpty(), "the agent's base", EnforcementIT.agentLog(dir));
                Thread.sleep(1000); // the agent is now parked in a long-poll on B

                Api dora1 = Api.basic(a.base, "dora", "dora-password").from(net.wsAddress);
                long t0 = System.nanoTime();
                JsonNode s = dora1.post("/api/v1/sessions", Map.of("console", "vm1")).expect(201).json();
                EnforcementIT.await(() -> EnforcementIT.hasAccept(net, dora, 20002), "the rule from replica B",
                        EnforcementIT.agentLog(dir));
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                System.out.println("open on replica A -> kernel rule via replica B: " + took.toMillis() + " ms");
                assertTrue(took.toMillis() < 5000, "took " + took.toMillis() + " ms: the poll was not woken by the change");
                EnforcementIT.awaitFirewall(dora1, s, "ready");
                assertEquals("OK", net.connect(dora, net.kvmAddress, 20002));
            } finally {
                if (agent != null) {
                    agent.destroy();
                    agent.waitFor(15, TimeUnit.SECONDS);
                }
            }
        } finally {
            EnforcementIT.deleteTree(dir);
        }
    }
}
