package io.spicegate.users;

import io.spicegate.shared.PathIds;
import io.spicegate.shared.Problem;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.net.URI;
import java.util.List;

/** JSON API for my personal API tokens ({@code /api/v1/tokens}); everyone's are the admin API's. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class ApiTokenResource {

    @Inject Caller caller;
    @Inject ApiTokens tokens;

    /** Body of a creation: a name saying where it is used, and in how many days it expires. */
    public record CreateRequest(String name, Integer days) { }

    @POST
    @Path("/tokens")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a personal API token; its secret is in this answer only")
    public Response create(CreateRequest body) {
        long me = caller.requireUserId();
        if (caller.via() == Caller.Via.TOKEN) {
            // a leaked token must not outlive its own expiry by minting the next one
            throw Problem.forbidden("A token cannot create tokens: create one on My account, or with your password.");
        }
        if (body == null) {
            throw Problem.badRequest("Send a JSON body: {\"name\": \"laptop\", \"days\": 30}.");
        }
        ApiTokens.Created created = tokens.create(me, body.name(), body.days());
        return Response.created(URI.create("/api/v1/tokens/" + created.id())).entity(created)
                .header("Cache-Control", "no-store").build();
    }

    @GET
    @Path("/tokens")
    @Operation(summary = "My personal API tokens, without their secrets")
    public List<ApiTokens.TokenView> mine() {
        return tokens.mine(caller.requireUserId());
    }

    @GET
    @Path("/tokens/{id}")
    @Operation(summary = "One of my personal API tokens, without its secret")
    public ApiTokens.TokenView one(@PathParam("id") String id) {
        long me = caller.requireUserId();
        return tokens.own(me, PathIds.number(id, "API token", "GET /api/v1/tokens lists yours."));
    }

    @DELETE
    @Path("/tokens/{id}")
    @Operation(summary = "Revoke one of my personal API tokens")
    public ApiTokens.TokenView revoke(@PathParam("id") String id) {
        long me = caller.requireUserId();
        return tokens.revokeOwn(me, PathIds.number(id, "API token", "GET /api/v1/tokens lists yours."));
    }
}
