package io.spicegate.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.PortalProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.spicegate.agent.EnforcementIT.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strict mode with one-time tickets, end to end as root (issue 13 point 3): the packaged portal, the packaged agent
 * jar as a strict workstation agent and as a host agent, a real QEMU with SPICE on a TLS port only, real users, the
 * real sudo and the real remote-viewer under Xvfb. The portal refuses the strict user the .vv (409 naming the
 * command); the agent writes it ({@code root:spicegrp 0640} under {@code /run/spicegate/<user>/}) with the session's
 * one-time password, never the static one; the granted user's {@code spicegate-open} starts remote-viewer through
 * the sudo rule and it shows the VM's screen; another user is refused by sudo, cannot read the file, and holding its
 * content is refused by the workstation's firewall; a re-open writes a fresh file with a fresh ticket that works.
 */
class StrictTicketIT {

    static final int TICKET_SECONDS = 30;
    static final int PORT = 20002;
    static final String GROUP = "spicegrp";
    static final Path RUN_DIR = Path.of("/run/spicegate");

    static KvmLab lab;
    static TestUsers users;
    static TestUsers.User alice;
    static TestUsers.User bob;
    static PortalProcess portal;
    static Path data;
    static Path wsState;
    static Path hostState;
    static Path sudoersFile;
    static boolean createdRunDir;
    static Process wsAgent;
    static Process hostAgent;
    static KvmLab.BareVm vm;
    static Api asAlice;
    static final List<String> passwords = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        assertTrue(Files.isRegularFile(EnforcementIT.AGENT_JAR), EnforcementIT.AGENT_JAR + " missing: run ./mvnw verify");
        Sh.requireRoot("sudo", "visudo", "groupadd", "groupdel");
        users = new TestUsers();
        lab = KvmLab.create();
        alice = users.create("sgs_a_" + lab.suffix);
        bob = users.create("sgs_b_" + lab.suffix);
        // the launcher and the agent's defaults name group spicegrp: made here unless installed, removed with the users
        if (!Sh.tryRun("getent", "group", GROUP).ok()) {
            users.group(GROUP);
        }
        createdRunDir = !Files.exists(RUN_DIR);
        sudoersFile = Path.of("/etc/sudoers.d/spicegate-it-" + lab.suffix);
        vm = lab.bareQemu("vms-" + lab.suffix, PORT, "static-s-" + lab.suffix);
        lab.startXvfb();

        data = Files.createTempDirectory("sgs-portal-");
        wsState = Files.createTempDirectory("sgs-ws-agent-");
        hostState = Files.createTempDirectory("sgs-host-agent-");
        portal = PortalProcess.start("strict-ticket-portal", new HashMap<>(Map.of(
                "SPICEGATE_DATA_DIR", data.toString(),
                "QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING", "true",
                "QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED", "true",
                "QUARKUS_HTTP_PROXY_TRUSTED_PROXIES", "127.0.0.1")));
        Api admin = Api.basic(portal.base, "admin", "demo");
        String hostToken = admin.post("/api/v1/admin/hosts", Map.of("name", "kvm", "address", lab.kvmAddress,
                "caPem", lab.caPem())).expect(201).json().get("enrollmentToken").asText();
        admin.post("/api/v1/admin/consoles", Map.of("name", "vms", "host", "kvm", "tlsPort", PORT,
                "hostSubject", lab.hostSubject, "password", "static-s-" + lab.suffix)).expect(201);
        for (TestUsers.User u : List.of(alice, bob)) {
            String login = u == alice ? "alice" : "bob";
            admin.post("/api/v1/admin/users", Map.of("username", login, "password", "password-" + login,
                    "unixUsername", u.name(), "roles", List.of("user"))).expect(201);
        }
        EnforcementIT.rule(admin, "vms", "alice", null);
        String wsToken = admin.post("/api/v1/admin/workstations", Map.of("name", "ws", "addresses", List.of(lab.wsAddress),
                "strict", true)).expect(201).json().get("enrollmentToken").asText();

        Path wsConfig = wsState.resolve("agent.properties");
        Files.writeString(wsConfig, "portal.url=" + portal.base + "\nenrollment.token=" + wsToken + "\nstate.dir=" + wsState
                + "\nnetns=" + lab.ws + "\nretry.seconds=1\npoll.timeout.seconds=40\nhostname=ws\nstrict=true\n"
                + "strict.sudoers.file=" + sudoersFile + "\n");
        wsAgent = EnforcementIT.startAgent(wsConfig, wsState);
        Path hostConfig = hostState.resolve("agent.properties");
        Files.writeString(hostConfig, "portal.url=" + portal.base + "\nenrollment.token=" + hostToken + "\nstate.dir=" + hostState
                + "\nmode=host\nnetns=" + lab.kvm + "\nretry.seconds=1\npoll.timeout.seconds=40\nhostname=kvm\n"
                + "ticket.seconds=" + TICKET_SECONDS + "\nconsole.vms.qmp=" + vm.qmpAgent() + "\n");
        hostAgent = EnforcementIT.startAgent(hostConfig, hostState);
        await(() -> hostChain().stream().anyMatch(r -> r.contains("-s " + lab.wsAddress + "/32")),
                "the host admitting the enrolled strict workstation", () -> hostChain() + "\n" + HostAgentIT.log(hostState));
        asAlice = Api.basic(portal.base, "alice", "password-alice").from(lab.wsAddress);
    }

    @AfterAll
    static void tearDown() throws Exception {
        try {
            for (Process agent : new Process[] {wsAgent, hostAgent}) {
                if (agent != null && agent.isAlive()) {
                    agent.destroy();
                    assertTrue(agent.waitFor(15, TimeUnit.SECONDS), "an agent did not stop on SIGTERM");
                }
            }
            System.out.println("--- host agent log:\n" + HostAgentIT.log(hostState) + "\n--- workstation agent log:\n"
                    + HostAgentIT.log(wsState));
            if (wsAgent != null) {
                assertFalse(Files.exists(sudoersFile), "the stopped agent removed its sudo rules");
                assertFalse(Files.exists(RUN_DIR.resolve(alice.name())), "the stopped agent removed the launch files");
            }
            if (portal != null) {
                portal.close();
                String logs = portal.logText() + HostAgentIT.log(wsState) + HostAgentIT.log(hostState);
                for (String password : passwords) {
                    assertFalse(logs.contains(password), "a one-time password in a log");
                }
            }
        } finally {
            if (portal != null) {
                portal.close();
            }
            if (sudoersFile != null) {
                Files.deleteIfExists(sudoersFile);
            }
            if (lab != null) {
                EnforcementIT.deleteTree(RUN_DIR.resolve(alice.name()));
                if (createdRunDir) {
                    EnforcementIT.deleteTree(RUN_DIR);
                }
                lab.close();
            }
            if (users != null) {
                users.close();
            }
            for (Path dir : new Path[] {data, wsState, hostState}) {
                EnforcementIT.deleteTree(dir);
            }
        }
    }

    @Test
    void theGrantedUserStartsTheAgentsFileThroughTheSudoRuleAndNobodyElseGetsIn() throws Exception {
        JsonNode session = EnforcementIT.open(asAlice, "vms");
        assertTrue(session.get("vvUrl").isNull(), "no launch file from the portal: " + session);
        assertEquals("spicegate-open vms", session.get("command").asText());
        Api.Answer refused = asAlice.get("/api/v1/sessions/" + session.get("id").asText() + "/console.vv");
        assertEquals(409, refused.status(), refused.body());
        assertTrue(refused.body().contains("spicegate-open vms"), refused.body());

        String first = readyFile(session);
        Path file = RUN_DIR.resolve(alice.name()).resolve("vms.vv");
        PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class);
        assertEquals("root", attributes.owner().getName());
        assertEquals(GROUP, attributes.group().getName());
        assertEquals("rw-r-----", PosixFilePermissions.toString(attributes.permissions()));

        // the granted user, through the sudo rule, sees the VM
        try (KvmLab.Viewer viewer = lab.launcher(lab.ws, alice, "vms", "granted")) {
            lab.awaitShows(viewer, vm::screendump, PortalProcess.buildDir().resolve("strict-ticket-granted.png"), "granted", vm.log());
        }
        lab.awaitBlank(vm::screendump);

        // another user: sudo refuses him, he cannot read the file, and holding its content the firewall refuses him
        try (KvmLab.Viewer denied = lab.launcher(lab.ws, bob, "vms", "other-user")) {
            assertTrue(denied.process.waitFor(30, TimeUnit.SECONDS), "sudo answers at once: " + denied.output());
            assertNotEquals(0, denied.process.exitValue(), denied.output());
            assertTrue(denied.output().contains("sudo"), "refused by sudo: " + denied.output());
        }
        CommandRunner.Result direct = Sh.tryRun("ip", "netns", "exec", lab.ws, "setpriv", "--reuid=" + bob.uid(),
                "--regid=" + bob.gid(), "--clear-groups", "sudo", "-n", "-u", alice.name(), "-g", GROUP,
                "/usr/bin/remote-viewer", "--", file.toString());
        assertFalse(direct.ok(), "sudo let another user start the granted user's file: " + direct.stdout());
        CommandRunner.Result read = Sh.tryRun("setpriv", "--reuid=" + bob.uid(), "--regid=" + bob.gid(), "--clear-groups",
                "cat", file.toString());
        assertFalse(read.ok(), "another user read the launch file");
        assertFalse(read.stdout().contains("password="), "another user read the launch file");
        long rejects = KvmLab.rejected(lab.ws, RestoreScript.CHAIN);
        try (KvmLab.Viewer viewer = lab.viewer(lab.ws, bob, first, "leaked")) {
            await(() -> viewer.output().contains("Connection refused"), "the leaked file refused", viewer::output);
            assertFalse(lab.frame().shows(vm.screendump(), 0.97), "the leaked file showed the VM");
        }
        assertTrue(KvmLab.rejected(lab.ws, RestoreScript.CHAIN) > rejects, "the workstation's REJECT refused him");

        // a re-open: a fresh file with a fresh one-time password, and it works
        JsonNode again = EnforcementIT.open(asAlice, "vms");
        assertEquals(session.get("id").asText(), again.get("id").asText());
        String second = readyFile(again);
        assertNotEquals(password(first), password(second), "a re-open writes a fresh one-time password");
        try (KvmLab.Viewer viewer = lab.launcher(lab.ws, alice, "vms", "again")) {
            lab.awaitShows(viewer, vm::screendump, PortalProcess.buildDir().resolve("strict-ticket-again.png"), "again", vm.log());
        }
        lab.awaitBlank(vm::screendump);
    }

    /** Waits until the portal says the session is ready (both agents acked); the agent's file, checked. */
    String readyFile(JsonNode session) throws Exception {
        EnforcementIT.awaitFirewall(asAlice, session, "ready");
        assertEquals("ready", asAlice.get("/api/v1/sessions/" + session.get("id").asText()).expect(200).json()
                .get("ticket").asText(), "ready means the host agent set the ticket too");
        String vv = Files.readString(RUN_DIR.resolve(alice.name()).resolve("vms.vv"));
        String password = password(vv);
        passwords.add(password);
        assertFalse(password.startsWith("static-"), "never the console's static password");
        assertTrue(password.length() >= 16, "a one-time password of 16+ characters");
        assertEquals(List.of("tls-port=" + PORT), HostAgentIT.lines(vv, "tls-port="));
        return vv;
    }

    static String password(String vv) {
        List<String> lines = HostAgentIT.lines(vv, "password=");
        assertEquals(1, lines.size(), "one password line");
        return lines.get(0).substring("password=".length());
    }

    static List<String> hostChain() {
        return lab.hostChain();
    }
}
