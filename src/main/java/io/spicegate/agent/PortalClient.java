package io.spicegate.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spicegate.protocol.Ack;
import io.spicegate.protocol.EnrollRequest;
import io.spicegate.protocol.EnrollResponse;
import io.spicegate.protocol.GrantSet;
import io.spicegate.protocol.PortalHttp;
import io.spicegate.protocol.TicketAck;
import io.spicegate.protocol.TicketSet;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The agent's side of {@code /api/agent/v1}: enroll once, long-poll a {@link Feed} (the grants of a workstation or
 * the tickets of a KVM host), ack what was applied.
 * With {@code portal.ca} set, https trusts that CA only. Secrets travel in bodies and the Authorization header,
 * never in a URL, a log line or an exception message.
 */
public final class PortalClient {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(15);

    private final URI base;
    private final Duration pollTimeout;
    private final ObjectMapper mapper;
    private final HttpClient http;

    /** Thrown for an HTTP answer other than the expected one; {@link #status()} tells 401/403 from the rest. */
    public static final class PortalException extends IOException {

        private final int status;

        PortalException(int status, String message) {
            super(message);
            this.status = status;
        }

        /** The HTTP status the portal answered. */
        public int status() {
            return status;
        }

        /** True for 401/403: the token or secret is not (or no longer) accepted. */
        public boolean refused() {
            return status == 401 || status == 403;
        }
    }

    /** A client for the configured portal. */
    public PortalClient(AgentConfig config, ObjectMapper mapper) throws IOException {
        this.base = URI.create(config.portalUrl() + "/api/agent/v1/");
        this.pollTimeout = config.pollTimeout();
        this.mapper = mapper;
        this.http = http(config.portalCa());
    }

    /** The HTTP client, trusting exactly {@code ca} when set; a CA file that cannot be used is a configuration error. */
    static HttpClient http(Path ca) throws IOException {
        try {
            return PortalHttp.client(CONNECT_TIMEOUT, ca);
        } catch (PortalHttp.UnusableCa e) {
            throw new IOException("portal.ca " + ca + " " + e.getMessage());
        }
    }

    /** Trades the one-time enrollment token for the agent's secret. */
    public EnrollResponse enroll(String token, String hostname) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("enroll")).timeout(SHORT_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(new EnrollRequest(token, hostname))))
                .build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw failure("enrollment", response);
        }
        EnrollResponse enrolled = mapper.readValue(response.body(), EnrollResponse.class);
        if (enrolled.secret() == null || enrolled.secret().isBlank()) {
            throw new PortalException(200, "enrollment: the portal answered without a secret");
        }
        return enrolled;
    }

    /**
     * One long-polled resource of the agent API: its path, the answer's type and where its ack goes. The portal
     * answers at once when it has a version above {@code after}, else within ~30 s.
     */
    public record Feed<S>(String path, Class<S> type, String ackPath) {

        /** Workstation agents: the grant set, acked with an {@link Ack}. */
        public static final Feed<GrantSet> GRANTS = new Feed<>("grants", GrantSet.class, "ack");
        /** Host agents: the ticket set, acked with a {@link TicketAck}. */
        public static final Feed<TicketSet> TICKETS = new Feed<>("tickets", TicketSet.class, "tickets/ack");
    }

    /**
     * Long-polls {@code feed}: at once when the portal has a version above {@code after}, else at the next change or
     * after {@link #pollWait} (the portal may answer sooner: it holds a poll at most its own poll setting).
     */
    public <S> S poll(Feed<S> feed, String secret, long after) throws IOException, InterruptedException {
        return poll(feed, secret, after, null);
    }

    /** {@link #poll(Feed, String, long)}, saying which protected list the agent has ({@code have}: its tag, or null). */
    public <S> S poll(Feed<S> feed, String secret, long after, String have) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(feed.path() + "?after=" + Math.max(0, after)
                        + "&wait=" + pollWait(pollTimeout)
                        + (have == null ? "" : "&have=" + URLEncoder.encode(have, StandardCharsets.UTF_8))))
                .timeout(pollTimeout).header("Authorization", "Bearer " + secret).header("Accept", "application/json")
                .GET().build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw failure(feed.path(), response);
        }
        return mapper.readValue(response.body(), feed.type());
    }

    /**
     * How long this agent asks the portal to hold a poll, in seconds: its poll timeout less 10 s (less half of it when
     * that is shorter) for the answer to arrive; 60 s at the default 70.
     */
    static long pollWait(Duration pollTimeout) {
        long timeout = pollTimeout.toSeconds();
        return Math.max(1, timeout - Math.min(10, timeout / 2));
    }

    /** Reports what was applied of {@code feed} (expects 204, accepts any 2xx). */
    public void ack(Feed<?> feed, String secret, Object ack) throws IOException, InterruptedException {
        post(secret, feed.ackPath(), ack);
    }

    private void post(String secret, String path, Object body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(SHORT_TIMEOUT)
                .header("Authorization", "Bearer " + secret).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(body))).build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() / 100 != 2) {
            throw failure(path, response);
        }
    }

    /** An exception naming the call, the status and the portal's {@code error} sentence (never the body otherwise). */
    private PortalException failure(String call, HttpResponse<byte[]> response) {
        String reason = null;
        try {
            JsonNode body = mapper.readTree(response.body());
            if (body != null && body.hasNonNull("error")) {
                reason = body.get("error").asText();
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: the status says enough
        }
        String message = call + ": HTTP " + response.statusCode();
        if (reason != null) {
            String cut = reason.length() > 200 ? reason.substring(0, 200) + "..." : reason;
            message += " (" + cut.replaceAll("[^\\x20-\\x7e]", "?") + ")";
        }
        return new PortalException(response.statusCode(), message);
    }
}
