package io.spicegate.agent;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The libvirt graphics rewrite: everything libvirt checks on a live update stays, only the ticket changes. */
class GraphicsXmlTest {

    /** As {@code virsh dumpxml --security-info} prints a running domain (shortened). */
    static final String DOMAIN = """
            <domain type='qemu' id='1'>
              <name>debianx</name>
              <devices>
                <emulator>/usr/bin/qemu-system-x86_64</emulator>
                <graphics type='vnc' port='5900' autoport='yes' listen='127.0.0.1'>
                  <listen type='address' address='127.0.0.1'/>
                </graphics>
                <graphics type='spice' port='5901' tlsPort='20002' autoport='no' listen='10.0.0.2' defaultMode='secure' passwd='static-secret'>
                  <listen type='address' address='10.0.0.2'/>
                  <image compression='auto_glz'/>
                </graphics>
                <video><model type='qxl' ram='65536'/></video>
              </devices>
              <seclabel type='none' model='none'/>
            </domain>
            """;

    @Test
    void keepsPortsAndListenAndSetsTheTicket() {
        String graphics = GraphicsXml.withTicket(DOMAIN, "Kx3-one-time", Instant.parse("2026-11-26T21:30:44.812Z"));
        assertTrue(graphics.startsWith("<graphics "), graphics);
        assertFalse(graphics.contains("<?xml"), graphics);
        for (String kept : new String[] {"type=\"spice\"", "port=\"5901\"", "tlsPort=\"20002\"", "autoport=\"no\"",
                "listen=\"10.0.0.2\"", "defaultMode=\"secure\"", "<listen address=\"10.0.0.2\" type=\"address\"/>",
                "<image compression=\"auto_glz\"/>"}) {
            assertTrue(graphics.contains(kept), kept + " missing in " + graphics);
        }
        assertTrue(graphics.contains("passwd=\"Kx3-one-time\""), graphics);
        assertFalse(graphics.contains("static-secret"), "the old password is replaced");
        assertTrue(graphics.contains("passwdValidTo=\"2026-11-26T21:30:44\""), "UTC, to the second: " + graphics);
        assertTrue(graphics.contains("connected=\"keep\""), "a connected viewer stays: " + graphics);
        assertFalse(graphics.contains("vnc"), "only the SPICE element: " + graphics);
    }

    @Test
    void aPasswordIsEscapedNotInjected() {
        String graphics = GraphicsXml.withTicket(DOMAIN, "a'b\"c<d>&e", Instant.parse("2026-01-01T00:00:00Z"));
        assertTrue(graphics.contains("passwd=\"a'b&quot;c&lt;d&gt;&amp;e\""), graphics);
    }

    @Test
    void aDomainWithoutSpiceIsAnError() {
        String vncOnly = DOMAIN.replace("type='spice'", "type='vnc'");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GraphicsXml.withTicket(vncOnly, "x", Instant.EPOCH));
        assertEquals("the domain has no SPICE graphics device", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GraphicsXml.withTicket("error: no domain", "x", Instant.EPOCH));
    }

    @Test
    void noExternalEntities() {
        String evil = "<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>" + DOMAIN.replace("<name>debianx", "<name>&x;");
        assertThrows(IllegalArgumentException.class, () -> GraphicsXml.withTicket(evil, "x", Instant.EPOCH));
    }
}
