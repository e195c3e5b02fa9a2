package io.spicegate.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A short QMP conversation with a bare QEMU over its unix socket ({@code -qmp unix:PATH,server=on,wait=off}):
 * greeting, {@code qmp_capabilities}, then commands one at a time. QEMU serves one QMP client per socket at a
 * time, so the agent connects per ticket and hangs up at once. Nothing here logs a command: they carry passwords.
 */
public final class Qmp implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;
    private final Thread watchdog;

    /** Thrown when QEMU answers a command with an error. */
    public static final class QmpException extends IOException {
        QmpException(String message) {
            super(message);
        }
    }

    private Qmp(Path socket, Duration timeout) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot connect to the QMP socket " + socket + ": " + e.getMessage(), e);
        }
        in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        out = Channels.newOutputStream(channel);
        // blocking channel reads have no timeout: a busy or hung QEMU is cut off by closing the channel
        watchdog = new Thread(() -> {
            try {
                Thread.sleep(timeout.toMillis());
                channel.close();
            } catch (InterruptedException | IOException e) {
                // finished in time, or already closed
            }
        }, "spicegate-qmp-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** Connects, reads the greeting and leaves negotiation mode; the whole conversation must end within {@code timeout}. */
    public static Qmp connect(Path socket, Duration timeout) throws IOException {
        Qmp qmp = new Qmp(socket, timeout);
        try {
            JsonNode greeting = qmp.read();
            if (!greeting.has("QMP")) {
                throw new IOException("not a QMP socket: " + socket);
            }
            qmp.execute(command("qmp_capabilities", null));
            return qmp;
        } catch (IOException | RuntimeException e) {
            qmp.close();
            throw e;
        }
    }

    /** Sets the SPICE password and its expiry {@code seconds} from now; a connected viewer stays connected. */
    public static void setTicket(Path socket, String password, long seconds, Duration timeout) throws IOException {
        try (Qmp qmp = connect(socket, timeout)) {
            qmp.execute(setPassword(password));
            qmp.execute(expirePassword(seconds));
        }
    }

    /** {@code set_password} for SPICE with {@code connected: keep}. */
    public static String setPassword(String password) {
        ObjectNode args = JSON.createObjectNode().put("protocol", "spice").put("password", password).put("connected", "keep");
        return command("set_password", args);
    }

    /** {@code expire_password} for SPICE, relative: QEMU 7.2 takes the time as a string, {@code "+<seconds>"}. */
    public static String expirePassword(long seconds) {
        if (seconds < 1) {
            throw new IllegalArgumentException("a ticket lasts at least a second");
        }
        ObjectNode args = JSON.createObjectNode().put("protocol", "spice").put("time", "+" + seconds);
        return command("expire_password", args);
    }

    /** One QMP command as a line of JSON. */
    public static String command(String execute, ObjectNode arguments) {
        ObjectNode node = JSON.createObjectNode().put("execute", execute);
        if (arguments != null) {
            node.set("arguments", arguments);
        }
        return node.toString();
    }

    /** Sends a command line and returns its {@code return} value; asynchronous events in between are skipped. */
    public JsonNode execute(String commandLine) throws IOException {
        out.write((commandLine + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        while (true) {
            JsonNode answer = read();
            if (answer.has("return")) {
                return answer.get("return");
            }
            if (answer.has("error")) {
                JsonNode error = answer.get("error");
                throw new QmpException("QEMU refused " + JSON.readTree(commandLine).path("execute").asText() + ": "
                        + error.path("class").asText() + " " + error.path("desc").asText());
            }
            // {"event": ...}: not ours
        }
    }

    private JsonNode read() throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new IOException("QEMU closed the QMP connection");
        }
        return JSON.readTree(line);
    }

    @Override
    public void close() throws IOException {
        watchdog.interrupt();
        channel.close();
    }
}
