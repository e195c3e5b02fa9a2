package io.spicegate.agent;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The drift check: strict mode needs remote-viewer as {@code root:spicegrp 0750}; otherwise nothing is checked. */
class HostFactsProbeTest {

    private static AgentConfig config(boolean strict, Path viewer) {
        Properties p = new Properties();
        p.setProperty("strict", Boolean.toString(strict));
        p.setProperty("remote.viewer", viewer.toString());
        p.setProperty("hostname", "mylap");
        return AgentConfig.parse(p, "test");
    }

    @Test
    void noDriftOutsideStrictMode() {
        assertNull(HostFactsProbe.drift(config(false, Path.of("/usr/bin/remote-viewer")),
                Path.of("/usr/bin/remote-viewer"), "root", "root", "0755"));
    }

    @Test
    void driftIsASentenceWithTheFix() {
        Path viewer = Path.of("/usr/bin/remote-viewer");
        AgentConfig strict = config(true, viewer);
        assertNull(HostFactsProbe.drift(strict, viewer, "root", "spicegrp", "0750"));
        assertEquals("/usr/bin/remote-viewer is root:root 0755, expected root:spicegrp 0750 (fix: chown root:spicegrp"
                + " /usr/bin/remote-viewer && chmod 0750 /usr/bin/remote-viewer)",
                HostFactsProbe.drift(strict, viewer, "root", "root", "0755"));
        assertTrue(HostFactsProbe.drift(strict, viewer, null, null, null).contains("not found"));
    }

    @Test
    void readsOwnerGroupAndModeOfTheRealFile() throws Exception {
        Path viewer = Files.createTempFile("remote-viewer", "");
        try {
            Files.setPosixFilePermissions(viewer, PosixFilePermissions.fromString("rwxr-x---"));
            var facts = new HostFactsProbe(config(false, viewer)).facts();
            assertEquals("0750", facts.remoteViewerMode());
            assertEquals(System.getProperty("user.name"), facts.remoteViewerOwner());
            assertEquals("mylap", facts.hostname());
            assertNull(facts.drift());
            var strict = new HostFactsProbe(config(true, viewer)).facts();
            assertTrue(strict.strict());
            assertTrue(strict.drift() == null == ("root".equals(strict.remoteViewerOwner())
                    && "spicegrp".equals(strict.remoteViewerGroup())), strict.toString());
        } finally {
            Files.deleteIfExists(viewer);
        }
    }
}
