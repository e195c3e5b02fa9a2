package io.spicegate.sessions;

import io.spicegate.consoles.Console;

/**
 * The one author of the remote-viewer launch file ({@code .vv}, DESIGN.md rule 5), with the one rule for the
 * password it carries; the portal serves it once, or a strict workstation's agent writes it. Never logged.
 */
public final class LaunchFile {

    public static final String MEDIA_TYPE = "application/x-virt-viewer";

    private LaunchFile() {
    }

    /** The body and file name of a launch file as served for download. Its toString hides the content. */
    public record Content(String fileName, String body) {
        @Override
        public String toString() {
            return "LaunchFile[" + fileName + "]";
        }
    }

    /** What a strict workstation's user runs instead of downloading the file: the launcher its sudo rule allows. */
    public static final String STRICT_LAUNCHER = "spicegate-open";

    /**
     * The launch file of a session, or empty when it has no usable password. Where the console's host has an
     * agent, only the session's one-time password goes in (gone once served, lapsed or ended: then there is no
     * file) and the console's static password never leaves the portal; without a host agent, the static one. Its
     * title names the console and the end, in the session's zone ({@code fallbackZone} for sessions from before it
     * was kept), with the date when that is not today.
     */
    static java.util.Optional<String> of(ConsoleSession s, java.time.Instant now, String fallbackZone) {
        if (s.console == null) {
            return java.util.Optional.empty();
        }
        boolean hostAgent = s.console.host != null && s.console.host.hasAgent();
        String password = hostAgent || s.ticketVersion != null ? s.ticketPassword : s.console.password;
        if (hostAgent && password == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(render(s.console, password, title(s.consoleName, s.endsAt, s.zoneOr(fallbackZone), now)));
    }

    /** "vm3 — until 18:00 (Spicegate)"; "vm3 — until Thu 3 Dec 01:00 (Spicegate)" when the end is not today there. */
    static String title(String console, java.time.Instant end, java.time.ZoneId zone, java.time.Instant now) {
        return console + " — until " + io.spicegate.shared.TimeText.time(end, zone, now) + " (Spicegate)";
    }

    /**
     * A strict workstation's user never gets the launch file from the portal (DESIGN.md rule 5): its agent writes
     * it and the sudo rule starts remote-viewer on it. The sentence names the command to run there.
     */
    static String strictRefusal(String workstation, String console) {
        return "Workstation " + workstation + " is in strict mode, so the portal does not hand out its launch files: "
                + "on " + workstation + ", run this in a terminal: " + strictCommand(console)
                + " (it starts remote-viewer on the file the Spicegate agent wrote for you).";
    }

    /** The command a strict workstation's user runs for the session's console. */
    public static String strictCommand(String console) {
        return STRICT_LAUNCHER + " " + console;
    }

    /** A TLS console gets tls-port, ca, host-subject and secure-channels=all and no plain port. */
    static String render(Console console, String password, String title) {
        StringBuilder vv = new StringBuilder(1024);
        vv.append("[virt-viewer]\n");
        line(vv, "type", "spice");
        line(vv, "host", console.host.address);
        if (console.usesTls()) {
            line(vv, "tls-port", Integer.toString(console.tlsPort));
            if (console.host.caPem != null && !console.host.caPem.isBlank()) {
                // the .vv format keeps the PEM on one line with literal \n escapes
                line(vv, "ca", console.host.caPem.strip().replace("\r", "").replace("\n", "\\n") + "\\n");
            }
            if (console.hostSubject != null && !console.hostSubject.isBlank()) {
                line(vv, "host-subject", console.hostSubject);
            }
            line(vv, "secure-channels", "all");
        } else {
            line(vv, "port", Integer.toString(console.port));
        }
        if (password != null && !password.isEmpty()) {
            line(vv, "password", password);
        }
        line(vv, "delete-this-file", "1");
        line(vv, "title", title);
        line(vv, "release-cursor", "shift+f12");
        line(vv, "toggle-fullscreen", "shift+f11");
        line(vv, "secure-attention", "ctrl+alt+end");
        line(vv, "fullscreen", "0");
        return vv.toString();
    }

    /** A value may not break out of its line (that would inject keys). */
    private static void line(StringBuilder vv, String key, String value) {
        String v = value.replace("\r", "").replace("\n", " ").replace("\u0000", "");
        vv.append(key).append('=').append(v).append('\n');
    }
}
