package io.spicegate.sessions;

import io.spicegate.consoles.Console;
import io.spicegate.consoles.KvmHost;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The .vv format: keys per console type, escapes, and no way to inject a key through a value. */
class LaunchFileTest {

    static Console console(Integer tlsPort, Integer port) {
        KvmHost h = new KvmHost();
        h.name = "mysrv";
        h.address = "192.0.2.10";
        h.caPem = "-----BEGIN CERTIFICATE-----\r\nAAAA\r\nBBBB\r\n-----END CERTIFICATE-----\r\n";
        Console c = new Console();
        c.name = "debianx";
        c.host = h;
        c.tlsPort = tlsPort;
        c.port = port;
        c.hostSubject = "C=DE,O=Office,CN=mysrv";
        return c;
    }

    @Test
    void tlsConsole() {
        String vv = LaunchFile.render(console(20002, 5900), "pw", "debianx");
        assertTrue(vv.startsWith("[virt-viewer]\ntype=spice\nhost=192.0.2.10\ntls-port=20002\n"), vv);
        assertTrue(vv.contains("\nca=-----BEGIN CERTIFICATE-----\\nAAAA\\nBBBB\\n-----END CERTIFICATE-----\\n\n"), vv);
        assertTrue(vv.contains("\nhost-subject=C=DE,O=Office,CN=mysrv\n"));
        assertTrue(vv.contains("\nsecure-channels=all\n"));
        assertTrue(vv.contains("\ndelete-this-file=1\n"));
        assertFalse(vv.contains("\nport="), "no plain port next to TLS");
        assertEquals(1, vv.lines().filter(l -> l.startsWith("ca=")).count());
    }

    @Test
    void plainConsole() {
        String vv = LaunchFile.render(console(null, 5901), "pw", "t");
        assertTrue(vv.contains("\nport=5901\n"));
        assertFalse(vv.contains("tls-port"));
        assertFalse(vv.contains("secure-channels"));
        assertFalse(vv.contains("\nca="));
    }

    @Test
    void aValueCannotAddAKey() {
        Console c = console(20002, null);
        c.hostSubject = "CN=x\nhost=evil.example";
        String vv = LaunchFile.render(c, "p\r\nfullscreen=1", "t\nport=1");
        assertEquals(1, vv.lines().filter(l -> l.startsWith("host=")).count());
        assertFalse(vv.lines().anyMatch(l -> l.startsWith("port=")));
        assertEquals(1, vv.lines().filter(l -> l.startsWith("fullscreen=")).count());
    }

    @Test
    void theTitleNamesTheEndInTheRulesZone() {
        java.time.ZoneId berlin = java.time.ZoneId.of("Europe/Berlin");
        java.time.Instant now = java.time.Instant.parse("2026-12-02T15:00:00Z"); // Wed 16:00 in Berlin
        assertEquals("vm3 — until 18:00 (Spicegate)",
                LaunchFile.title("vm3", java.time.Instant.parse("2026-12-02T17:00:00Z"), berlin, now));
        // past midnight there: the date is named
        assertEquals("vm3 — until Thu 3 Dec 01:00 (Spicegate)",
                LaunchFile.title("vm3", java.time.Instant.parse("2026-12-03T00:00:00Z"), berlin, now));
        // the same instant in New York is still today
        assertEquals("vm3 — until 19:00 (Spicegate)", LaunchFile.title("vm3",
                java.time.Instant.parse("2026-12-03T00:00:00Z"), java.time.ZoneId.of("America/New_York"), now));
    }

    @Test
    void theSessionsLaunchFileCarriesTheTitleAndNoCursorHint() {
        ConsoleSession s = new ConsoleSession();
        s.console = console(20002, null);
        s.console.password = "pw";
        s.consoleName = "debianx";
        s.endsAt = java.time.Instant.parse("2026-12-02T17:00:00Z");
        s.zone = "Europe/Berlin";
        String vv = LaunchFile.of(s, java.time.Instant.parse("2026-12-02T08:00:00Z"), "UTC").orElseThrow();
        assertTrue(vv.contains("\ntitle=debianx — until 18:00 (Spicegate)\n"), vv);
        assertFalse(vv.contains("release cursor"), "the hot keys are their own keys");
        assertTrue(vv.contains("\nrelease-cursor=shift+f12\n"));
        s.zone = null; // a session from before the zone was kept: the display zone
        assertTrue(LaunchFile.of(s, java.time.Instant.parse("2026-12-02T08:00:00Z"), "UTC").orElseThrow()
                .contains("\ntitle=debianx — until 17:00 (Spicegate)\n"));
    }
}
