package io.spicegate.web;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.users.AccountService;
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
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestForm;

/** My account: who I am, my Unix username, and changing my own password. */
@Path("/account")
@Produces(MediaType.TEXT_HTML)
public class AccountPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance account(Page page, String displayName, String email, String unixUsername,
                                               String roles, String error, String info);
    }

    @Inject Caller caller;
    @Inject AuthService auth;
    @Inject AccountService accounts;

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

    TemplateInstance render(String error, String info) {
        AccountService.Account a = accounts.of(caller.requireUserId());
        return Templates.account(Page.of(caller, "My account", "account"), a.displayName(), a.email(), a.unixUsername(),
                a.roles(), error, info);
    }
}
