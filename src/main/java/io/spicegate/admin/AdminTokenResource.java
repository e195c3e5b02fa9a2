package io.spicegate.admin;

import io.spicegate.shared.PathIds;
import io.spicegate.users.ApiTokens;
import io.spicegate.users.Caller;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;

/** Admin API: everyone's personal API tokens (never their secrets), and revoking any of them. */
@Path("/api/v1/admin/tokens")
@Produces(MediaType.APPLICATION_JSON)
public class AdminTokenResource {

    @Inject Caller caller;
    @Inject ApiTokens tokens;

    @GET
    @Operation(summary = "Everyone's personal API tokens (or one user's), without their secrets")
    public List<ApiTokens.TokenView> all(@QueryParam("user") String user) {
        caller.requireAdmin();
        return tokens.all(user);
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Revoke anyone's personal API token")
    public ApiTokens.TokenView revoke(@PathParam("id") String id) {
        caller.requireAdmin();
        return tokens.revokeAny(PathIds.number(id, "API token", "GET /api/v1/admin/tokens lists them."), caller.username());
    }
}
