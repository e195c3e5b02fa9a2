package io.spicegate.agent;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's settings, read from {@code /etc/spicegate/agent.properties} (or {@code --config FILE}).
 * The enrollment token is a secret: it never appears in {@link #toString()}.
 */
public record AgentConfig(URI portalUrl, String enrollmentToken, Path stateDir, Mode mode, boolean strict,
                          Path portalCa, String netns, Duration pollTimeout, Duration retry, Path strictRunDir,
                          Path strictSudoersFile, String strictGroup, Path remoteViewer, String hostname,
                          Map<String, ConsoleTarget> consoles, Duration ticketTime, String libvirtUri,
                          boolean desktopWarnings, List<Integer> notifyMinutes, URI portalPublicUrl) {

    /** Where the agent looks for its settings without {@code --config}. */
    public static final Path DEFAULT_FILE = Path.of("/etc/spicegate/agent.properties");

    /** What this agent enforces: a client workstation's grants, or a KVM host's tickets and console ports. */
    public enum Mode { WORKSTATION, HOST }

    /**
     * Host mode: how the agent reaches the VM behind a portal console name, from
     * {@code console.<name>.qmp=/path/to/qmp.sock} or {@code console.<name>.libvirt=<domain>}.
     */
    public record ConsoleTarget(String console, Kind kind, String target) {

        /** Bare QEMU through its QMP socket, or a libvirt domain through virsh. */
        public enum Kind { QMP, LIBVIRT }
    }

    private static final Set<String> KEYS = Set.of("portal.url", "enrollment.token", "state.dir", "mode", "strict",
            "portal.ca", "netns", "poll.timeout.seconds", "retry.seconds", "strict.run.dir", "strict.sudoers.file",
            "strict.group", "remote.viewer", "hostname", "ticket.seconds", "libvirt.uri", "notify", "notify.minutes",
            "portal.public.url");
    /** Host mode's per-console keys; console names as the portal allows them. */
    private static final Pattern CONSOLE_KEY = Pattern.compile("console\\.([a-z0-9][a-z0-9._-]{0,63})\\.(qmp|libvirt)");
    /** Libvirt domain names: printable, no spaces or slashes (they are argv, never a shell). */
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9._+:@-]{1,200}");
    /** Paths end up in a sudoers rule, names in file names and iptables arguments: keep them to plain characters. */
    private static final Pattern SAFE_PATH = Pattern.compile("/[A-Za-z0-9._/-]*");
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]+");

    /** Reads a properties file; unknown keys and bad values are rejected with a sentence naming the key. */
    public static AgentConfig load(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        return parse(properties, file.toString());
    }

    /** Parses settings; {@code source} names them in error messages. */
    public static AgentConfig parse(Properties p, String source) {
        for (String key : p.stringPropertyNames()) {
            if (!KEYS.contains(key) && !CONSOLE_KEY.matcher(key).matches()) {
                throw new IllegalArgumentException(source + ": unknown key '" + key + "' (known: " + String.join(", ",
                        KEYS.stream().sorted().toList()) + ", console.<name>.qmp, console.<name>.libvirt)");
            }
        }
        URI portalUrl = url(p, "portal.url", source);
        URI publicUrl = url(p, "portal.public.url", source);
        String modeName = value(p, "mode", "workstation");
        Mode mode = switch (modeName) {
            case "workstation" -> Mode.WORKSTATION;
            case "host" -> Mode.HOST;
            default -> throw new IllegalArgumentException(source + ": mode must be 'workstation' or 'host', not '" + modeName + "'");
        };
        String netns = value(p, "netns", null);
        if (netns != null && !SAFE_NAME.matcher(netns).matches()) {
            throw new IllegalArgumentException(source + ": netns must be a plain network namespace name");
        }
        String group = value(p, "strict.group", "spicegrp");
        if (!SAFE_NAME.matcher(group).matches()) {
            throw new IllegalArgumentException(source + ": strict.group must be a plain group name");
        }
        String portalCa = value(p, "portal.ca", null);
        if (portalCa != null && !portalCa.startsWith("/")) {
            throw new IllegalArgumentException(source + ": portal.ca must be the absolute path of the portal CA's PEM file");
        }
        if (portalCa != null && portalUrl != null && "http".equals(portalUrl.getScheme())) {
            throw new IllegalArgumentException(source + ": portal.ca is set, but portal.url " + portalUrl + " is plain http, "
                    + "which would send the agent's secret unencrypted: use the portal's https:// address");
        }
        Map<String, ConsoleTarget> consoles = new TreeMap<>();
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            Matcher m = CONSOLE_KEY.matcher(key);
            if (!m.matches()) {
                continue;
            }
            String name = m.group(1);
            if (consoles.containsKey(name)) {
                throw new IllegalArgumentException(source + ": console " + name + " has both a .qmp and a .libvirt key: keep one");
            }
            if (m.group(2).equals("qmp")) {
                consoles.put(name, new ConsoleTarget(name, ConsoleTarget.Kind.QMP, safePath(p, key, "/", source).toString()));
            } else {
                String domain = value(p, key, "");
                if (!DOMAIN.matcher(domain).matches()) {
                    throw new IllegalArgumentException(source + ": " + key + " must name a libvirt domain (letters, digits, ._+:@-)");
                }
                consoles.put(name, new ConsoleTarget(name, ConsoleTarget.Kind.LIBVIRT, domain));
            }
        }
        String libvirtUri = value(p, "libvirt.uri", "qemu:///system");
        if (!libvirtUri.matches("[\\x21-\\x7e]{1,500}")) {
            throw new IllegalArgumentException(source + ": libvirt.uri must be a URI such as qemu:///system");
        }
        return new AgentConfig(portalUrl,
                value(p, "enrollment.token", null),
                Path.of(value(p, "state.dir", "/var/lib/spicegate")),
                mode,
                bool(p, "strict", source),
                portalCa == null ? null : Path.of(portalCa),
                netns,
                Duration.ofSeconds(positive(p, "poll.timeout.seconds", 70, source)),
                Duration.ofSeconds(positive(p, "retry.seconds", 30, source)),
                safePath(p, "strict.run.dir", "/run/spicegate", source),
                safePath(p, "strict.sudoers.file", "/etc/sudoers.d/spicegate", source),
                group,
                safePath(p, "remote.viewer", "/usr/bin/remote-viewer", source),
                value(p, "hostname", null),
                java.util.Collections.unmodifiableMap(consoles),
                Duration.ofSeconds(positive(p, "ticket.seconds", 60, source)),
                libvirtUri,
                !p.containsKey("notify") || bool(p, "notify", source),
                minutes(p, "notify.minutes", source),
                publicUrl != null ? publicUrl : portalUrl);
    }

    /** The settings the agent needs before it can talk to the portal, as a sentence, or null when complete. */
    public String missingForPortal() {
        if (portalUrl == null) {
            return "portal.url is not set";
        }
        if (mode == Mode.HOST && consoles.isEmpty()) {
            return "mode=host needs at least one console: console.<name>.qmp=/path/to/qmp.sock or console.<name>.libvirt=<domain>";
        }
        return null;
    }

    /** An http(s) URL without a trailing slash, or null when the key is not set. */
    private static URI url(Properties p, String key, String source) {
        String url = value(p, key, null);
        if (url == null) {
            return null;
        }
        try {
            URI uri = new URI(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            if ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new IllegalArgumentException(source + ": " + key + " must start with https:// or http://");
    }

    /** The desktop warnings' thresholds: distinct whole minutes (1 to 1440) before a grant's end, latest first. */
    private static List<Integer> minutes(Properties p, String key, String source) {
        String v = value(p, key, "15,5,1");
        TreeSet<Integer> minutes = new TreeSet<>(java.util.Comparator.reverseOrder());
        for (String part : v.split(",")) {
            try {
                int n = Integer.parseInt(part.strip());
                if (n >= 1 && n <= 1440) {
                    minutes.add(n);
                    continue;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(source + ": " + key + " must list whole minutes from 1 to 1440 separated by commas"
                    + " (e.g. 15,5,1), not '" + v + "'");
        }
        return List.copyOf(minutes);
    }

    private static String value(Properties p, String key, String fallback) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        return v.strip();
    }

    private static boolean bool(Properties p, String key, String source) {
        String v = value(p, key, "false");
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(source + ": " + key + " must be true or false, not '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    private static long positive(Properties p, String key, long fallback, String source) {
        String v = value(p, key, Long.toString(fallback));
        try {
            long n = Long.parseLong(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(source + ": " + key + " must be a positive number of seconds, not '" + v + "'");
    }

    private static Path safePath(Properties p, String key, String fallback, String source) {
        String v = value(p, key, fallback);
        if (!SAFE_PATH.matcher(v).matches() || v.contains("/../") || v.endsWith("/..")) {
            throw new IllegalArgumentException(source + ": " + key + " must be an absolute path of letters, digits and ._-/");
        }
        return Path.of(v);
    }

    @Override
    public String toString() {
        return "AgentConfig[portal.url=" + portalUrl + ", portal.ca=" + (portalCa == null ? "unset (the JDK's default CAs)" : portalCa)
                + ", enrollment.token=" + (enrollmentToken == null ? "unset" : "set")
                + ", state.dir=" + stateDir + ", mode=" + mode.name().toLowerCase() + ", strict=" + strict
                + (mode == Mode.WORKSTATION ? ", notify=" + (desktopWarnings ? notifyMinutes.toString() : "false") : "")
                + (netns == null ? "" : ", netns=" + netns)
                + (mode == Mode.HOST ? ", consoles=" + consoles.keySet() + ", ticket.seconds=" + ticketTime.toSeconds() : "") + "]";
    }
}
