package io.spicegate.agent;

import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing {@code agent.properties}: defaults, every key, and a sentence for each kind of mistake. */
class AgentConfigTest {

    private static AgentConfig parse(String text) throws Exception {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        return AgentConfig.parse(properties, "agent.properties");
    }

    @Test
    void defaults() throws Exception {
        AgentConfig config = parse("portal.url=https://portal.example/\n");
        assertEquals("https://portal.example", config.portalUrl().toString());
        assertNull(config.enrollmentToken());
        assertEquals(Path.of("/var/lib/spicegate"), config.stateDir());
        assertEquals(AgentConfig.Mode.WORKSTATION, config.mode());
        assertFalse(config.strict());
        assertNull(config.portalCa());
        assertNull(config.netns());
        assertEquals(Duration.ofSeconds(70), config.pollTimeout());
        assertEquals(Duration.ofSeconds(30), config.retry());
        assertEquals(Path.of("/run/spicegate"), config.strictRunDir());
        assertEquals(Path.of("/etc/sudoers.d/spicegate"), config.strictSudoersFile());
        assertEquals("spicegrp", config.strictGroup());
        assertEquals(Path.of("/usr/bin/remote-viewer"), config.remoteViewer());
        assertNull(config.missingForPortal());
    }

    @Test
    void everyKey() throws Exception {
        AgentConfig config = parse("""
                portal.url = https://127.0.0.1:8443
                enrollment.token = tok-123
                state.dir = /tmp/sg-state
                mode = host
                strict = true
                portal.ca = /etc/spicegate/ca.pem
                netns = sgt-ws-1
                poll.timeout.seconds = 5
                retry.seconds = 1
                strict.run.dir = /tmp/run-sg
                strict.sudoers.file = /etc/sudoers.d/spicegate-test
                strict.group = sgt_g
                remote.viewer = /opt/rv/remote-viewer
                hostname = mylap
                """);
        assertEquals("tok-123", config.enrollmentToken());
        assertEquals(AgentConfig.Mode.HOST, config.mode());
        assertTrue(config.strict());
        assertEquals(Path.of("/etc/spicegate/ca.pem"), config.portalCa());
        assertEquals("sgt-ws-1", config.netns());
        assertEquals(Duration.ofSeconds(5), config.pollTimeout());
        assertEquals(Duration.ofSeconds(1), config.retry());
        assertEquals("sgt_g", config.strictGroup());
        assertEquals("mylap", config.hostname());
    }

    @Test
    void theTokenNeverShowsInToString() throws Exception {
        AgentConfig config = parse("portal.url=https://p\nenrollment.token=very-secret-token\n");
        assertFalse(config.toString().contains("very-secret-token"), config.toString());
        assertTrue(config.toString().contains("enrollment.token=set"));
    }

    @Test
    void mistakesAreNamed() {
        assertMessage("unknown key 'portal.uri'", "portal.uri=https://p");
        assertMessage("mode must be 'workstation' or 'host'", "mode=client");
        assertMessage("strict must be true or false", "strict=yes");
        assertMessage("poll.timeout.seconds must be a positive number", "poll.timeout.seconds=0");
        assertMessage("portal.url must start with https:// or http://", "portal.url=ftp://p");
        assertMessage("strict.run.dir must be an absolute path", "strict.run.dir=/run/spice gate");
        assertMessage("strict.sudoers.file must be an absolute path", "strict.sudoers.file=relative");
        assertMessage("netns must be a plain network namespace name", "netns=a;b");
    }

    @Test
    void hostModeConsoles() throws Exception {
        AgentConfig config = parse("""
                portal.url = http://127.0.0.1:8080
                mode = host
                ticket.seconds = 30
                libvirt.uri = qemu:///system?socket=/tmp/lv/libvirt-sock
                console.debianx.libvirt = debianx
                console.leaptest.qmp = /run/qemu/leaptest.qmp
                console.vm3.libvirt = vm3-confidential
                """);
        assertEquals(Duration.ofSeconds(30), config.ticketTime());
        assertEquals("qemu:///system?socket=/tmp/lv/libvirt-sock", config.libvirtUri());
        assertEquals(new AgentConfig.ConsoleTarget("debianx", AgentConfig.ConsoleTarget.Kind.LIBVIRT, "debianx"),
                config.consoles().get("debianx"));
        assertEquals(new AgentConfig.ConsoleTarget("leaptest", AgentConfig.ConsoleTarget.Kind.QMP, "/run/qemu/leaptest.qmp"),
                config.consoles().get("leaptest"));
        assertEquals(3, config.consoles().size());
        assertNull(config.missingForPortal());
        assertTrue(config.toString().contains("consoles=[debianx, leaptest, vm3]"), config.toString());
    }

    @Test
    void hostModeDefaultsAndMistakes() throws Exception {
        AgentConfig defaults = parse("portal.url=https://p\nmode=host\n");
        assertEquals(Duration.ofSeconds(60), defaults.ticketTime());
        assertEquals("qemu:///system", defaults.libvirtUri());
        assertTrue(defaults.missingForPortal().startsWith("mode=host needs at least one console"), defaults.missingForPortal());
        assertMessage("console vm has both a .qmp and a .libvirt key", "console.vm.qmp=/run/q.sock\nconsole.vm.libvirt=vm");
        assertMessage("console.vm.qmp must be an absolute path", "console.vm.qmp=q.sock");
        assertMessage("console.vm.libvirt must name a libvirt domain", "console.vm.libvirt=a b");
        assertMessage("unknown key 'console.vm.vnc'", "console.vm.vnc=1");
        assertMessage("ticket.seconds must be a positive number", "ticket.seconds=-1");
        assertMessage("portal.ca must be the absolute path of the portal CA's PEM file",
                "portal.url=https://p.example\nportal.ca=pki/ca.pem");
        assertMessage("portal.ca is set, but portal.url http://p.example is plain http, which would send the agent's "
                + "secret unencrypted", "portal.url=http://p.example\nportal.ca=/etc/spicegate/ca.pem");
    }

    @Test
    void theStartLineSaysWhichCasAreTrusted() throws Exception {
        assertTrue(parse("portal.url=https://p.example\nportal.ca=\n").toString()
                .contains("portal.ca=unset (the JDK's default CAs)"));
        assertTrue(parse("portal.url=https://p.example\nportal.ca=/etc/spicegate/ca.pem\n").toString()
                .contains("portal.ca=/etc/spicegate/ca.pem"));
    }

    @Test
    void withoutPortalUrlTheAgentCannotRun() throws Exception {
        assertEquals("portal.url is not set", parse("strict=false").missingForPortal());
    }

    private static void assertMessage(String expected, String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(text));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void desktopWarningsAreOnAt15_5And1MinuteAndLinkToThePortalByDefault() throws Exception {
        AgentConfig config = parse("portal.url=https://portal.example/\n");
        assertTrue(config.desktopWarnings());
        assertEquals(java.util.List.of(15, 5, 1), config.notifyMinutes());
        assertEquals("https://portal.example", config.portalPublicUrl().toString());
    }

    @Test
    void desktopWarningsCanBeSwitchedOffOrRetimedAndLinkToAPublicUrl() throws Exception {
        AgentConfig config = parse("""
                portal.url = http://10.0.0.1:8080
                notify = false
                notify.minutes = 2, 30 ,10
                portal.public.url = https://spicegate.example.org/
                """);
        assertFalse(config.desktopWarnings());
        assertEquals(java.util.List.of(30, 10, 2), config.notifyMinutes(), "latest first, whatever the order given");
        assertEquals("https://spicegate.example.org", config.portalPublicUrl().toString());
    }

    @Test
    void badDesktopWarningSettingsAreNamed() {
        for (String bad : new String[] {"notify.minutes=15,,1", "notify.minutes=0", "notify.minutes=5 min", "notify.minutes=1441"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("portal.url=https://p.example\n" + bad));
            assertTrue(e.getMessage().startsWith("agent.properties: notify.minutes must list whole minutes from 1 to 1440"), e.getMessage());
        }
        IllegalArgumentException notify = assertThrows(IllegalArgumentException.class, () -> parse("notify=yes"));
        assertEquals("agent.properties: notify must be true or false, not 'yes'", notify.getMessage());
        IllegalArgumentException url = assertThrows(IllegalArgumentException.class, () -> parse("portal.public.url=ftp://x"));
        assertEquals("agent.properties: portal.public.url must start with https:// or http://", url.getMessage());
    }
}
