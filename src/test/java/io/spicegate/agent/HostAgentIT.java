package io.spicegate.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.PortalProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.spicegate.agent.EnforcementIT.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One-time SPICE tickets and a guarded KVM host, proven with the real programs (issue #6), as root: the packaged
 * portal, the packaged agent jar twice (a workstation agent in the workstation namespace, a host agent guarding
 * the KVM namespace), real QEMUs with SPICE on a TLS port only (once bare over QMP, once as a libvirt domain),
 * real Linux users and the real remote-viewer under Xvfb. For each VM: the granted user's viewer, opened on the
 * .vv from the portal, shows the VM's screen (pixels compared with the VM's own screendump); the same password
 * after ticket.seconds is refused by QEMU ("Ticket has expired"); the other user and root are refused by the
 * workstation's firewall; a laptop without an agent holding a valid password is refused by the host's firewall;
 * a .vv with a wrong CA is refused; a re-open gives a fresh password that works.
 */
class HostAgentIT {

    static final int TICKET_SECONDS = 6;
    static final int QMP_PORT = 20002;
    static final int LIBVIRT_PORT = 20004;

    static AgentLab agents;
    static KvmLab lab;
    static TestUsers.User alice;
    static TestUsers.User bob;
    static Path wsState;
    static Path hostState;
    static KvmLab.BareVm bare;
    static String domain;
    static Path domainLog;
    static Api asAlice;
    static List<String> passwords;

    @BeforeAll
    static void setUp() throws Exception {
        long started = System.nanoTime();
        agents = AgentLab.create("sgh");
        lab = agents.lab;
        alice = agents.alice;
        bob = agents.bob;
        passwords = agents.passwords;
        bare = lab.bareQemu("vmq-" + lab.suffix, QMP_PORT, "static-q-" + lab.suffix);
        lab.startLibvirtd();
        domain = "sgh-vml-" + lab.suffix;
        domainLog = lab.libvirtDomain(domain, LIBVIRT_PORT, "static-l-" + lab.suffix);
        lab.startXvfb();

        agents.startPortal("host-agent-portal");
        wsState = agents.wsState;
        hostState = agents.hostState;
        assertTrue(agents.hostToken().startsWith("sgh_"), agents.hostToken());
        agents.console("vmq", QMP_PORT, "static-q-" + lab.suffix);
        agents.console("vml", LIBVIRT_PORT, "static-l-" + lab.suffix);
        EnforcementIT.rule(agents.admin, "vmq", "alice", null);
        EnforcementIT.rule(agents.admin, "vml", "alice", null);
        agents.startWorkstationAgent(false, "");
        // registered, but its agent never enrolls: the host must not let it in
        agents.admin.post("/api/v1/admin/workstations", Map.of("name", "rogue", "addresses", List.of(lab.rogueAddress)))
                .expect(201);
        agents.startHostAgent("ticket.seconds=" + TICKET_SECONDS + "\n"
                + "console.vmq.qmp=" + bare.qmpAgent() + "\n"
                + "console.vml.libvirt=" + domain + "\n"
                + "libvirt.uri=" + lab.libvirtUri() + "\n");

        String admitWs = "-A SPICEGATE-IN -s " + lab.wsAddress + "/32 -p tcp -m multiport --dports " + QMP_PORT + ","
                + LIBVIRT_PORT + " -j RETURN";
        String reject = "-A SPICEGATE-IN -p tcp -m multiport --dports " + QMP_PORT + "," + LIBVIRT_PORT
                + " -j REJECT --reject-with tcp-reset";
        await(() -> hostChain().equals(List.of("-A SPICEGATE-IN -i lo -j RETURN", admitWs, reject)),
                "the host chain admitting the enrolled workstation only", () -> hostChain() + "\n" + log(hostState));
        assertFalse(hostChain().stream().anyMatch(r -> r.contains(lab.rogueAddress)), "a workstation without an agent is not admitted");
        asAlice = agents.asAlice();
        System.out.println("lab, portal and agents ready in " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (agents == null) {
            return;
        }
        try {
            agents.stopAgents();
            if (agents.hostAgent != null) {
                // stopped: only loopback reaches the console ports; --remove and --apply-base as the units run them
                List<String> closed = List.of("-A SPICEGATE-IN -i lo -j RETURN", "-A SPICEGATE-IN -p tcp -m multiport --dports "
                        + QMP_PORT + "," + LIBVIRT_PORT + " -j REJECT --reject-with tcp-reset");
                assertEquals(closed, hostChain());
                Path config = agents.hostConfig();
                assertEquals(0, jar("--config", config.toString(), "--remove"));
                assertEquals(List.of(), hostChain());
                assertFalse(Sh.run("ip", "netns", "exec", lab.kvm, "iptables", "-S", "INPUT").contains(InputScript.CHAIN));
                assertEquals(0, jar("--config", config.toString(), "--apply-base"));
                assertEquals(closed, hostChain());
                assertTrue(Sh.run("ip", "netns", "exec", lab.kvm, "iptables", "-S", "INPUT").lines()
                        .anyMatch(l -> l.equals("-A INPUT -j SPICEGATE-IN")));
            }
            agents.checkLogs();
        } finally {
            agents.close();
        }
    }

    /** How the test looks at one VM: its own screendump, and its QEMU log. */
    interface Vm {
        Screen screendump() throws Exception;

        Path log();
    }

    @Test
    void bareQemuOverQmp() throws Exception {
        provesTheChain("vmq", QMP_PORT, new Vm() {
            public Screen screendump() throws Exception {
                return bare.screendump();
            }

            public Path log() {
                return bare.log();
            }
        });
    }

    @Test
    void libvirtDomain() throws Exception {
        provesTheChain("vml", LIBVIRT_PORT, new Vm() {
            public Screen screendump() throws Exception {
                return lab.screenshot(domain);
            }

            public Path log() {
                return domainLog;
            }
        });
        String graphics = lab.virsh("dumpxml", "--security-info", domain).stdout();
        assertTrue(graphics.contains("passwdValidTo="), "libvirt keeps the ticket's expiry: " + graphics);
    }

    void provesTheChain(String console, int port, Vm vm) throws Exception {
        // the granted user's real remote-viewer shows the VM's screen
        JsonNode session = EnforcementIT.open(asAlice, console);
        assertEquals("pending", session.get("ticket").asText(), "a fresh session waits for the host agent");
        Launch first = launchFile(session);
        assertEquals(List.of("tls-port=" + port), AgentLab.lines(first.vv, "tls-port="));
        assertEquals(List.of(), AgentLab.lines(first.vv, "port="), "a TLS console has no plain port");
        assertEquals(List.of("host-subject=" + lab.hostSubject), AgentLab.lines(first.vv, "host-subject="));
        assertEquals(List.of("secure-channels=all"), AgentLab.lines(first.vv, "secure-channels="));
        assertTrue(first.vv.contains("ca=-----BEGIN CERTIFICATE-----\\n"), first.vv);
        assertTrue(first.password.length() >= 16, "a one-time password of 16+ characters");
        assertFalse(first.password.startsWith("static-"), "not the console's static password");
        assertShows(vm, alice, first, console + "-granted");

        // the same password after ticket.seconds: QEMU refuses it
        long left = first.fetched + Duration.ofSeconds(TICKET_SECONDS + 1).toNanos() - System.nanoTime();
        if (left > 0) {
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(left));
        }
        int expired = KvmLab.count(vm.log(), "Ticket has expired");
        try (KvmLab.Viewer viewer = lab.viewer(lab.ws, alice, first.vv, console + "-expired")) {
            await(() -> KvmLab.count(vm.log(), "Ticket has expired") > expired, "QEMU refusing the expired ticket",
                    () -> viewer.output() + KvmLab.readOr(vm.log()));
            assertFalse(lab.frame().shows(vm.screendump(), 0.97), "the expired ticket showed the VM");
        }

        // a fresh ticket: a laptop without an agent that holds it is refused by the host's firewall ...
        Launch second = launchFile(EnforcementIT.open(asAlice, console));
        assertNotEquals(first.password, second.password, "a re-open gets a fresh password");
        long hostRejects = KvmLab.rejected(lab.kvm, "SPICEGATE-IN");
        assertTrue(System.nanoTime() - second.fetched < Duration.ofSeconds(TICKET_SECONDS).toNanos(), "the password is still valid");
        assertRefused(vm, lab.rogue, null, second, console + "-rogue");
        assertTrue(KvmLab.rejected(lab.kvm, "SPICEGATE-IN") > hostRejects, "the host's REJECT refused the rogue laptop");
        // ... and the other user and root on the workstation by the workstation's firewall
        long wsRejects = KvmLab.rejected(lab.ws, RestoreScript.CHAIN);
        assertRefused(vm, lab.ws, bob, second, console + "-other-user");
        assertRefused(vm, lab.ws, null, second, console + "-root");
        assertTrue(KvmLab.rejected(lab.ws, RestoreScript.CHAIN) >= wsRejects + 2, "the workstation's REJECT refused them");

        // a launch file with a wrong CA: remote-viewer refuses the server
        Launch third = launchFile(EnforcementIT.open(asAlice, console));
        String wrongCa = third.vv.replaceAll("(?m)^ca=.*$", "ca=" + java.util.regex.Matcher.quoteReplacement(
                Files.readString(lab.otherCa).strip().replace("\n", "\\n") + "\\n"));
        try (KvmLab.Viewer viewer = lab.viewer(lab.ws, alice, wrongCa, console + "-wrong-ca")) {
            await(() -> viewer.output().contains("Error in certificate chain verification"), "remote-viewer refusing the server",
                    viewer::output);
            assertFalse(lab.frame().shows(vm.screendump(), 0.97), "a wrong CA showed the VM");
        }

        // and a re-open works again
        Launch fourth = launchFile(EnforcementIT.open(asAlice, console));
        assertShows(vm, alice, fourth, console + "-again");
    }

    /** A downloaded launch file, its password and when it was fetched. */
    record Launch(String vv, String password, long fetched) {
    }

    /** Fetches the session's .vv as soon as the agents have acked (503 + Retry-After until then). */
    Launch launchFile(JsonNode session) throws InterruptedException {
        long opened = System.nanoTime();
        long deadline = opened + Duration.ofSeconds(20).toNanos();
        while (true) {
            Api.Answer answer = asAlice.get(session.get("vvUrl").asText());
            if (answer.status() == 200) {
                long fetched = System.nanoTime();
                System.out.println(session.get("console").asText() + ": .vv served " + Duration.ofNanos(fetched - opened).toMillis()
                        + " ms after Open console (firewall + ticket acks)");
                List<String> password = AgentLab.lines(answer.body(), "password=");
                assertEquals(1, password.size(), answer.body());
                String pw = password.get(0).substring("password=".length());
                passwords.add(pw);
                return new Launch(answer.body(), pw, fetched);
            }
            assertEquals(503, answer.status(), answer.body());
            assertEquals("1", answer.raw().headers().firstValue("Retry-After").orElse(null),
                    answer.body() + "\n--- host agent:\n" + log(hostState) + "\n--- workstation agent:\n" + log(wsState));
            if (System.nanoTime() > deadline) {
                fail("no launch file: " + answer.body() + "\n" + log(hostState));
            }
            Thread.sleep(100);
        }
    }

    void assertShows(Vm vm, TestUsers.User user, Launch launch, String tag) throws Exception {
        long started = System.nanoTime();
        try (KvmLab.Viewer viewer = lab.viewer(lab.ws, user, launch.vv, tag)) {
            lab.awaitShows(viewer, vm::screendump, PortalProcess.buildDir().resolve("host-agent-" + tag + ".png"), tag, vm.log());
            System.out.println(tag + ": remote-viewer showed the VM's screen " + Duration.ofNanos(System.nanoTime() - started).toMillis()
                    + " ms after it started");
        }
        lab.awaitBlank(vm::screendump);
    }

    /** remote-viewer's connection is reset by a firewall (a user, or root, of {@code netns}); the VM is not shown. */
    void assertRefused(Vm vm, String netns, TestUsers.User user, Launch launch, String tag) throws Exception {
        try (KvmLab.Viewer viewer = lab.viewer(netns, user, launch.vv, tag)) {
            await(() -> viewer.output().contains("Connection refused"), tag + ": the connection refused", viewer::output);
            Screen frame = lab.frame();
            frame.writePng(PortalProcess.buildDir().resolve("host-agent-" + tag + ".png"));
            assertFalse(frame.shows(vm.screendump(), 0.97), tag + ": the VM was shown");
        }
    }

    /** Runs the agent jar with these arguments; its exit code. */
    static int jar(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(EnforcementIT.JAVA, "-jar", EnforcementIT.AGENT_JAR.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(hostState.resolve("agent.log").toFile())).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return process.exitValue();
    }

    static List<String> hostChain() {
        return lab.hostChain();
    }

    static String log(Path state) {
        return AgentLab.log(state);
    }
}
