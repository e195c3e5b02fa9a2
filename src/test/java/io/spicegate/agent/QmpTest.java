package io.spicegate.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The QMP commands the host agent sends, and the conversation against a fake QEMU on a unix socket. */
class QmpTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void setPasswordKeepsTheConnectedViewer() throws Exception {
        assertEquals(JSON.readTree("{\"execute\":\"set_password\",\"arguments\":{\"protocol\":\"spice\","
                + "\"password\":\"pw\\\"1\",\"connected\":\"keep\"}}"), JSON.readTree(Qmp.setPassword("pw\"1")));
    }

    @Test
    void expirePasswordIsRelativeAndAString() throws Exception {
        JsonNode expire = JSON.readTree(Qmp.expirePassword(60));
        assertEquals("expire_password", expire.get("execute").asText());
        assertEquals("spice", expire.get("arguments").get("protocol").asText());
        assertTrue(expire.get("arguments").get("time").isTextual(), "QEMU 7.2 takes the time as a string");
        assertEquals("+60", expire.get("arguments").get("time").asText());
        assertThrows(IllegalArgumentException.class, () -> Qmp.expirePassword(0));
    }

    @Test
    void theConversation() throws Exception {
        Path dir = Files.createTempDirectory("sg-qmp-");
        Path socket = dir.resolve("qmp.sock");
        List<String> received = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<Void> qemu = CompletableFuture.runAsync(() -> {
                try (SocketChannel client = server.accept()) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
                    OutputStream out = Channels.newOutputStream(client);
                    out.write("{\"QMP\": {\"version\": {}, \"capabilities\": [\"oob\"]}}\r\n".getBytes(StandardCharsets.UTF_8));
                    for (String line; (line = in.readLine()) != null; ) {
                        received.add(line);
                        // an event may arrive before the answer
                        out.write("{\"event\": \"SPICE_CONNECTED\", \"data\": {}}\r\n{\"return\": {}}\r\n".getBytes(StandardCharsets.UTF_8));
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Qmp.setTicket(socket, "one-time", 60, Duration.ofSeconds(5));
            qemu.get(5, TimeUnit.SECONDS);
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
        assertEquals(3, received.size(), received.toString());
        assertEquals("qmp_capabilities", JSON.readTree(received.get(0)).get("execute").asText());
        assertEquals("set_password", JSON.readTree(received.get(1)).get("execute").asText());
        assertEquals("+60", JSON.readTree(received.get(2)).get("arguments").get("time").asText());
    }

    @Test
    void anErrorNamesTheCommandNotThePassword() throws Exception {
        Path dir = Files.createTempDirectory("sg-qmp-");
        Path socket = dir.resolve("qmp.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture.runAsync(() -> {
                try (SocketChannel client = server.accept()) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
                    OutputStream out = Channels.newOutputStream(client);
                    out.write("{\"QMP\": {}}\n".getBytes(StandardCharsets.UTF_8));
                    in.readLine();
                    out.write("{\"return\": {}}\n".getBytes(StandardCharsets.UTF_8));
                    in.readLine();
                    out.write("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Could not set password\"}}\n".getBytes(StandardCharsets.UTF_8));
                    in.readLine();
                } catch (Exception e) {
                    // the client hung up
                }
            });
            Qmp.QmpException e = assertThrows(Qmp.QmpException.class,
                    () -> Qmp.setTicket(socket, "very-secret", 60, Duration.ofSeconds(5)));
            assertEquals("QEMU refused set_password: GenericError Could not set password", e.getMessage());
            assertFalse(e.getMessage().contains("very-secret"));
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void aMissingSocketSaysWhich() {
        Path missing = Path.of("/nonexistent/sg-qmp.sock");
        Exception e = assertThrows(java.io.IOException.class, () -> Qmp.setTicket(missing, "x", 5, Duration.ofSeconds(2)));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
}
