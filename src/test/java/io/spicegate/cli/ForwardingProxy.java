package io.spicegate.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A reverse proxy on 127.0.0.1 in front of a portal that trusts loopback as its proxy: it passes each call on with
 * {@code X-Forwarded-For: <client>}, so that a command run on this machine reaches the portal as if from a
 * workstation in a test namespace. It records the calls ("METHOD /path"); it never logs a header or a body.
 */
public final class ForwardingProxy implements AutoCloseable {

    private static final List<String> REQUEST_HEADERS = List.of("Authorization", "Content-Type", "Accept", "User-Agent");
    private static final List<String> ANSWER_HEADERS = List.of("Content-Type", "Retry-After", "Location", "Content-Disposition");

    /** "METHOD /path" of every call passed on. */
    public final List<String> calls = new CopyOnWriteArrayList<>();
    private final String target;
    private final String client;
    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public ForwardingProxy(String target, String client) throws IOException {
        this.target = target;
        this.client = client;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "forwarding-proxy");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::forward);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            calls.add(method + " " + exchange.getRequestURI().getRawPath());
            byte[] body = exchange.getRequestBody().readAllBytes();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                    .timeout(Duration.ofSeconds(60)).header("X-Forwarded-For", client)
                    .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            for (String name : REQUEST_HEADERS) {
                String value = exchange.getRequestHeaders().getFirst(name);
                if (value != null) {
                    request.header(name, value);
                }
            }
            HttpResponse<byte[]> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            for (String name : ANSWER_HEADERS) {
                answer.headers().firstValue(name).ifPresent(v -> exchange.getResponseHeaders().set(name, v));
            }
            byte[] bytes = answer.body();
            exchange.sendResponseHeaders(answer.statusCode(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
