package io.spicegate.web;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.users.AuthFilter;
import io.spicegate.users.AuthService;
import io.spicegate.users.Caller;
import io.spicegate.users.SingleSignOn;
import io.spicegate.users.SourceAddress;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestForm;

import java.net.URI;

/** Login and logout pages. */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class LoginPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance login(Page page, String next, String username, String error, String info,
                                             String oidcProvider, String providerLogout);
    }

    @Inject AuthService auth;
    @Inject Caller caller;
    @Inject LoginCookie cookie;
    @Inject SingleSignOn oidc;

    @GET
    public Response root() {
        return Response.seeOther(URI.create(caller.isLoggedIn() ? "/consoles" : "/login")).build();
    }

    @GET
    @Path("login")
    public Response form(@QueryParam("next") String next, @QueryParam("bye") String bye) {
        if (caller.isLoggedIn()) {
            return Response.seeOther(URI.create(safeNext(next))).build();
        }
        String info = bye != null ? "You are logged out of Spicegate." : null;
        // RP-initiated logout: quarkus-oidc sends the browser to the provider's end_session_endpoint
        String providerLogout = bye != null && oidc.enabled() ? SingleSignOn.LOGOUT : null;
        return Response.ok(page(safeNext(next), "", null, info, providerLogout)).build();
    }

    @POST
    @Path("login")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response login(@RestForm String username, @RestForm String password, @RestForm String next,
                          @Context HttpServerRequest request) {
        String target = safeNext(next);
        AuthService.Outcome outcome = auth.login(username, password, SourceAddress.of(request));
        if (outcome instanceof AuthService.Outcome.Ok ok) {
            return cookie.open(target, ok.token(), request);
        }
        String shown = username == null ? "" : username.strip();
        if (outcome instanceof AuthService.Outcome.Busy busy) {
            return Response.status(503).header("Retry-After", 1)
                    .entity(page(target, shown, busy.message(), null, null)).build();
        }
        if (outcome instanceof AuthService.Outcome.Locked locked) {
            return Response.status(429).header("Retry-After", Math.max(1, locked.secondsLeft()))
                    .entity(page(target, shown, locked.message(), null, null)).build();
        }
        if (outcome instanceof AuthService.Outcome.Refused refused) {
            return Response.status(403).entity(page(target, shown, refused.message(), null, null)).build();
        }
        return Response.status(401)
                .entity(page(target, shown, "Wrong username or password. Check both and try again.", null, null)).build();
    }

    @POST
    @Path("logout")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response logout(@RestForm String csrf, @Context HttpServerRequest request) {
        if (caller.isLoggedIn()) {
            caller.checkCsrf(csrf);
            auth.logout(AuthService.sha256(request.getCookie(AuthFilter.COOKIE).getValue()), SourceAddress.of(request));
        }
        return Response.seeOther(URI.create("/login?bye=1")).cookie(cookie.cleared(request)).build();
    }

    /** The login page; the single sign-on button shows when OIDC is configured. */
    TemplateInstance page(String next, String username, String error, String info, String providerLogout) {
        return page(oidc, next, username, error, info, providerLogout);
    }

    static TemplateInstance page(SingleSignOn oidc, String next, String username, String error, String info,
                                 String providerLogout) {
        return Templates.login(Page.anonymous("Log in"), next, username, error, info,
                oidc.enabled() ? oidc.providerName() : null, providerLogout);
    }

    /** {@code {next.urlEncode}} in the login page: the page to return to as a query parameter. */
    @io.quarkus.qute.TemplateExtension
    static String urlEncode(String s) {
        return java.net.URLEncoder.encode(s == null ? "" : s, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** What a plain local path may hold (RFC 3986 path and query characters, and %XX escapes). */
    private static final java.util.regex.Pattern LOCAL_PATH =
            java.util.regex.Pattern.compile("/(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*");

    /**
     * Only plain local paths, never an open redirect; anything else (another host, a quote, a brace, a broken
     * %-escape) goes to /consoles, so a login never fails on where it returns to.
     */
    static String safeNext(String next) {
        if (next == null || next.startsWith("//") || next.startsWith("/login") || next.length() > 300
                || !LOCAL_PATH.matcher(next).matches()) {
            return "/consoles";
        }
        return next;
    }
}
