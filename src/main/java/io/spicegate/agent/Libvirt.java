package io.spicegate.agent;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * One-time SPICE passwords on libvirt domains, as virt-manager users run them: the live {@code <graphics>}
 * element with {@code passwd} and {@code passwdValidTo} through {@code virsh update-device --live}. The element
 * goes to virsh on standard input ({@code /dev/stdin}), so the password never touches a disk or an argv.
 */
public final class Libvirt {

    private final CommandRunner runner;
    private final String uri;
    private final Clock clock;

    /** Talks to libvirt at {@code uri} (e.g. {@code qemu:///system}) through {@code virsh}. */
    public Libvirt(CommandRunner runner, String uri, Clock clock) {
        this.runner = runner;
        this.uri = uri;
        this.clock = clock;
    }

    /** Sets the domain's SPICE password, valid for new connections for {@code seconds} from now (the host's UTC clock). */
    public void setTicket(String domain, String password, long seconds) throws IOException {
        CommandRunner.Result dump = runner.run(List.of("virsh", "-q", "-c", uri, "dumpxml", "--security-info", domain), null);
        if (!dump.ok()) {
            throw new IOException("virsh dumpxml " + domain + ": " + errors(dump));
        }
        String graphics;
        try {
            graphics = GraphicsXml.withTicket(dump.stdout(), password, Instant.now(clock).plusSeconds(seconds));
        } catch (IllegalArgumentException e) {
            throw new IOException("domain " + domain + ": " + e.getMessage(), e);
        }
        CommandRunner.Result update = runner.run(
                List.of("virsh", "-q", "-c", uri, "update-device", domain, "/dev/stdin", "--live"), graphics);
        if (!update.ok()) {
            throw new IOException("virsh update-device " + domain + ": " + errors(update));
        }
    }

    /** virsh says "error: Failed to update device" first and why on the next line: keep both. */
    private static String errors(CommandRunner.Result result) {
        String text = result.stderr().isBlank() ? result.stdout() : result.stderr();
        String joined = String.join(" ", text.strip().lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
        return joined.isEmpty() ? "exit code " + result.exitCode() : joined.length() > 300 ? joined.substring(0, 300) : joined;
    }
}
