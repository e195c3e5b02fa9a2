package io.spicegate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** A small JSON client for tests that talk to a portal process over HTTP (Basic or Bearer). */
public final class Api {

    public static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private final String base;
    private final String authorization;
    private final String forwardedFor;

    private Api(String base, String authorization, String forwardedFor) {
        this.base = base;
        this.authorization = authorization;
        this.forwardedFor = forwardedFor;
    }

    public static Api basic(String base, String user, String password) {
        return new Api(base, "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8)), null);
    }

    public static Api bearer(String base, String secret) {
        return new Api(base, "Bearer " + secret, null);
    }

    public static Api anonymous(String base) {
        return new Api(base, null, null);
    }

    /** Requests as if relayed by a trusted proxy for this client address. */
    public Api from(String address) {
        return new Api(base, authorization, address);
    }

    /** An answer: status and JSON (or text) body. */
    public record Answer(int status, String body, HttpResponse<String> raw) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (" + status + "): " + body, e);
            }
        }

        public Answer expect(int expected) {
            if (status != expected) {
                throw new AssertionError("expected " + expected + " but got " + status + ": " + body);
            }
            return this;
        }
    }

    public Answer get(String path) {
        return send(builder(path).GET(), Duration.ofSeconds(60));
    }

    public Answer get(String path, Duration timeout) {
        return send(builder(path).GET(), timeout);
    }

    public Answer post(String path, Object body) {
        return send(builder(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(write(body))), Duration.ofSeconds(60));
    }

    public Answer put(String path, Object body) {
        return send(builder(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(write(body))), Duration.ofSeconds(60));
    }

    public Answer delete(String path) {
        return send(builder(path).DELETE(), Duration.ofSeconds(60));
    }

    private HttpRequest.Builder builder(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        return b;
    }

    private static Answer send(HttpRequest.Builder b, Duration timeout) {
        try {
            HttpResponse<String> r = HTTP.send(b.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String write(Object body) {
        try {
            return body instanceof String s ? s : JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
