package io.spicegate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A portal that answers its headers and then never finishes its body (attack review of issue 18: the command hung
 * for as long as it trickled), or one that sends more than any portal would: the command gives up with exit 4 and one
 * sentence, within its time-out, instead of hanging or filling the memory.
 */
class CliHostilePortalTest {

    ServerSocket server;
    Thread serving;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (serving != null) {
            serving.join(10_000);
        }
    }

    /** A raw loopback server answering each connection with {@code answer}, until closed. */
    String serve(Consumer<OutputStream> answer) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        serving = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.getInputStream().read(new byte[8192]); // the request, enough of it
                    answer.accept(s.getOutputStream());
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
        serving.setDaemon(true);
        serving.start();
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    PortalApi api(String base) {
        return new PortalApi(new CliConfig(URI.create(base), "sgp_hostile-test-token", null), new ObjectMapper(),
                Duration.ofSeconds(2));
    }

    static void write(OutputStream out, String text) {
        try {
            out.write(text.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aBodyThatTricklesForeverEndsInExit4() throws Exception {
        String base = serve(out -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[");
            try {
                for (int i = 0; i < 600 && !server.isClosed(); i++) {
                    write(out, " ");
                    Thread.sleep(100);
                }
            } catch (InterruptedException | RuntimeException e) {
                // the client went away
            }
        });
        CliException e = assertThrows(CliException.class, () -> api(base).get("/api/v1/consoles"));
        assertEquals(4, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("did not finish answering within 2 s"), e.getMessage());
        assertTrue(!e.getMessage().contains("sgp_"), e.getMessage());
    }

    @Test
    void anEndlessChunkedAnswerEndsInExit4() throws Exception {
        String base = serve(out -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n[1,\r\n");
            try {
                for (int i = 0; i < 600 && !server.isClosed(); i++) {
                    write(out, "2\r\n1,\r\n");
                    Thread.sleep(50);
                }
            } catch (InterruptedException | RuntimeException e) {
                // the client went away
            }
        });
        CliException e = assertThrows(CliException.class, () -> api(base).get("/api/v1/sessions"));
        assertEquals(4, e.exitCode(), e.getMessage());
    }

    @Test
    void anAnswerLargerThanAnyPortalsEndsInExit4() throws Exception {
        byte[] block = new byte[1 << 20];
        java.util.Arrays.fill(block, (byte) ' ');
        String base = serve(out -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[");
            try {
                for (int i = 0; i < 64; i++) {
                    out.write(block);
                }
            } catch (IOException e) {
                // the client gave up: expected
            }
        });
        CliException e = assertThrows(CliException.class, () -> api(base).get("/api/v1/consoles"));
        assertEquals(4, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("larger than 16 MiB"), e.getMessage());
    }
}
