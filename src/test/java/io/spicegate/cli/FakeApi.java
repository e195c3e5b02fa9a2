package io.spicegate.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The portal's {@code /api/v1} as the command sees it, on 127.0.0.1 in the test JVM: each call is recorded and
 * answered by {@link #answer} (a function of the call), and {@link #run} runs the command against it with a fixed
 * clock and zone, capturing stdout and stderr.
 */
final class FakeApi implements AutoCloseable {

    static final String TOKEN = "sgp_unit_test_token_0123456789";
    static final Instant NOW = Instant.parse("2026-12-03T16:35:00Z");
    static final ZoneId ZONE = ZoneId.of("Europe/Berlin");

    /** One call the command made. */
    record Call(String method, String path, String authorization, String body) { }

    /** An answer: status, body, extra headers. */
    record Reply(int status, String body, Map<String, String> headers) {
        static Reply json(int status, String body) {
            return new Reply(status, body, Map.of());
        }
    }

    /** What one run printed and returned. */
    record Result(int code, String out, String err) {
        /** Everything printed, for checks that the token never shows. */
        String all() {
            return out + err;
        }
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    volatile Function<Call, Reply> answer = c -> Reply.json(404, "{\"error\": \"There is no such thing.\"}");
    private final HttpServer server;

    FakeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-api");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        Call call = new Call(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                exchange.getRequestHeaders().getFirst("Authorization"),
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        calls.add(call);
        Reply reply = answer.apply(call);
        byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", reply.headers().getOrDefault("Content-Type", "application/json"));
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    /** The variables of a configured run against this fake: its URL and the token. */
    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("SPICEGATE_URL", url());
        env.put("SPICEGATE_TOKEN", TOKEN);
        env.put("HOME", "/nonexistent-home");
        return env;
    }

    /** Runs the command with these variables and stdin. */
    static Result run(Map<String, String> env, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Terminal t = new Terminal(Map.copyOf(env), new BufferedReader(new StringReader(stdin)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                null, Clock.fixed(NOW, ZONE), ZONE, Duration.ofSeconds(4));
        int code = Main.run(args, t);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs the command against this fake. */
    Result run(String... args) {
        return run(env(), "", args);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
