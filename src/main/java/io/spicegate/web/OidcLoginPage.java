package io.spicegate.web;

import io.quarkus.oidc.IdToken;
import io.spicegate.users.AuthService;
import io.spicegate.users.Caller;
import io.spicegate.users.SingleSignOn;
import io.spicegate.users.SourceAddress;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.net.URI;

/**
 * "Log in with &lt;provider&gt;": quarkus-oidc guards {@value SingleSignOn#SIGN_IN} (application.properties), so the
 * browser reaches it only with an ID token the extension has verified; the identity then opens Spicegate's own login
 * session (so logout and deactivation work as for local accounts).
 */
@Path("/login/oidc")
@Produces(MediaType.TEXT_HTML)
public class OidcLoginPage {

    @Inject SingleSignOn sso;

    @Inject
    @IdToken
    JsonWebToken idToken;

    @Inject AuthService auth;
    @Inject LoginCookie cookie;
    @Inject Caller caller;

    /** The button's target: off → a sentence; on → the guarded sign-in, which starts the code flow. */
    @GET
    public Response start(@QueryParam("next") String next) {
        String target = LoginPage.safeNext(next);
        if (!sso.enabled()) {
            return Response.status(404).entity(LoginPage.page(sso, target, "", "Single sign-on is not configured here: "
                    + "log in with your Spicegate account.", null, null)).build();
        }
        if (caller.isLoggedIn()) {
            return Response.seeOther(URI.create(target)).build();
        }
        return Response.seeOther(URI.create(SingleSignOn.SIGN_IN + "?next=" + LoginPage.urlEncode(target))).build();
    }

    /** Reached after the provider's form with a verified ID token: opens the portal's own login session. */
    @GET
    @Path("signin")
    public Response signIn(@QueryParam("next") String next, @Context HttpServerRequest request) {
        String target = LoginPage.safeNext(next);
        if (!sso.enabled()) {
            return Response.status(404).entity(LoginPage.page(sso, target, "", "Single sign-on is not configured here.",
                    null, null)).build();
        }
        AuthService.Outcome outcome = auth.oidcLogin(sso.identity(idToken), idToken.getIssuer(), SourceAddress.of(request));
        if (outcome instanceof AuthService.Outcome.Ok ok) {
            return cookie.open(target, ok.token(), request);
        }
        String message = outcome instanceof AuthService.Outcome.Refused r ? r.message()
                : "Single sign-on did not work: try again.";
        return Response.status(403).entity(LoginPage.page(sso, target, "", message, null, null)).build();
    }

    /** quarkus-oidc answers the provider's callback itself; this is reached only with single sign-on off. */
    @GET
    @Path("callback")
    public Response callback() {
        if (sso.enabled()) {
            return Response.seeOther(URI.create(SingleSignOn.SIGN_IN)).build();
        }
        return Response.status(404).entity(LoginPage.page(sso, "/consoles", "", "Single sign-on is not configured here.",
                null, null)).build();
    }

    /** quarkus.oidc.authentication.error-path: the provider answered the login with an error. */
    @GET
    @Path("error")
    public Response error(@QueryParam("error") String error) {
        String why = "access_denied".equals(error) ? "the identity provider did not let you in"
                : "the identity provider answered '" + clip(error == null ? "" : error) + "'";
        return Response.status(401).entity(LoginPage.page(sso, "/consoles", "", "Single sign-on did not work: " + why
                + ". Try again, or log in with your Spicegate account.", null, null)).build();
    }

    private static String clip(String s) {
        String t = s.replaceAll("[^A-Za-z0-9_.-]", "");
        return t.length() > 40 ? t.substring(0, 40) : t;
    }
}
