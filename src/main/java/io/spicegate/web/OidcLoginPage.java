package io.spicegate.web;

import io.spicegate.shared.SpicegateConfig;
import io.spicegate.users.AuthFilter;
import io.spicegate.users.AuthService;
import io.spicegate.users.Caller;
import io.spicegate.users.DirectoryIdentity;
import io.spicegate.users.OidcLogin;
import io.spicegate.users.SourceAddress;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

import java.net.URI;

/**
 * "Log in with &lt;provider&gt;": sends the browser to the OIDC provider and, on its way back, opens Spicegate's own
 * login session (so logout and deactivation work as for local accounts).
 */
@Path("/login/oidc")
@Produces(MediaType.TEXT_HTML)
public class OidcLoginPage {

    private static final String CALLBACK = "/login/oidc/callback";

    @Inject
    OidcLogin oidc;

    @Inject
    AuthService auth;

    @Inject
    Caller caller;

    @Inject
    SpicegateConfig config;

    @GET
    public Response start(@QueryParam("next") String next, @Context HttpServerRequest request) {
        String target = LoginPage.safeNext(next);
        if (!oidc.enabled()) {
            return Response.status(404).entity(LoginPage.page(oidc, target, "", "Single sign-on is not configured here: "
                    + "log in with your Spicegate account.", null, null)).build();
        }
        if (caller.isLoggedIn()) {
            return Response.seeOther(URI.create(target)).build();
        }
        try {
            OidcLogin.Start s = oidc.start(redirectUri(request), target);
            return Response.seeOther(s.location()).cookie(flowCookie(s.cookie(), 600, request)).build();
        } catch (OidcLogin.Failed e) {
            return Response.status(503).entity(LoginPage.page(oidc, target, "", e.getMessage(), null, null)).build();
        }
    }

    @GET
    @Path("callback")
    public Response callback(@QueryParam("code") String code, @QueryParam("state") String state,
                             @QueryParam("error") String error, @QueryParam("error_description") String description,
                             @CookieParam(OidcLogin.COOKIE) String flow, @Context HttpServerRequest request) {
        String target = LoginPage.safeNext(OidcLogin.nextOf(flow));
        NewCookie spent = flowCookie("", 0, request);
        if (!oidc.enabled()) {
            return Response.status(404).entity(LoginPage.page(oidc, target, "", "Single sign-on is not configured here.", null, null))
                    .cookie(spent).build();
        }
        if (error != null) {
            String why = "access_denied".equals(error) ? "the identity provider did not let you in"
                    : "the identity provider answered '" + clip(error) + "'";
            return Response.status(401).entity(LoginPage.page(oidc, target, "", "Single sign-on did not work: " + why
                    + ". Try again, or log in with your Spicegate account.", null, null)).cookie(spent).build();
        }
        try {
            DirectoryIdentity id = oidc.finish(code, state, flow, redirectUri(request));
            AuthService.Outcome outcome = auth.oidcLogin(id, oidc.issuer(), SourceAddress.of(request));
            if (outcome instanceof AuthService.Outcome.Ok ok) {
                NewCookie cookie = new NewCookie.Builder(AuthFilter.COOKIE).value(ok.token()).path("/").httpOnly(true)
                        .secure(LoginPage.secureCookie(config, request)).sameSite(NewCookie.SameSite.LAX).build();
                return Response.seeOther(URI.create(target)).cookie(cookie, spent).build();
            }
            String message = outcome instanceof AuthService.Outcome.Refused r ? r.message()
                    : "Single sign-on did not work: try again.";
            return Response.status(403).entity(LoginPage.page(oidc, target, "", message, null, null)).cookie(spent).build();
        } catch (OidcLogin.Failed e) {
            return Response.status(401).entity(LoginPage.page(oidc, target, "", e.getMessage(), null, null)).cookie(spent).build();
        }
    }

    /** The callback URL: spicegate.oidc.redirect-uri, else this request's own scheme and host. */
    private String redirectUri(HttpServerRequest request) {
        return config.oidc().redirectUri().filter(u -> !u.isBlank())
                .orElseGet(() -> request.scheme() + "://" + request.authority() + CALLBACK);
    }

    private NewCookie flowCookie(String value, int maxAge, HttpServerRequest request) {
        return new NewCookie.Builder(OidcLogin.COOKIE).value(value).path("/login/oidc").httpOnly(true).maxAge(maxAge)
                .secure(LoginPage.secureCookie(config, request)).sameSite(NewCookie.SameSite.LAX).build();
    }

    private static String clip(String s) {
        String t = s.replaceAll("[^A-Za-z0-9_.-]", "");
        return t.length() > 40 ? t.substring(0, 40) : t;
    }
}
