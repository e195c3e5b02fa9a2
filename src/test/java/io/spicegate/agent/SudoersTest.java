package io.spicegate.agent;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The strict-mode drop-in: one forced argument per grant, the display variables kept, nothing else. */
class SudoersTest {

    private static final Path VIEWER = Path.of("/usr/bin/remote-viewer");
    private static final Path RUN = Path.of("/run/spicegate");

    @Test
    void onePerGrantAndOneDefaultsLinePerUser() {
        String text = Sudoers.render(List.of(
                new Sudoers.Entry("maggie", "leaptest"),
                new Sudoers.Entry("myself", "debianx"),
                new Sudoers.Entry("maggie", "vm3"),
                new Sudoers.Entry("maggie", "leaptest")), VIEWER, RUN, "spicegrp");
        assertEquals("""
                # Written by spicegate-agent for the live console grants of this workstation; rewritten on
                # every change and removed when none is live. Do not edit: changes are overwritten.
                Defaults:maggie env_keep += "DISPLAY XAUTHORITY WAYLAND_DISPLAY XDG_RUNTIME_DIR"
                Defaults:myself env_keep += "DISPLAY XAUTHORITY WAYLAND_DISPLAY XDG_RUNTIME_DIR"
                maggie ALL=(maggie:spicegrp) NOPASSWD: /usr/bin/remote-viewer -- /run/spicegate/maggie/leaptest.vv
                myself ALL=(myself:spicegrp) NOPASSWD: /usr/bin/remote-viewer -- /run/spicegate/myself/debianx.vv
                maggie ALL=(maggie:spicegrp) NOPASSWD: /usr/bin/remote-viewer -- /run/spicegate/maggie/vm3.vv
                """, text);
    }

    @Test
    void noGrantNoFile() {
        assertNull(Sudoers.render(List.of(), VIEWER, RUN, "spicegrp"));
    }

    @Test
    void namesThatCouldBendARuleAreRefused() {
        for (String bad : List.of("a b", "a,b", "a:b", "a=b", "../etc", "-u", "a\\b", "#0", "", "a\nb", "..")) {
            assertThrows(IllegalArgumentException.class, () -> new Sudoers.Entry(bad, "leaptest"), bad);
            assertThrows(IllegalArgumentException.class, () -> new Sudoers.Entry("maggie", bad), bad);
        }
        // an all-capitals word is an alias to sudo: ALL would grant the rule to every user
        assertThrows(IllegalArgumentException.class, () -> new Sudoers.Entry("ALL", "leaptest"));
        assertThrows(IllegalArgumentException.class, () -> new Sudoers.Entry("ADMINS", "leaptest"));
        assertThrows(IllegalArgumentException.class, () -> new Sudoers.Entry("maggie", ".."));
        assertEquals(Path.of("/run/spicegate/maggie/leap.test-2.vv"),
                Sudoers.launchFile(RUN, new Sudoers.Entry("maggie", "leap.test-2")));
    }
}
