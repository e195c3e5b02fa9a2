package io.spicegate.agent;

import io.spicegate.testing.Api;
import io.spicegate.testing.PortalProcess;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The end-to-end lab of the host-agent tests ({@link HostAgentIT}, {@link StrictTicketIT}, {@link CliStrictIT}), as
 * root: a {@link KvmLab}
 * with two real users, the packaged portal (admin {@code admin/demo}, portal users {@code alice} and {@code bob} for
 * them, a KVM host {@code kvm}), and the packaged agent jar twice: a workstation agent {@code ws} in the
 * workstation's namespace and a host agent guarding the KVM namespace; {@link #strict} makes the workstation a
 * strict one. {@link #stopAgents} and {@link #checkLogs} stop both agents with SIGTERM, print their logs and prove no
 * one-time password reached a log; closing removes everything made here.
 */
final class AgentLab implements AutoCloseable {

    /** Strict mode's group and directory of launch files, as the launcher and the agent's defaults name them. */
    static final String STRICT_GROUP = "spicegrp";
    static final Path RUN_DIR = Path.of("/run/spicegate");

    final KvmLab lab;
    final TestUsers users;
    final TestUsers.User alice;
    final TestUsers.User bob;
    /** The one-time passwords the test saw: none of them may reach a log. */
    final List<String> passwords = new ArrayList<>();
    PortalProcess portal;
    Api admin;
    Path data;
    Path wsState;
    Path hostState;
    Process wsAgent;
    Process hostAgent;
    /** Strict mode's sudoers file of this lab; null unless {@link #strict}. */
    Path sudoersFile;
    private boolean createdRunDir;
    private String hostToken;

    private AgentLab(KvmLab lab, TestUsers users, String prefix) throws Exception {
        this.lab = lab;
        this.users = users;
        this.alice = users.create(prefix + "_a_" + lab.suffix);
        this.bob = users.create(prefix + "_b_" + lab.suffix);
    }

    /** The namespaces and two users named {@code <prefix>_a_*} and {@code <prefix>_b_*}; closed again when this fails. */
    static AgentLab create(String prefix) throws Exception {
        assertTrue(Files.isRegularFile(EnforcementIT.AGENT_JAR), EnforcementIT.AGENT_JAR + " missing: run ./mvnw verify");
        TestUsers users = new TestUsers();
        KvmLab lab = null;
        try {
            lab = KvmLab.create();
            return new AgentLab(lab, users, prefix);
        } catch (Exception | Error e) {
            if (lab != null) {
                lab.close();
            }
            users.close();
            throw e;
        }
    }

    /**
     * Starts the packaged portal (behind a trusted loopback proxy, so a request may come "from" the workstation),
     * adds the KVM host {@code kvm} and the portal users alice and bob for the two Unix users.
     */
    void startPortal(String name) throws Exception {
        data = Files.createTempDirectory(name + "-data-");
        wsState = Files.createTempDirectory(name + "-ws-agent-");
        hostState = Files.createTempDirectory(name + "-host-agent-");
        portal = PortalProcess.start(name, new HashMap<>(Map.of(
                "SPICEGATE_DATA_DIR", data.toString(),
                "QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING", "true",
                "QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED", "true",
                "QUARKUS_HTTP_PROXY_TRUSTED_PROXIES", "127.0.0.1")));
        admin = Api.basic(portal.base, "admin", "demo");
        hostToken = admin.post("/api/v1/admin/hosts", Map.of("name", "kvm", "address", lab.kvmAddress,
                "caPem", lab.caPem())).expect(201).json().get("enrollmentToken").asText();
        for (TestUsers.User u : List.of(alice, bob)) {
            String login = u == alice ? "alice" : "bob";
            admin.post("/api/v1/admin/users", Map.of("username", login, "password", "password-" + login,
                    "unixUsername", u.name(), "roles", List.of("user"))).expect(201);
        }
    }

    /**
     * Readies a strict workstation: the group spicegrp (made unless installed, removed with the users) and a sudoers
     * file of this lab's own, {@code /etc/sudoers.d/<name>-<suffix>}. Returns the workstation agent's config lines
     * for it. Closing removes the file, the users' launch files, and {@code /run/spicegate} when it was not there.
     */
    String strict(String sudoersName) {
        Sh.requireRoot("sudo", "visudo", "groupadd", "groupdel", "setpriv");
        if (!Sh.tryRun("getent", "group", STRICT_GROUP).ok()) {
            users.group(STRICT_GROUP);
        }
        createdRunDir = !Files.exists(RUN_DIR);
        sudoersFile = Path.of("/etc/sudoers.d/" + sudoersName + "-" + lab.suffix);
        return "strict=true\nstrict.sudoers.file=" + sudoersFile + "\n";
    }

    /** Where the strict agent writes {@code user}'s launch file for {@code console}. */
    static Path launchFile(TestUsers.User user, String console) {
        return RUN_DIR.resolve(user.name()).resolve(console + ".vv");
    }

    /** The host's enrollment token, as the portal handed it out. */
    String hostToken() {
        return hostToken;
    }

    /** Adds console {@code name} on the KVM host, on {@code tlsPort} with {@code staticPassword}. */
    void console(String name, int tlsPort, String staticPassword) {
        admin.post("/api/v1/admin/consoles", Map.of("name", name, "host", "kvm", "tlsPort", tlsPort,
                "hostSubject", lab.hostSubject, "password", staticPassword)).expect(201);
    }

    /** Adds workstation {@code ws} at the workstation's address and starts its agent with {@code moreConfig} lines. */
    void startWorkstationAgent(boolean strict, String moreConfig) throws Exception {
        Map<String, Object> body = new HashMap<>(Map.of("name", "ws", "addresses", List.of(lab.wsAddress)));
        if (strict) {
            body.put("strict", true);
        }
        String token = admin.post("/api/v1/admin/workstations", body).expect(201).json().get("enrollmentToken").asText();
        Path config = wsState.resolve("agent.properties");
        Files.writeString(config, "portal.url=" + portal.base + "\nenrollment.token=" + token + "\nstate.dir=" + wsState
                + "\nnetns=" + lab.ws + "\nretry.seconds=1\npoll.timeout.seconds=40\nhostname=ws\n" + moreConfig);
        wsAgent = EnforcementIT.startAgent(config, wsState);
    }

    /** Starts the host agent in the KVM namespace with {@code moreConfig} lines (ticket.seconds, the consoles). */
    void startHostAgent(String moreConfig) throws Exception {
        Path config = hostConfig();
        Files.writeString(config, "portal.url=" + portal.base + "\nenrollment.token=" + hostToken + "\nstate.dir=" + hostState
                + "\nmode=host\nnetns=" + lab.kvm + "\nretry.seconds=1\npoll.timeout.seconds=40\nhostname=kvm\n" + moreConfig);
        hostAgent = EnforcementIT.startAgent(config, hostState);
    }

    /** The host agent's config file. */
    Path hostConfig() {
        return hostState.resolve("agent.properties");
    }

    /** A portal client logged in as alice whose requests come from the workstation's address. */
    Api asAlice() {
        return Api.basic(portal.base, "alice", "password-alice").from(lab.wsAddress);
    }

    /** Stops both agents with SIGTERM; each must be gone within 15 s. */
    void stopAgents() throws InterruptedException {
        for (Process agent : new Process[] {wsAgent, hostAgent}) {
            if (agent != null && agent.isAlive()) {
                agent.destroy();
                assertTrue(agent.waitFor(15, TimeUnit.SECONDS), "an agent did not stop on SIGTERM");
            }
        }
    }

    /** Prints both agents' logs and stops the portal; no one-time password the test saw is in any log. */
    void checkLogs() throws Exception {
        System.out.println("--- host agent log:\n" + log(hostState) + "\n--- workstation agent log:\n" + log(wsState));
        if (portal != null) {
            portal.close();
            String logs = portal.logText() + log(wsState) + log(hostState);
            for (String password : passwords) {
                assertFalse(logs.contains(password), "a one-time password in a log");
            }
        }
    }

    /** An agent's log, kept in its state directory. */
    static String log(Path state) {
        return state == null ? "(no agent log)" : KvmLab.readOr(state.resolve("agent.log"));
    }

    /** The lines of a launch file that start with {@code prefix}. */
    static List<String> lines(String vv, String prefix) {
        return vv.lines().filter(l -> l.startsWith(prefix)).toList();
    }

    /** Ends the portal, the lab, strict mode's files, the users and the directories, whatever a test left. */
    @Override
    public void close() throws Exception {
        try {
            if (portal != null) {
                portal.close();
            }
            if (sudoersFile != null) {
                Files.deleteIfExists(sudoersFile);
                for (TestUsers.User user : List.of(alice, bob)) {
                    EnforcementIT.deleteTree(RUN_DIR.resolve(user.name()));
                }
                if (createdRunDir) {
                    EnforcementIT.deleteTree(RUN_DIR);
                }
            }
            lab.close();
        } finally {
            users.close();
            for (Path dir : new Path[] {data, wsState, hostState}) {
                EnforcementIT.deleteTree(dir);
            }
        }
    }
}
