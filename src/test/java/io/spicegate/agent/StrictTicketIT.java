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
import java.util.List;
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

    static AgentLab agents;
    static KvmLab lab;
    static TestUsers.User alice;
    static TestUsers.User bob;
    static KvmLab.BareVm vm;
    static Api asAlice;
    static List<String> passwords;

    @BeforeAll
    static void setUp() throws Exception {
        agents = AgentLab.create("sgs");
        String strict = agents.strict("spicegate-it");
        lab = agents.lab;
        alice = agents.alice;
        bob = agents.bob;
        passwords = agents.passwords;
        vm = lab.bareQemu("vms-" + lab.suffix, PORT, "static-s-" + lab.suffix);
        lab.startXvfb();

        agents.startPortal("strict-ticket-portal");
        agents.console("vms", PORT, "static-s-" + lab.suffix);
        EnforcementIT.rule(agents.admin, "vms", "alice", null);
        agents.startWorkstationAgent(true, strict);
        agents.startHostAgent("ticket.seconds=" + TICKET_SECONDS + "\nconsole.vms.qmp=" + vm.qmpAgent() + "\n");
        await(() -> hostChain().stream().anyMatch(r -> r.contains("-s " + lab.wsAddress + "/32")),
                "the host admitting the enrolled strict workstation", () -> hostChain() + "\n" + AgentLab.log(agents.hostState));
        asAlice = agents.asAlice();
    }

    @AfterAll
    static void tearDown() throws Exception {
        try (AgentLab closing = agents) {
            if (agents == null) {
                return;
            }
            agents.stopAgents();
            if (agents.wsAgent != null) {
                assertFalse(Files.exists(agents.sudoersFile), "the stopped agent removed its sudo rules");
                assertFalse(Files.exists(AgentLab.RUN_DIR.resolve(alice.name())), "the stopped agent removed the launch files");
            }
            agents.checkLogs();
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
        Path file = AgentLab.launchFile(alice, "vms");
        PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class);
        assertEquals("root", attributes.owner().getName());
        assertEquals(AgentLab.STRICT_GROUP, attributes.group().getName());
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
                "--regid=" + bob.gid(), "--clear-groups", "sudo", "-n", "-u", alice.name(), "-g", AgentLab.STRICT_GROUP,
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
        String vv = Files.readString(AgentLab.launchFile(alice, "vms"));
        String password = password(vv);
        passwords.add(password);
        assertFalse(password.startsWith("static-"), "never the console's static password");
        assertTrue(password.length() >= 16, "a one-time password of 16+ characters");
        assertEquals(List.of("tls-port=" + PORT), AgentLab.lines(vv, "tls-port="));
        return vv;
    }

    static String password(String vv) {
        List<String> lines = AgentLab.lines(vv, "password=");
        assertEquals(1, lines.size(), "one password line");
        return lines.get(0).substring("password=".length());
    }

    static List<String> hostChain() {
        return lab.hostChain();
    }
}
