package io.spicegate.admin;

import io.spicegate.sessions.ConsoleSession;
import io.spicegate.sessions.SessionService;
import io.spicegate.shared.Problem;
import io.spicegate.users.Caller;
import io.spicegate.users.SourceAddress;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Admin API: live sessions, and ending one. */
@Path("/api/v1/admin/sessions")
@Produces(MediaType.APPLICATION_JSON)
public class AdminSessionResource {

    @Inject
    Caller caller;

    @Inject
    SessionService sessions;

    /** A session as administrators see it. */
    public record AdminSession(UUID id, String user, String console, String workstation, String source,
                               Instant startsAt, Instant endsAt, String state, String firewall, Instant grantAppliedAt,
                               Instant endedAt, String endedBy, String endReason) {
        static AdminSession of(ConsoleSession s) {
            return new AdminSession(s.id, s.username, s.consoleName, s.workstationName, s.sourceAddress, s.startsAt,
                    s.endsAt, s.state.name(), s.firewallState(), s.grantAppliedAt, s.endedAt, s.endedBy, s.endReason);
        }
    }

    /** Body of revoke. */
    public record RevokeRequest(String reason) { }

    @GET
    @Transactional
    public List<AdminSession> list(@QueryParam("state") String state) {
        caller.requireAdmin();
        if (state != null && !state.equals("ACTIVE")) {
            throw Problem.badRequest("Only state=ACTIVE is supported here; the full history is in the session log (/api/v1/admin/audit).");
        }
        return sessions.live().stream().map(AdminSession::of).toList();
    }

    @POST
    @Path("/{id}/revoke")
    @Consumes(MediaType.APPLICATION_JSON)
    @Transactional
    public AdminSession revoke(@PathParam("id") String id, RevokeRequest body, @Context HttpServerRequest request) {
        caller.requireAdmin();
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw Problem.notFound("There is no session '" + io.spicegate.shared.TimeText.clip(id) + "'.");
        }
        return AdminSession.of(sessions.revoke(caller.username(), uuid, body == null ? null : body.reason(),
                SourceAddress.of(request)));
    }
}
