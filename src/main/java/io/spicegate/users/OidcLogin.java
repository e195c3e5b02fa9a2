package io.spicegate.users;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spicegate.shared.Secrets;
import io.spicegate.shared.SpicegateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * OpenID Connect authorization-code login with the JDK HttpClient: discovery document, state + nonce + PKCE
 * (S256), code exchange with the client secret, ID token signature checked against the provider's JWKS (jose4j),
 * issuer, audience, expiry and nonce. Configured with Quarkus' own names ({@code QUARKUS_OIDC_AUTH_SERVER_URL},
 * {@code QUARKUS_OIDC_CLIENT_ID}, {@code QUARKUS_OIDC_CREDENTIALS_SECRET}); off unless all three are set.
 * The flow's state travels in a short-lived HttpOnly cookie, so any replica can finish it.
 */
@ApplicationScoped
public class OidcLogin {

    public static final String COOKIE = "spicegate_oidc";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Inject
    SpicegateConfig config;

    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private volatile Provider provider;

    /** What the discovery document says. */
    record Provider(String issuer, String authorizationEndpoint, String tokenEndpoint, String jwksUri,
                    String endSessionEndpoint, HttpsJwks jwks) { }

    /** A login that cannot go on; the message is a sentence for the person. */
    public static class Failed extends Exception {
        public Failed(String message) {
            super(message);
        }

        public Failed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Where to send the browser, and the cookie that remembers state, nonce, PKCE verifier and the page to return to. */
    public record Start(URI location, String cookie) { }

    public boolean enabled() {
        return setting("quarkus.oidc.auth-server-url").isPresent() && setting("quarkus.oidc.client-id").isPresent()
                && setting("quarkus.oidc.credentials.secret").isPresent();
    }

    /** The name on the login button: spicegate.oidc.provider-name, else the provider's host. */
    public String providerName() {
        return config.oidc().providerName().filter(n -> !n.isBlank())
                .orElseGet(() -> URI.create(setting("quarkus.oidc.auth-server-url").orElse("http://provider/")).getHost());
    }

    public String issuer() throws Failed {
        return provider().issuer();
    }

    /** The provider's logout page (RP-initiated logout), if it has one. */
    public Optional<String> endSessionUrl(String postLogoutRedirect) {
        try {
            String end = provider().endSessionEndpoint();
            if (end == null) {
                return Optional.empty();
            }
            return Optional.of(end + (end.contains("?") ? "&" : "?") + "client_id=" + enc(clientId())
                    + (postLogoutRedirect == null ? "" : "&post_logout_redirect_uri=" + enc(postLogoutRedirect)));
        } catch (Failed e) {
            return Optional.empty();
        }
    }

    public Start start(String redirectUri, String next) throws Failed {
        Provider p = provider();
        String state = Secrets.token("");
        String nonce = Secrets.token("");
        String verifier = Secrets.token("");
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier));
        URI location = URI.create(p.authorizationEndpoint() + (p.authorizationEndpoint().contains("?") ? "&" : "?")
                + "response_type=code&scope=" + enc("openid profile email") + "&client_id=" + enc(clientId())
                + "&redirect_uri=" + enc(redirectUri) + "&state=" + enc(state) + "&nonce=" + enc(nonce)
                + "&code_challenge=" + enc(challenge) + "&code_challenge_method=S256");
        String nextB64 = Base64.getUrlEncoder().withoutPadding().encodeToString(next.getBytes(StandardCharsets.UTF_8));
        return new Start(location, state + "." + nonce + "." + verifier + "." + nextB64);
    }

    /** The page to return to, as remembered in the cookie (unchecked: the caller makes it safe). */
    public static String nextOf(String cookie) {
        String[] parts = cookie == null ? new String[0] : cookie.split("\\.");
        if (parts.length != 4) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(parts[3]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The callback: checks state, exchanges the code, verifies the ID token, maps its claims. */
    public DirectoryIdentity finish(String code, String state, String cookie, String redirectUri) throws Failed {
        String[] parts = cookie == null ? new String[0] : cookie.split("\\.");
        if (parts.length != 4 || state == null || !MessageDigest.isEqual(parts[0].getBytes(StandardCharsets.UTF_8),
                state.getBytes(StandardCharsets.UTF_8))) {
            throw new Failed("This single sign-on answer does not belong to a login started in this browser "
                    + "(or it took longer than 10 minutes): start again with the button.");
        }
        if (code == null || code.isBlank()) {
            throw new Failed("The identity provider sent no authorization code: start again with the button.");
        }
        Provider p = provider();
        String form = "grant_type=authorization_code&code=" + enc(code) + "&redirect_uri=" + enc(redirectUri)
                + "&code_verifier=" + enc(parts[2]);
        String basic = Base64.getEncoder().encodeToString((enc(clientId()) + ":" + enc(secret()))
                .getBytes(StandardCharsets.UTF_8));
        HttpRequest req = HttpRequest.newBuilder(URI.create(p.tokenEndpoint())).timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                .header("Authorization", "Basic " + basic)
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        JsonNode tokens;
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                io.quarkus.logging.Log.warnf("OIDC token endpoint answered %d: %s", r.statusCode(), clip(r.body()));
                throw new Failed("The identity provider did not accept this login (its answer was " + r.statusCode()
                        + "): start again with the button, or ask your administrator to check the client settings.");
            }
            tokens = json.readTree(r.body());
        } catch (IOException e) {
            throw new Failed("The identity provider could not be reached: try again in a minute.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failed("The login was interrupted: try again.", e);
        }
        String idToken = tokens.path("id_token").asText(null);
        if (idToken == null) {
            throw new Failed("The identity provider sent no ID token: ask your administrator to check the client settings.");
        }
        JwtClaims claims;
        try {
            JwtConsumer consumer = new JwtConsumerBuilder()
                    .setRequireExpirationTime()
                    .setRequireIssuedAt()
                    .setAllowedClockSkewInSeconds(60)
                    .setEvaluationTime(NumericDate.fromMilliseconds(clock.millis()))
                    .setExpectedIssuer(p.issuer())
                    .setExpectedAudience(clientId())
                    .setRequireSubject()
                    .setVerificationKeyResolver(new HttpsJwksVerificationKeyResolver(p.jwks()))
                    .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                            AlgorithmIdentifiers.RSA_USING_SHA256, AlgorithmIdentifiers.RSA_USING_SHA384,
                            AlgorithmIdentifiers.RSA_USING_SHA512, AlgorithmIdentifiers.RSA_PSS_USING_SHA256,
                            AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256,
                            AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384)
                    .build();
            claims = consumer.processToClaims(idToken);
        } catch (InvalidJwtException e) {
            io.quarkus.logging.Log.warnf("OIDC ID token refused: %s", e.getMessage());
            throw new Failed("The identity provider's ID token could not be verified: start again with the button, "
                    + "or ask your administrator (the portal's log says why).", e);
        }
        Object nonce = claims.getClaimValue("nonce");
        if (!(nonce instanceof String n) || !MessageDigest.isEqual(n.getBytes(StandardCharsets.UTF_8),
                parts[1].getBytes(StandardCharsets.UTF_8))) {
            throw new Failed("The ID token does not belong to this login (nonce): start again with the button.");
        }
        String username = string(claims, "preferred_username");
        if (username == null) {
            throw new Failed("The identity provider did not say your username (claim preferred_username): "
                    + "ask your administrator.");
        }
        return new DirectoryIdentity("oidc", username, string(claims, "name"), string(claims, "email"),
                string(claims, config.unixUsernameClaim()), strings(claims.getClaimValue(config.groupsClaim())));
    }

    private Provider provider() throws Failed {
        Provider p = provider;
        if (p != null) {
            return p;
        }
        String base = setting("quarkus.oidc.auth-server-url").orElseThrow(() -> new Failed("Single sign-on is not configured."));
        String url = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/.well-known/openid-configuration";
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                    .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new Failed("The identity provider's discovery document (" + url + ") answered " + r.statusCode()
                        + ": ask your administrator to check QUARKUS_OIDC_AUTH_SERVER_URL.");
            }
            JsonNode d = json.readTree(r.body());
            HttpsJwks jwks = new HttpsJwks(d.path("jwks_uri").asText());
            jwks.setDefaultCacheDuration(300);
            p = new Provider(d.path("issuer").asText(), d.path("authorization_endpoint").asText(),
                    d.path("token_endpoint").asText(), d.path("jwks_uri").asText(),
                    d.hasNonNull("end_session_endpoint") ? d.get("end_session_endpoint").asText() : null, jwks);
            provider = p;
            return p;
        } catch (IOException | IllegalArgumentException e) {
            throw new Failed("The identity provider could not be reached: try again in a minute.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failed("The login was interrupted: try again.", e);
        }
    }

    private String clientId() {
        return setting("quarkus.oidc.client-id").orElse("");
    }

    private String secret() {
        return setting("quarkus.oidc.credentials.secret").orElse("");
    }

    private static Optional<String> setting(String name) {
        return ConfigProvider.getConfig().getOptionalValue(name, String.class).filter(v -> !v.isBlank());
    }

    private static String string(JwtClaims claims, String name) {
        Object v = claims.getClaimValue(name);
        return v instanceof String s && !s.isBlank() ? s : null;
    }

    private static Set<String> strings(Object v) {
        if (v instanceof List<?> list) {
            return list.stream().filter(String.class::isInstance).map(String.class::cast)
                    .collect(Collectors.toCollection(LinkedHashSet::new));
        }
        if (v instanceof String s) {
            return Set.of(s);
        }
        if (v instanceof Map<?, ?>) {
            return Set.of();
        }
        return Set.of();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String clip(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) : s;
    }
}
