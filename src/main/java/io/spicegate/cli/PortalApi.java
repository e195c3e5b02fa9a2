package io.spicegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spicegate.protocol.PortalHttp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * The command's side of the portal's JSON API {@code /api/v1}, with a personal API token as
 * {@code Authorization: Bearer}. Every failure becomes a {@link CliException}: a 4xx is refused (exit 3) with the
 * portal's {@code error} sentence, no answer or a 5xx that persists after a few tries is unreachable (exit 4). The
 * token travels only in that header: never in a URL, a message or an exception.
 */
final class PortalApi {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    /** Tries of a call answered 502/503/504 (the portal restarting, a proxy without a replica) before exit 4. */
    static final int ATTEMPTS = 3;
    /** The longest pause between tries, whatever Retry-After says. */
    static final Duration MAX_PAUSE = Duration.ofSeconds(5);
    /** The largest answer taken: far above any console list or launch file, far below what would fill the memory. */
    static final int MAX_BODY = 16 * 1024 * 1024;

    private final URI base;
    private final String token;
    private final ObjectMapper mapper;
    private final HttpClient http;
    private final Duration callTimeout;

    PortalApi(CliConfig config, ObjectMapper mapper) {
        this(config, mapper, CALL_TIMEOUT);
    }

    /** As above, with the whole of each exchange bounded by {@code callTimeout} (tests shorten it). */
    PortalApi(CliConfig config, ObjectMapper mapper, Duration callTimeout) {
        this.callTimeout = callTimeout;
        this.base = config.url();
        this.token = config.token();
        this.mapper = mapper;
        this.http = http(config.ca());
    }

    /** The HTTP client, trusting exactly {@code ca} when set; a CA file that cannot be used is a usage error. */
    static HttpClient http(Path ca) {
        try {
            return PortalHttp.client(CONNECT_TIMEOUT, ca);
        } catch (PortalHttp.UnusableCa e) {
            throw CliException.usage("The CA file " + ca + " (SPICEGATE_CA, or ca in the config file) " + e.getMessage() + ".");
        }
    }

    /** The portal's address, as configured. */
    URI base() {
        return base;
    }

    /** GET {@code path}, the JSON answer as sent. */
    String getText(String path) {
        return text(call(request(path).GET(), ATTEMPTS));
    }

    /** GET {@code path}, parsed. */
    JsonNode get(String path) {
        return parse(getText(path));
    }

    /** POST {@code body} as JSON to {@code path}, the answer parsed. */
    JsonNode post(String path, Object body) {
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return parse(text(call(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json)), ATTEMPTS)));
    }

    /** DELETE {@code path}, the answer parsed. */
    JsonNode delete(String path) {
        return parse(text(call(request(path).DELETE(), ATTEMPTS)));
    }

    /**
     * The one-shot launch file at {@code path} (a 503 with Retry-After means: not ready yet, ask again soon; tried
     * {@code attempts} times); its bytes, which must not be logged.
     */
    byte[] launchFile(String path, int attempts) {
        return call(request(path).setHeader("Accept", "application/x-virt-viewer").GET(), attempts).body();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(callTimeout)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .header("User-Agent", "spicegate-cli/" + Main.version());
    }

    /** Sends, tries again after a 502/503/504, and turns anything but a 2xx into a {@link CliException}. */
    private HttpResponse<byte[]> call(HttpRequest.Builder builder, int attempts) {
        HttpRequest request = builder.build();
        for (int attempt = 1; ; attempt++) {
            HttpResponse<byte[]> response = send(request);
            int status = response.statusCode();
            if (status / 100 == 2) {
                return response;
            }
            boolean busy = status == 502 || status == 503 || status == 504;
            if (busy && attempt < attempts) {
                pause(retryAfter(response));
                continue;
            }
            throw failure(response);
        }
    }

    /**
     * One exchange, the whole of it (headers and body) within {@code callTimeout} (30 s) and the body within
     * {@link #MAX_BODY}: the request's own time-out covers only the headers, so a server that answers them and then
     * trickles (or never ends) its body would hold the command forever.
     */
    private HttpResponse<byte[]> send(HttpRequest request) {
        CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(request, info -> new Capped(MAX_BODY));
        try {
            return exchange.get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw CliException.unreachable("The portal at " + base + " did not finish answering within "
                    + callTimeout.toSeconds() + " s; try again in a minute.");
        } catch (ExecutionException e) {
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                if (c instanceof TooLarge) {
                    throw CliException.unreachable("The answer from " + base + " is larger than " + MAX_BODY / (1024 * 1024)
                            + " MiB, which no portal sends: is that the Spicegate portal's address?");
                }
            }
            Throwable cause = e.getCause();
            throw unreachable(cause instanceof IOException io ? io : new IOException(Main.reason(cause), cause));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.cancel(true);
            throw CliException.unreachable("Interrupted while waiting for the portal at " + base + ".");
        }
    }

    /** An answer body past the cap. */
    static final class TooLarge extends IOException {
        TooLarge() {
            super("answer too large", null);
        }
    }

    /** A body collected up to {@code max} bytes; past that the exchange is cancelled and the body fails. */
    static final class Capped implements HttpResponse.BodySubscriber<byte[]> {

        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final int max;
        private Flow.Subscription subscription;

        Capped(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                if ((long) out.size() + b.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLarge());
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }

    /** The pause a Retry-After asks for (1 s when it names none), at most {@link #MAX_PAUSE}. */
    static Duration retryAfter(HttpResponse<?> response) {
        Optional<String> header = response.headers().firstValue("Retry-After");
        long seconds = 1;
        if (header.isPresent() && header.get().strip().matches("\\d{1,6}")) {
            seconds = Math.max(1, Long.parseLong(header.get().strip()));
        }
        return Duration.ofSeconds(Math.min(seconds, MAX_PAUSE.toSeconds()));
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.unreachable("Interrupted while waiting for the portal.");
        }
    }

    /** A non-2xx answer as the sentence a person reads: the portal's own {@code error}, with what to do. */
    CliException failure(HttpResponse<byte[]> response) {
        int status = response.statusCode();
        String said = errorSentence(response.body());
        if (status >= 500) {
            return CliException.unreachable("The portal at " + base + " failed (HTTP " + status
                    + (said == null ? "" : ": " + said) + "); try again in a minute.");
        }
        if (status / 100 == 3) {
            return CliException.refused("The portal at " + base + " answered with a redirect (HTTP " + status
                    + ") instead of an answer: check the address and run spicegate login with a fresh token.");
        }
        if (status == 401) {
            return CliException.refused((said == null ? "The portal did not accept the token." : said)
                    + " Make a new token on My account and run spicegate login.");
        }
        return CliException.refused(said != null ? said : "The portal refused the call (HTTP " + status + ").");
    }

    /** The {@code error} of a JSON error body, cut to printable characters, or null. */
    String errorSentence(byte[] body) {
        try {
            JsonNode json = mapper.readTree(body);
            if (json != null && json.hasNonNull("error")) {
                return Main.printable(json.get("error").asText(), 400);
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: the status says enough
        }
        return null;
    }

    /** A failure to get any answer, by its cause: refused connection, time-out, unknown name, TLS. */
    CliException unreachable(IOException e) {
        String at = "Cannot reach the portal at " + base + ": ";
        if (e instanceof HttpConnectTimeoutException) {
            return CliException.unreachable(at + "no connection within " + CONNECT_TIMEOUT.toSeconds() + " s.");
        }
        if (e instanceof HttpTimeoutException) {
            return CliException.unreachable("The portal at " + base + " did not answer within "
                    + callTimeout.toSeconds() + " s; try again in a minute.");
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof UnresolvedAddressException || c instanceof java.net.UnknownHostException) {
                return CliException.unreachable(at + "the name " + base.getHost() + " is unknown.");
            }
            if (c instanceof SSLException) {
                return CliException.unreachable(at + tls(c) + "; if it uses a private CA, set SPICEGATE_CA (or ca in the "
                        + "config file) to its PEM file.");
            }
        }
        if (e instanceof ConnectException) {
            return CliException.unreachable(at + "connection refused.");
        }
        return CliException.unreachable(at + Main.reason(e) + ".");
    }

    /** Why the TLS handshake failed, in words and without Java's class names. */
    String tls(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable c = failure; c != null && chain.size() < 20; c = c.getCause()) {
            chain.add(c);
        }
        if (chain.stream().anyMatch(c -> c instanceof CertificateExpiredException)) {
            return "its certificate has expired";
        }
        if (chain.stream().anyMatch(c -> c instanceof CertificateNotYetValidException)) {
            return "its certificate is not valid yet";
        }
        if (chain.stream().anyMatch(c -> c instanceof CertPathBuilderException || c instanceof CertPathValidatorException)) {
            return "its certificate is not signed by a CA this command trusts";
        }
        if (chain.stream().anyMatch(c -> c instanceof CertificateException && c.getMessage() != null
                && c.getMessage().startsWith("No "))) {
            return "its certificate is not for the name " + base.getHost();
        }
        // e.g. "sun.security.validator.ValidatorException: PKIX path building failed: ..." loses the class names
        return "TLS failed (" + Main.reason(failure).replaceAll("(?:[a-z][\\w$]*\\.)+[A-Z][\\w$]*:\\s*", "") + ")";
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    /** The JSON of an answer; refused (exit 3) when it is not JSON, as from a web server that is not the portal. */
    JsonNode parse(String text) {
        try {
            JsonNode json = mapper.readTree(text);
            if (json != null && !json.isMissingNode()) {
                return json;
            }
        } catch (IOException e) {
            // said below
        }
        throw CliException.refused("The answer from " + base + " is not the portal's JSON: is that the Spicegate portal's address?");
    }
}
