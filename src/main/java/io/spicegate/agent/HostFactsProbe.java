package io.spicegate.agent;

import io.spicegate.protocol.HostFacts;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;

/**
 * What the agent reports about its workstation: its version, host name and, for the drift check of strict mode,
 * remote-viewer's owner, group and mode, which must stay {@code root:spicegrp 0750} (package updates reset it).
 */
public final class HostFactsProbe {

    private final AgentConfig config;

    /** A probe for the configured remote-viewer path and group. */
    public HostFactsProbe(AgentConfig config) {
        this.config = config;
    }

    /** The facts as of now. */
    public HostFacts facts() {
        Path viewer = config.remoteViewer();
        String owner = null;
        String group = null;
        String mode = null;
        try {
            PosixFileAttributes attributes = Files.readAttributes(viewer, PosixFileAttributes.class);
            owner = attributes.owner().getName();
            group = attributes.group().getName();
            mode = String.format("%04o", ((Integer) Files.getAttribute(viewer, "unix:mode")) & 07777);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // not installed (or unreadable): reported as nulls, and as drift in strict mode
        }
        return new HostFacts(agentVersion(), hostname(config), config.strict(), viewer.toString(), owner, group, mode,
                drift(config, viewer, owner, group, mode));
    }

    /** A sentence when strict mode is on and remote-viewer is not {@code root:<group> 0750}; else null. */
    static String drift(AgentConfig config, Path viewer, String owner, String group, String mode) {
        if (!config.strict()) {
            return null;
        }
        if (owner == null) {
            return viewer + " not found: strict mode needs remote-viewer installed as root:" + config.strictGroup() + " 0750";
        }
        String expected = "root:" + config.strictGroup() + " 0750";
        String actual = owner + ":" + group + " " + mode;
        if (actual.equals(expected)) {
            return null;
        }
        return viewer + " is " + actual + ", expected " + expected + " (fix: chown root:" + config.strictGroup() + " "
                + viewer + " && chmod 0750 " + viewer + ")";
    }

    /** The agent jar's version from its manifest, or {@code dev} when run from classes. */
    public static String agentVersion() {
        String version = HostFactsProbe.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    /** The configured host name, else the kernel's. */
    static String hostname(AgentConfig config) {
        if (config.hostname() != null) {
            return config.hostname();
        }
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e2) {
                return "unknown";
            }
        }
    }
}
