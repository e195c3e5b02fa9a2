package io.spicegate.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Properties;
import java.util.Set;

/**
 * Where the command finds its portal: {@code SPICEGATE_URL}, {@code SPICEGATE_TOKEN} and {@code SPICEGATE_CA} win
 * over the keys {@code url}, {@code token} and {@code ca} of {@code ~/.config/spicegate/cli.properties}
 * ({@code $XDG_CONFIG_HOME} honoured). The file holds a token, so like ssh the command refuses to read it when other
 * users may; {@code spicegate login} writes it 0600 in a 0700 directory, atomically. The token never appears in
 * {@link #toString()} or in a message.
 */
record CliConfig(URI url, String token, Path ca) {

    /** A CA file is for https: with an http address the token would go in clear whatever the CA says (exit 2). */
    CliConfig {
        if (ca != null && "http".equals(url.getScheme())) {
            throw CliException.usage("A CA file is set (" + ca + "), but the portal's address " + url + " is plain "
                    + "http, which would send your token unencrypted: use the portal's https:// address.");
        }
    }

    static final Set<String> KEYS = Set.of("url", "token", "ca");
    /** Permissions that let another user read or change the file. */
    private static final Set<PosixFilePermission> SHARED = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    /** The config file: {@code $XDG_CONFIG_HOME/spicegate/cli.properties}, else under {@code ~/.config}. */
    static Path file(Terminal t) {
        String xdg = t.env("XDG_CONFIG_HOME");
        Path base = xdg != null && Path.of(xdg).isAbsolute() ? Path.of(xdg) : t.home().resolve(".config");
        return base.resolve("spicegate").resolve("cli.properties");
    }

    /** The settings of this run: the variables, then the file for what they leave out; exit 2 when incomplete. */
    static CliConfig load(Terminal t) {
        String url = t.env("SPICEGATE_URL");
        String token = t.env("SPICEGATE_TOKEN");
        Path ca = ca(t.env("SPICEGATE_CA"), null);
        Path file = file(t);
        String source = "SPICEGATE_URL";
        if ((url == null || token == null || ca == null) && Files.exists(file)) {
            Properties p = readPrivate(file);
            if (url == null) {
                url = value(p, "url");
                source = file.toString();
            }
            token = token != null ? token : value(p, "token");
            ca = ca != null ? ca : ca(value(p, "ca"), file);
        }
        if (url == null || token == null) {
            throw CliException.usage("No portal is configured: run spicegate login, or set SPICEGATE_URL and SPICEGATE_TOKEN.");
        }
        return new CliConfig(url(url, source), token(token), ca);
    }

    /**
     * The CA file named by {@code text}, absolute: from SPICEGATE_CA ({@code file} null) a relative path is taken
     * from the current directory, as typed in this shell; in the config file it is refused (exit 2), since it would
     * name another file in every directory the command runs in.
     */
    static Path ca(String text, Path file) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Path ca;
        try {
            ca = Path.of(text.strip());
        } catch (java.nio.file.InvalidPathException e) {
            throw CliException.usage("The CA file's name from " + (file == null ? "SPICEGATE_CA" : file.toString())
                    + " is not a path: " + Main.reason(e) + ".");
        }
        if (ca.isAbsolute()) {
            return ca.normalize();
        }
        if (file != null) {
            throw CliException.usage("ca in " + file + " is a relative path (" + Main.printable(text.strip(), 80)
                    + "): write the CA file's absolute path there, or run spicegate login again.");
        }
        return ca.toAbsolutePath().normalize();
    }

    /** The file's settings; refused (exit 2) when group or others may read or write it, or a key is unknown. */
    static Properties readPrivate(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.stream().anyMatch(SHARED::contains)) {
                throw CliException.usage(file + " holds your token but other users may read it ("
                        + PosixFilePermissions.toString(permissions) + "): run chmod 600 " + file + " first.");
            }
            Properties p = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(reader);
            }
            for (String key : p.stringPropertyNames()) {
                if (!KEYS.contains(key)) {
                    throw CliException.usage(file + " has an unknown key '" + Main.printable(key, 40)
                            + "': the keys are url, token and ca.");
                }
            }
            return p;
        } catch (IOException | IllegalArgumentException e) {
            throw CliException.usage("Cannot read " + file + ": " + Main.reason(e) + ".");
        }
    }

    /** An http(s) portal address without a trailing slash; exit 2 otherwise. */
    static URI url(String text, String source) {
        String url = text.strip();
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        try {
            URI uri = new URI(url);
            if (("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getRawQuery() == null && uri.getRawFragment() == null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // said below
        }
        throw CliException.usage("The portal address from " + source + " must look like https://portal.example.org, not '"
                + Main.printable(url, 80) + "'.");
    }

    /** A token as sent in the Authorization header: printable, no spaces (never echoed back). */
    static String token(String text) {
        String token = text.strip();
        if (!token.matches("[\\x21-\\x7e]{1,4096}")) {
            throw CliException.usage("The token is not one a portal hands out (printable characters without spaces): "
                    + "copy it again from My account, or run spicegate login.");
        }
        return token;
    }

    /**
     * Writes the settings to {@code file}: a temporary file created 0600 in its directory (made 0700), then moved over
     * the old one, so no reader ever sees a half-written or shared file.
     */
    void save(Path file) throws IOException {
        Path dir = file.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path temp = Files.createTempFile(dir, ".cli-", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Properties p = new Properties();
            p.setProperty("url", url.toString());
            p.setProperty("token", token);
            if (ca != null) {
                p.setProperty("ca", ca.toString());
            }
            try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                p.store(out, "spicegate login: the portal and your personal API token (keep this file 0600)");
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static String value(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null || v.isBlank() ? null : v.strip();
    }

    @Override
    public String toString() {
        return "CliConfig[url=" + url + ", token=(set), ca=" + ca + "]";
    }
}
