package io.spicegate.agent;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Renders the strict-mode sudoers drop-in (seed strategy 3): per live grant, the user may run remote-viewer as
 * themself with group {@code spicegrp}, with exactly one forced argument, the agent-written .vv file. Nothing
 * else: remote-viewer itself is {@code root:spicegrp 0750}, so there is no other way to start it.
 */
public final class Sudoers {

    /** Unix user names and console names as they may appear in a sudoers rule and a file name. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9._-]{0,63}");
    /** Sudoers reads an all-capitals word as an alias (or ALL), never as a user name. */
    private static final Pattern ALIAS = Pattern.compile("[A-Z][A-Z0-9_]*");
    /** What the user's X11/Wayland session needs to survive sudo's env_reset. */
    static final String ENV_KEEP = "DISPLAY XAUTHORITY WAYLAND_DISPLAY XDG_RUNTIME_DIR";

    private Sudoers() {
    }

    /** One grant in strict mode: which user may open which console's launch file. */
    public record Entry(String user, String console) {

        /** Refuses names that could change the meaning of a sudoers line or escape the run directory. */
        public Entry {
            if (user == null || !NAME.matcher(user).matches() || ALIAS.matcher(user).matches()) {
                throw new IllegalArgumentException("user name not usable in a sudoers rule");
            }
            if (console == null || !NAME.matcher(console).matches()) {
                throw new IllegalArgumentException("console name not usable in a file name");
            }
        }
    }

    /** The launch file of {@code entry} under {@code runDir}: {@code <runDir>/<user>/<console>.vv}. */
    public static Path launchFile(Path runDir, Entry entry) {
        return runDir.resolve(entry.user()).resolve(entry.console() + ".vv");
    }

    /** The drop-in for {@code entries} (duplicates collapse), or null when there is none. */
    public static String render(List<Entry> entries, Path remoteViewer, Path runDir, String group) {
        Set<Entry> unique = new LinkedHashSet<>(entries);
        if (unique.isEmpty()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        text.append("# Written by spicegate-agent for the live console grants of this workstation; rewritten on\n")
            .append("# every change and removed when none is live. Do not edit: changes are overwritten.\n");
        Set<String> users = new LinkedHashSet<>();
        unique.forEach(e -> users.add(e.user()));
        for (String user : users) {
            text.append("Defaults:").append(user).append(" env_keep += \"").append(ENV_KEEP).append("\"\n");
        }
        for (Entry entry : unique) {
            text.append(entry.user()).append(" ALL=(").append(entry.user()).append(':').append(group)
                .append(") NOPASSWD: ").append(remoteViewer).append(" -- ").append(launchFile(runDir, entry)).append('\n');
        }
        return text.toString();
    }
}
