package io.spicegate.web;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.shared.PathIds;
import io.spicegate.shared.Problem;
import io.spicegate.shared.SpicegateConfig;
import io.spicegate.users.AccountService;
import io.spicegate.users.ApiTokens;
import io.spicegate.users.AuthFilter;
import io.spicegate.users.AuthService;
import io.spicegate.users.Caller;
import io.spicegate.users.SourceAddress;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestForm;

import java.net.URI;
import java.util.List;

/** My account: who I am, my Unix username, changing my own password, and my personal API tokens. */
@Path("/account")
@Produces(MediaType.TEXT_HTML)
public class AccountPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance account(Page page, String displayName, String email, String unixUsername,
                                               String roles, String error, String info, List<ApiTokens.TokenView> tokens,
                                               ApiTokens.Created created, int maxDays, String tokenError,
                                               String tokenName, String tokenDays);
    }

    @Inject Caller caller;
    @Inject AuthService auth;
    @Inject AccountService accounts;
    @Inject ApiTokens tokens;
    @Inject SpicegateConfig config;

    @GET
    public TemplateInstance show() {
        return render(null, null);
    }

    @POST
    @Path("password")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response change(@RestForm String csrf, @RestForm String current, @RestForm String next,
                           @RestForm String repeat, @Context HttpServerRequest request) {
        long me = caller.requireUserId();
        caller.checkCsrf(csrf);
        if (next == null || !next.equals(repeat)) {
            return Response.status(400).entity(render("The two new passwords differ: type the same one twice.", null)).build();
        }
        var cookie = request.getCookie(AuthFilter.COOKIE);
        String problem = auth.changePassword(me, current, next, cookie == null ? null : AuthService.sha256(cookie.getValue()),
                SourceAddress.of(request));
        if (problem != null) {
            return Response.status(400).entity(render(problem, null)).build();
        }
        return Response.ok(render(null, "Your password is changed. Your other logins have been ended.")).build();
    }

    /** Creates a token and shows its secret, this once, on the page (never in a redirect's address). */
    @POST
    @Path("tokens")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response createToken(@RestForm String csrf, @RestForm String name, @RestForm String days) {
        long me = caller.requireUserId();
        caller.checkCsrf(csrf);
        try {
            Integer d = days == null || days.isBlank() ? null : parseDays(days);
            ApiTokens.Created created = tokens.create(me, name, d);
            return Response.ok(render(null, null, created, null, "", "30")).header("Cache-Control", "no-store").build();
        } catch (Problem p) {
            if (p.status() != 400 && p.status() != 409) {
                throw p;
            }
            return Response.status(p.status()).entity(render(null, null, null, p.getMessage(), name, days)).build();
        }
    }

    @POST
    @Path("tokens/{id}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response revokeToken(@PathParam("id") String id, @RestForm String csrf) {
        long me = caller.requireUserId();
        caller.checkCsrf(csrf);
        tokens.revokeOwn(me, PathIds.number(id, "API token", "My account lists yours."));
        return Response.seeOther(URI.create("/account#tokens")).build();
    }

    private int parseDays(String days) {
        try {
            return Integer.parseInt(days.strip());
        } catch (NumberFormatException e) {
            throw Problem.badRequest("'Expires in' is a number of days from 1 to " + config.token().maxDays() + ".");
        }
    }

    TemplateInstance render(String error, String info) {
        return render(error, info, null, null, "", "30");
    }

    private TemplateInstance render(String error, String info, ApiTokens.Created created, String tokenError,
                                    String tokenName, String tokenDays) {
        long me = caller.requireUserId();
        AccountService.Account a = accounts.of(me);
        return Templates.account(Page.of(caller, "My account", "account"), a.displayName(), a.email(), a.unixUsername(),
                a.roles(), error, info, tokens.mine(me), created, config.token().maxDays(), tokenError,
                tokenName == null ? "" : tokenName, tokenDays == null ? "" : tokenDays);
    }
}
