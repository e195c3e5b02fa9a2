package io.spicegate.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.PortalProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole chain, for real, as root: the packaged portal, the packaged agent process, a workstation and a
 * KVM-host network namespace joined by a veth pair (a TCP listener on the console ports), and real Linux
 * users. The granted user connects; the other user and root are refused; after end, revocation and expiry
 * the granted user is refused, and revocation cuts his established connection; an unknown local user is
 * reported and gets no rule; a kill -9 and restart leaves no stale rule; a stopped portal loses every rule
 * by the end of the lease.
 */
class EnforcementIT {

    static final Path AGENT_JAR = PortalProcess.buildDir().resolve("spicegate-agent.jar");
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    static final int LEASE = 8;
    static final int VMX_PORT = 20002;
    static final int VMY_PORT = 20004;

    @Test
    void grantsBecomeKernelRulesAndGoAgain() throws Exception {
        assertTrue(Files.isRegularFile(AGENT_JAR), AGENT_JAR + " missing: run ./mvnw verify");
        Path data = Files.createTempDirectory("sg-enforce-portal-");
        Path state = Files.createTempDirectory("sg-enforce-agent-");
        Map<String, String> env = new HashMap<>(Map.of(
                "SPICEGATE_DATA_DIR", data.toString(),
                "SPICEGATE_AGENT_LEASE_SECONDS", Integer.toString(LEASE),
                "SPICEGATE_AGENT_POLL_SECONDS", "3",
                // the test claims the workstation's address as a trusted proxy would
                "QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING", "true",
                "QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED", "true",
                "QUARKUS_HTTP_PROXY_TRUSTED_PROXIES", "127.0.0.1"));
        Process agent = null;
        try (TestUsers users = new TestUsers(); TestNet net = TestNet.create()) {
            TestUsers.User alice = users.create("sgt_a_" + net.suffix);
            TestUsers.User bob = users.create("sgt_b_" + net.suffix);
            net.echoServer(net.kvm, net.kvmAddress, VMX_PORT, VMY_PORT);
            PortalProcess portal = PortalProcess.start("enforcement-portal", env);
            try {
                Api admin = Api.basic(portal.base, "admin", "demo");
                admin.post("/api/v1/admin/hosts", Map.of("name", "kvm", "address", net.kvmAddress)).expect(201);
                admin.post("/api/v1/admin/consoles", Map.of("name", "vmx", "host", "kvm", "tlsPort", VMX_PORT)).expect(201);
                admin.post("/api/v1/admin/consoles", Map.of("name", "vmy", "host", "kvm", "tlsPort", VMY_PORT)).expect(201);
                for (String[] u : new String[][] {{"alice", alice.name()}, {"bob", bob.name()}, {"ghost", "sgt_none_" + net.suffix}}) {
                    admin.post("/api/v1/admin/users", Map.of("username", u[0], "password", "password-" + u[0],
                            "unixUsername", u[1], "roles", List.of("user"))).expect(201);
                }
                rule(admin, "vmx", "alice", null);
                rule(admin, "vmx", "ghost", null);
                rule(admin, "vmy", "alice", 1); // sessions on vmy last one minute
                JsonNode ws = admin.post("/api/v1/admin/workstations", Map.of("name", "ws",
                        "addresses", List.of(net.wsAddress))).expect(201).json();

                Path config = state.resolve("agent.properties");
                Files.writeString(config, "portal.url=" + portal.base + "\nenrollment.token=" + ws.get("enrollmentToken").asText()
                        + "\nstate.dir=" + state + "\nnetns=" + net.ws + "\nretry.seconds=1\npoll.timeout.seconds=10\nhostname=ws\n");
                agent = startAgent(config, state);
                String reject = "-A SPICEGATE -d " + net.kvmAddress + "/32 -p tcp -m multiport --dports " + VMX_PORT + ","
                        + VMY_PORT + " -j REJECT --reject-with tcp-reset";
                await(() -> chain(net).contains(reject), "the agent's REJECT base", agentLog(state));
                assertEquals("REFUSED", net.connect(alice, net.kvmAddress, VMX_PORT), "nobody before a grant");

                Api asAlice = Api.basic(portal.base, "alice", "password-alice").from(net.wsAddress);
                Api asGhost = Api.basic(portal.base, "ghost", "password-ghost").from(net.wsAddress);

                // a one-minute session on vmy, checked again at the end
                JsonNode short1 = open(asAlice, "vmy");
                long shortOpened = System.nanoTime();
                awaitFirewall(asAlice, short1, "ready");
                assertEquals("OK", net.connect(alice, net.kvmAddress, VMY_PORT));

                // granted user in, the others out
                JsonNode s1 = open(asAlice, "vmx");
                assertEquals("pending", s1.get("firewall").asText());
                awaitFirewall(asAlice, s1, "ready");
                asAlice.get(s1.get("vvUrl").asText()).expect(200);
                assertEquals("OK", net.connect(alice, net.kvmAddress, VMX_PORT));
                assertEquals("REFUSED", net.connect(bob, net.kvmAddress, VMX_PORT));
                assertEquals("REFUSED", net.connect(null, net.kvmAddress, VMX_PORT), "root is refused too");

                // ended by the user: refused
                asAlice.delete("/api/v1/sessions/" + s1.get("id").asText()).expect(200);
                await(() -> acceptGone(net, alice, VMX_PORT), "the rule gone after End session", agentLog(state));
                assertEquals("REFUSED", net.connect(alice, net.kvmAddress, VMX_PORT));

                // revoked by an admin: the established connection is cut at its next packet
                JsonNode s2 = open(asAlice, "vmx");
                awaitFirewall(asAlice, s2, "ready");
                TestNet.Held held = net.hold(alice, net.kvmAddress, VMX_PORT);
                admin.post("/api/v1/admin/sessions/" + s2.get("id").asText() + "/revoke", Map.of("reason", "test")).expect(200);
                await(() -> acceptGone(net, alice, VMX_PORT), "the rule gone after revocation", agentLog(state));
                String cut = held.sendAgain();
                assertTrue(cut != null && cut.startsWith("CUT"), "the live connection was not cut: " + cut);
                assertEquals("REFUSED", net.connect(alice, net.kvmAddress, VMX_PORT));

                // an unknown local user: reported back, no rule
                JsonNode g = open(asGhost, "vmx");
                awaitFirewall(asGhost, g, "error");
                Api.Answer vv = asGhost.get(g.get("vvUrl").asText());
                assertEquals(409, vv.status(), vv.body());
                assertTrue(vv.body().contains("no such local user") || vv.body().contains("sgt_none_"), vv.body());
                assertFalse(chain(net).stream().anyMatch(r -> r.contains("ACCEPT") && r.contains("--dport " + VMX_PORT)));
                asGhost.delete("/api/v1/sessions/" + g.get("id").asText()).expect(200);

                // kill -9 with a live grant, the session ends meanwhile, restart: no stale rule
                JsonNode s3 = open(asAlice, "vmx");
                awaitFirewall(asAlice, s3, "ready");
                agent.destroyForcibly();
                assertTrue(agent.waitFor(10, TimeUnit.SECONDS));
                assertTrue(hasAccept(net, alice, VMX_PORT), "kill -9 leaves the kernel rule behind");
                asAlice.delete("/api/v1/sessions/" + s3.get("id").asText()).expect(200);
                agent = startAgent(config, state);
                await(() -> acceptGone(net, alice, VMX_PORT), "the stale rule gone after the restart", agentLog(state));
                assertEquals("REFUSED", net.connect(alice, net.kvmAddress, VMX_PORT));

                // the one-minute session has expired by the agent's own timer
                long left = Duration.ofSeconds(62).toNanos() - (System.nanoTime() - shortOpened);
                if (left > 0) {
                    Thread.sleep(left / 1_000_000);
                }
                await(() -> acceptGone(net, alice, VMY_PORT), "the rule gone at expiry", agentLog(state));
                assertEquals("REFUSED", net.connect(alice, net.kvmAddress, VMY_PORT), () -> chain(net) + "\n" + agentLog(state).get());

                // the portal goes away: every grant is dropped by the end of the lease, the REJECTs stay
                JsonNode s4 = open(asAlice, "vmx");
                awaitFirewall(asAlice, s4, "ready");
                assertEquals("OK", net.connect(alice, net.kvmAddress, VMX_PORT));
                portal.close();
                long stopped = System.nanoTime();
                await(() -> acceptGone(net, alice, VMX_PORT), "grants dropped after the lease", agentLog(state));
                long after = Duration.ofNanos(System.nanoTime() - stopped).toSeconds();
                System.out.println("grants dropped " + after + " s after the portal stopped (lease " + LEASE + " s)");
                assertTrue(chain(net).contains(reject));
                assertEquals("REFUSED", net.connect(alice, net.kvmAddress, VMX_PORT), () -> chain(net) + "\n" + agentLog(state).get());
            } finally {
                portal.close();
                if (agent != null && agent.isAlive()) {
                    agent.destroy();
                    assertTrue(agent.waitFor(15, TimeUnit.SECONDS), "the agent did not stop on SIGTERM");
                }
            }
            String log = agentLog(state).get();
            assertFalse(log.contains("sgw_") || log.contains("sga_"), "a token or secret in the agent's log:\n" + log);
        } finally {
            deleteTree(state);
            deleteTree(data);
        }
    }

    /** The IPv4 chain's rules; none while the chain does not exist (iptables-nft then says "incompatible"). */
    static List<String> chain(TestNet net) {
        CommandRunner.Result r = list(net);
        return r.ok() ? rules(r) : List.of();
    }

    /** {@code iptables -S} of the agent's IPv4 chain in the workstation's namespace. */
    static CommandRunner.Result list(TestNet net) {
        return Sh.tryRun("ip", "netns", "exec", net.ws, "iptables", "-S", RestoreScript.CHAIN);
    }

    static List<String> rules(CommandRunner.Result listing) {
        return listing.stdout().lines().filter(l -> l.startsWith("-A ")).toList();
    }

    /**
     * The grant is gone: the chain was listed, still holds its REJECTs, and has no ACCEPT for {@code user} and
     * {@code port}. A listing that failed or came back empty proves nothing (taken for "gone", it once let the lease
     * step pass while the ACCEPT was still there); why it failed goes to stderr.
     */
    static boolean acceptGone(TestNet net, TestUsers.User user, int port) {
        CommandRunner.Result listing = list(net);
        if (!listing.ok()) {
            System.err.println("iptables -S " + RestoreScript.CHAIN + " in " + net.ws + " failed (" + listing.exitCode() + "): "
                    + listing.firstErrorLine());
            return false;
        }
        List<String> rules = rules(listing);
        return rules.stream().anyMatch(r -> r.endsWith("-j REJECT --reject-with tcp-reset"))
                && rules.stream().noneMatch(r -> r.contains("--uid-owner " + user.uid()) && r.contains("--dport " + port)
                && r.contains("ACCEPT"));
    }

    static void rule(Api admin, String console, String user, Integer maxMinutes) {
        Map<String, Object> body = new HashMap<>(Map.of("console", console, "user", user, "zone", "Europe/Berlin",
                "windows", List.of(Map.of("days", List.of("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY",
                        "SATURDAY", "SUNDAY"), "from", "00:00", "to", "00:00"))));
        if (maxMinutes != null) {
            body.put("maxMinutes", maxMinutes);
        }
        admin.post("/api/v1/admin/rules", body).expect(201);
    }

    static JsonNode open(Api as, String console) {
        return as.post("/api/v1/sessions", Map.of("console", console)).expect(201).json();
    }

    static void awaitFirewall(Api as, JsonNode session, String state) throws InterruptedException {
        String path = "/api/v1/sessions/" + session.get("id").asText();
        await(() -> state.equals(as.get(path).expect(200).json().get("firewall").asText()), "firewall " + state, () -> "");
    }

    static boolean hasAccept(TestNet net, TestUsers.User user, int port) {
        return chain(net).stream()
                .anyMatch(r -> r.contains("--uid-owner " + user.uid()) && r.contains("--dport " + port) && r.contains("ACCEPT"));
    }

    static Process startAgent(Path config, Path state) throws Exception {
        return new ProcessBuilder(JAVA, "-jar", AGENT_JAR.toString(), "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(java.lang.ProcessBuilder.Redirect.appendTo(state.resolve("agent.log").toFile())).start();
    }

    static java.util.function.Supplier<String> agentLog(Path state) {
        return () -> {
            try {
                return Files.readString(state.resolve("agent.log"));
            } catch (Exception e) {
                return "(no agent log)";
            }
        };
    }

    static void await(BooleanSupplier condition, String what, java.util.function.Supplier<String> context)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        fail("timed out waiting for " + what + "\n" + context.get());
    }

    static void deleteTree(Path root) throws java.io.IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
