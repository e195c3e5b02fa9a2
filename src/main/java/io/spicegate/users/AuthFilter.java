package io.spicegate.users;

import io.spicegate.shared.ErrorBody;
import io.spicegate.shared.ErrorPage;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Establishes the {@link Caller} of every request: the login cookie (a server-side session), HTTP Basic, or (on the
 * API only) a personal API token as {@code Authorization: Bearer sgp_…} ({@link ApiTokens}).
 * Cookie-authenticated state changes must come from our own origin (forms additionally carry a CSRF token,
 * checked by the page); Basic- and token-authenticated calls need neither, since a browser never adds Basic on its own
 * to a cross-site request we did not challenge for.
 */
public class AuthFilter {

    public static final String COOKIE = "spicegate_session";
    /** The header a cookie-authenticated API call without Origin carries the session's CSRF token in. */
    public static final String CSRF_HEADER = "X-CSRF-Token";
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    @Inject AuthService auth;
    @Inject Caller caller;
    @Inject ErrorPage errorPage;
    @Inject io.spicegate.shared.RequestSource requestSource;
    @Inject ApiTokens tokens;

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Optional<Response> authenticate(ContainerRequestContext ctx, HttpServerRequest request) {
        String path = ctx.getUriInfo().getPath();
        if (path.startsWith("/api/agent/")) {
            return Optional.empty(); // agents authenticate with their own bearer secret
        }
        String source = SourceAddress.of(request);
        requestSource.set(source);
        String authorization = ctx.getHeaderString(HttpHeaders.AUTHORIZATION);
        boolean changes = !SAFE.contains(ctx.getMethod());
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)
                && (path.startsWith("/api/") || !changes)) {
            Optional<Response> refused = basic(authorization.substring(6).strip(), source);
            if (refused.isPresent()) {
                return refused;
            }
            // a browser that once answered our Basic prompt sends those credentials on another site's form too, and
            // browsers always name the form's site in Origin: scripts (curl) send none, so only a foreign one is refused
            if (changes && !fromOurPage(ctx, request, true)) {
                return Optional.of(error(path, 403, "This request came from another site (its Origin does not match): "
                        + "call the API from a script, without a browser's Origin, or use the portal's pages."));
            }
            return Optional.empty();
        }
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7) && path.startsWith("/api/")) {
            // a personal API token: the API only (pages take the login cookie); checked against the database each call
            ApiTokens.Holder holder;
            try {
                holder = tokens.authenticate(authorization.substring(7).strip());
            } catch (io.spicegate.shared.Problem refused) {
                return Optional.of(unauthorized(refused.getMessage()));
            }
            caller.set(holder.user(), Caller.Via.TOKEN, null, null);
            requestSource.credential(holder.user().username, holder.credential());
            if (changes && !fromOurPage(ctx, request, true)) {
                return Optional.of(error(path, 403, "This request came from another site (its Origin does not match): "
                        + "call the API from a script, without a browser's Origin."));
            }
            return Optional.empty();
        }
        // Basic on a page's form is not a way in, for the same reason: forms take the login cookie and its CSRF token
        Cookie cookie = ctx.getCookies().get(COOKIE);
        if (cookie != null) {
            auth.session(cookie.getValue()).ifPresent(s ->
                    caller.set(s.user, Caller.Via.COOKIE, s.csrfToken, s.tokenHash));
        }
        if (changes && !sameOrigin(ctx, request)) {
            return Optional.of(error(path, 403, "This request did not come from a Spicegate page (its Origin does not match): "
                    + "open the page from the portal and try again, or use HTTP Basic from scripts."));
        }
        return Optional.empty();
    }

    private Optional<Response> basic(String encoded, String source) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.of(unauthorized("The Authorization header is not valid HTTP Basic: send base64(username:password)."));
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Optional.of(unauthorized("The Authorization header is not valid HTTP Basic: send base64(username:password)."));
        }
        AuthService.Outcome outcome = auth.basic(decoded.substring(0, colon), decoded.substring(colon + 1), source);
        if (outcome instanceof AuthService.Outcome.Ok ok) {
            caller.set(ok.user(), Caller.Via.BASIC, null, null);
            return Optional.empty();
        }
        if (outcome instanceof AuthService.Outcome.Busy busy) {
            return Optional.of(Response.status(503).type(MediaType.APPLICATION_JSON).header("Retry-After", "1")
                    .entity(new ErrorBody(busy.message())).build());
        }
        if (outcome instanceof AuthService.Outcome.Locked locked) {
            return Optional.of(Response.status(429).type(MediaType.APPLICATION_JSON)
                    .header("Retry-After", Long.toString(Math.max(1, locked.secondsLeft())))
                    .entity(new ErrorBody(locked.message())).build());
        }
        if (outcome instanceof AuthService.Outcome.Refused refused) {
            return Optional.of(unauthorized(refused.message()));
        }
        return Optional.of(unauthorized("Wrong username or password."));
    }

    private static Response unauthorized(String message) {
        return Response.status(401).type(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.WWW_AUTHENTICATE, io.spicegate.shared.ErrorMappers.API_CHALLENGE)
                .entity(new ErrorBody(message)).build();
    }

    /** JSON for the API, the portal's error page (with the navigation when logged in) for pages. */
    private Response error(String path, int status, String message) {
        if (path.startsWith("/api/")) {
            return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ErrorBody(message)).build();
        }
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .entity(errorPage.render(status, message)).build();
    }

    /**
     * A state change from a browser must name our own host in Origin (or, failing that, Referer); {@code Origin: null}
     * is refused, since our pages always send their real origin and a cross-site form can send "null". A form
     * post to a page without either is let through to the page, which still checks its CSRF token; a
     * cookie-authenticated API call without either needs the session's CSRF token in {@value #CSRF_HEADER},
     * whatever its content type.
     */
    private boolean sameOrigin(ContainerRequestContext ctx, HttpServerRequest request) {
        if (origin(ctx) == null) {
            if (!caller.isLoggedIn()) {
                return true; // no cookie session to abuse: the call is anonymous (or fails its own login)
            }
            if (ctx.getUriInfo().getPath().startsWith("/api/")) {
                // the API checks no form token, whatever the content type: the session's token in a header, or refused
                String token = ctx.getHeaderString(CSRF_HEADER);
                return token != null && caller.csrfMatches(token);
            }
            MediaType type = ctx.getMediaType();
            return type != null && (type.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)
                    || type.isCompatible(MediaType.MULTIPART_FORM_DATA_TYPE));
        }
        return fromOurPage(ctx, request, false);
    }

    /** Origin, else Referer, as sent; null when the request names neither (a script, or a browser that hid it). */
    private static String origin(ContainerRequestContext ctx) {
        String origin = ctx.getHeaderString("Origin");
        if (origin == null || origin.isBlank()) {
            origin = ctx.getHeaderString("Referer");
        }
        return origin == null || origin.isBlank() ? null : origin.strip();
    }

    /**
     * True when Origin (or Referer) names our own host; {@code Origin: null}, an opaque origin (a sandbox, a page
     * with Referrer-Policy: no-referrer), is never ours. A request naming neither counts as ours only when
     * {@code noneIsOurs}.
     */
    private static boolean fromOurPage(ContainerRequestContext ctx, HttpServerRequest request, boolean noneIsOurs) {
        String origin = origin(ctx);
        if (origin == null) {
            return noneIsOurs;
        }
        if ("null".equals(origin)) {
            return false;
        }
        String host = request.authority() != null ? request.authority().toString() : ctx.getHeaderString(HttpHeaders.HOST);
        try {
            String authority = URI.create(origin).getRawAuthority();
            return authority != null && host != null && authority.toLowerCase(Locale.ROOT).equals(host.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
