package io.spicegate.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.spicegate.protocol.Ack;
import io.spicegate.protocol.EnrollRequest;
import io.spicegate.protocol.EnrollResponse;
import io.spicegate.protocol.GrantSet;
import io.spicegate.protocol.ProtocolJson;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The portal's agent API as the agent sees it, on 127.0.0.1 in the test JVM: one enrollment token, one secret,
 * a long-poll that answers at once for a newer version and else holds briefly, and a record of every ack.
 * {@link #status} makes every call answer that status instead (503: down, 401: workstation removed).
 */
final class FakePortal implements AutoCloseable {

    final String token = "tok-" + Sh.random();
    final String secret = "secret-" + Sh.random() + Sh.random();
    final AtomicInteger enrollCalls = new AtomicInteger();
    final AtomicInteger polls = new AtomicInteger();
    final BlockingQueue<Ack> acks = new LinkedBlockingQueue<>();
    volatile int status = 200;
    private final ObjectMapper mapper = ProtocolJson.mapper();
    private final HttpServer server;
    private final Duration hold;
    private final Object lock = new Object();
    private GrantSet current = new GrantSet(0, 90, false, List.of(), List.of());
    private boolean tokenUsed;

    FakePortal(Duration hold) throws IOException {
        this.hold = hold;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-portal");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/api/agent/v1/enroll", this::enroll);
        server.createContext("/api/agent/v1/grants", this::grants);
        server.createContext("/api/agent/v1/ack", this::ack);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Publishes a grant set and wakes the long-polls. */
    void publish(GrantSet set) {
        synchronized (lock) {
            current = set;
            lock.notifyAll();
        }
    }

    /** Waits for an ack that matches, dropping the ones before it. */
    Ack awaitAck(Predicate<Ack> wanted, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            Ack ack = acks.poll(100, TimeUnit.MILLISECONDS);
            if (ack != null && wanted.test(ack)) {
                return ack;
            }
        }
        return fail("no ack " + what + " within 10 s");
    }

    private void enroll(HttpExchange exchange) throws IOException {
        enrollCalls.incrementAndGet();
        EnrollRequest request = mapper.readValue(exchange.getRequestBody(), EnrollRequest.class);
        synchronized (lock) {
            if (status != 200 || tokenUsed || !token.equals(request.token())) {
                send(exchange, status != 200 ? status : 401, "{\"error\": \"This enrollment token is not valid; ask an admin for a new one.\"}");
                return;
            }
            tokenUsed = true;
        }
        send(exchange, 200, mapper.writeValueAsString(new EnrollResponse(secret, "mylap", "workstation")));
    }

    /** The {@code wait} (seconds) of the last grants poll, -1 when it named none. */
    volatile long lastWait = -1;

    /** The {@code have} (the protected list's tag the agent has) of the last grants poll, null when it named none. */
    volatile String lastHave;

    private void grants(HttpExchange exchange) throws IOException {
        java.util.Map<String, String> query = new java.util.HashMap<>();
        for (String pair : exchange.getRequestURI().getQuery().split("&")) {
            int eq = pair.indexOf('=');
            query.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        long after = Long.parseLong(query.get("after"));
        lastWait = query.containsKey("wait") ? Long.parseLong(query.get("wait")) : -1;
        lastHave = query.get("have");
        polls.incrementAndGet(); // after the query is read: whoever awaits a poll sees what it said
        if (!authorized(exchange)) {
            return;
        }
        GrantSet answer;
        synchronized (lock) {
            long end = System.nanoTime() + hold.toNanos();
            while (current.version() <= after && System.nanoTime() < end) {
                try {
                    lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            answer = current;
        }
        if (status != 200) {
            send(exchange, status, error(status));
            return;
        }
        send(exchange, 200, mapper.writeValueAsString(answer));
    }

    private void ack(HttpExchange exchange) throws IOException {
        if (!authorized(exchange)) {
            return;
        }
        acks.add(mapper.readValue(exchange.getRequestBody(), Ack.class));
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
    }

    private boolean authorized(HttpExchange exchange) throws IOException {
        if (status != 200) {
            send(exchange, status, error(status));
            return false;
        }
        if (!("Bearer " + secret).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            send(exchange, 401, "{\"error\": \"This workstation is not enrolled or was removed.\"}");
            return false;
        }
        return true;
    }

    private static String error(int status) {
        return status == 401 ? "{\"error\": \"This workstation is not enrolled or was removed.\"}"
                : "{\"error\": \"The portal is down for maintenance.\"}";
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
