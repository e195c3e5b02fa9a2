package io.spicegate.web.admin;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.shared.PathIds;
import io.spicegate.users.ApiTokens;
import io.spicegate.users.Caller;
import io.spicegate.web.Page;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestForm;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Everyone's personal API tokens (never their secrets), filtered by user, with Revoke. */
@Path("/admin/tokens")
@Produces(MediaType.TEXT_HTML)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class AdminTokensPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance tokens(Page page, List<ApiTokens.TokenView> tokens, String user, Long revoked,
                                              String error);
    }

    @Inject Caller caller;
    @Inject ApiTokens tokens;

    @GET
    public TemplateInstance list(@QueryParam("user") String user, @QueryParam("revoked") String revoked) {
        Page page = AdminSupport.page(caller, "API tokens");
        String u = AdminSupport.blank(user);
        try {
            return Templates.tokens(page, tokens.all(u), u == null ? "" : u, number(revoked), null);
        } catch (io.spicegate.shared.Problem p) {
            if (p.status() != 404) {
                throw p;
            }
            // a filter naming nobody: the page again with the sentence, the list empty
            return Templates.tokens(page, List.of(), u, null, p.getMessage());
        }
    }

    /** The notice's token number, from this page's own redirect; anything else shows no notice. */
    private static Long number(String raw) {
        try {
            return raw == null ? null : Long.valueOf(raw.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @POST
    @Path("{id}/revoke")
    public Response revoke(@PathParam("id") String id, @RestForm String csrf, @RestForm String user) {
        AdminSupport.post(caller, csrf);
        ApiTokens.TokenView t = tokens.revokeAny(PathIds.number(id, "API token", "the list shows them."), caller.username());
        String back = "/admin/tokens?revoked=" + t.id()
                + (AdminSupport.blank(user) == null ? "" : "&user=" + URLEncoder.encode(user.strip(), StandardCharsets.UTF_8));
        return AdminSupport.seeOther(back);
    }
}
