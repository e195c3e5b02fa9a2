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
}
