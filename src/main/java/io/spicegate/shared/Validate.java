package io.spicegate.shared;

import java.util.regex.Pattern;

/** Input checks shared by the admin calls; each failure is a sentence that says what to send instead. */
public final class Validate {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private Validate() {
    }

    /** Names of consoles, hosts, workstations, groups and users: lower-case letters, digits, '.', '_' and '-'. */
    public static String name(String raw, String what) {
        if (raw == null || raw.isBlank()) {
            throw Problem.badRequest("Give the " + what + " a name.");
        }
        String n = raw.strip();
        if (!NAME.matcher(n).matches()) {
            throw Problem.badRequest("'" + TimeText.clip(n) + "' is not a valid " + what + " name: use 1 to 64 lower-case "
                    + "letters, digits, '.', '_' or '-', starting with a letter or digit.");
        }
        return n;
    }

    /** Free text with a length limit; control characters (other than newline and tab) refused. */
    public static String text(String raw, String field, int max) {
        if (raw == null) {
            return null;
        }
        if (raw.length() > max) {
            throw Problem.badRequest("'" + field + "' is too long: at most " + max + " characters.");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || (c >= 0x7f && c <= 0x9f)) {
                throw Problem.badRequest("'" + field + "' contains a control character: remove it.");
            }
        }
        return raw.strip();
    }

    public static int port(Integer p, String field) {
        if (p == null || p < 1 || p > 65535) {
            throw Problem.badRequest("'" + field + "' must be a TCP port from 1 to 65535.");
        }
        return p;
    }
}
