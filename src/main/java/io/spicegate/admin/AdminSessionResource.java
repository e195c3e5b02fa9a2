package io.spicegate.admin;

import io.spicegate.sessions.AdminSession;
import io.spicegate.sessions.SessionLog;
import io.spicegate.sessions.SessionService;
import io.spicegate.shared.Params;
import io.spicegate.shared.Problem;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Admin API: live sessions, and ending one. */
@Path("/api/v1/admin/sessions")
@Produces(MediaType.APPLICATION_JSON)
public class AdminSessionResource {

    @Inject Caller caller;
    @Inject SessionService sessions;
    @Inject SessionLog log;

    /** A page of the session log; {@code next} is the {@code after} of the following (older) page, null at the end. */
    public record LogPage(List<SessionLog.Row> sessions, String next) { }

    /** Body of revoke. */
    public record RevokeRequest(String reason) { }

    @GET
    public List<AdminSession> list(@QueryParam("state") String state) {
        caller.requireAdmin();
        if (state != null && !state.equals("ACTIVE")) {
            throw Problem.badRequest("Only state=ACTIVE is supported here; the full history is in the session log (/api/v1/admin/sessions/log).");
        }
        return sessions.live();
    }

    /**
     * The session log: console sessions newest first, filtered, in keyset pages ({@code after} = the previous
     * page's {@code next}); {@code from}/{@code to} are instants bounding the start.
     */
    @GET
    @Path("/log")
    public LogPage log(@QueryParam("user") String user, @QueryParam("console") String console,
                               @QueryParam("workstation") String workstation, @QueryParam("from") String from,
                               @QueryParam("to") String to, @QueryParam("state") String state,
                               @QueryParam("authorisedBy") String authorisedBy, @QueryParam("request") String request,
                               @QueryParam("after") String after, @QueryParam("limit") String limit) {
        caller.requireAdmin();
        SessionLog.Page page = log.page(SessionLog.Filter.of(user, console, workstation, Params.instant(from, "from"),
                Params.instant(to, "to"), state, authorisedBy, request), SessionLog.Cursor.parse(after),
                Params.pageSize(limit, SessionLog.DEFAULT_PAGE, SessionLog.MAX_PAGE));
        return new LogPage(page.rows(), page.next() == null ? null : page.next().token());
    }

    /** The same filters as CSV, streamed. */
    @GET
    @Path("/log.csv")
    @Produces("text/csv")
    public Response logCsv(@QueryParam("user") String user, @QueryParam("console") String console,
                           @QueryParam("workstation") String workstation, @QueryParam("from") String from,
                           @QueryParam("to") String to, @QueryParam("state") String state,
                           @QueryParam("authorisedBy") String authorisedBy, @QueryParam("request") String request) {
        caller.requireAdmin();
        SessionLog.Filter f = SessionLog.Filter.of(user, console, workstation, Params.instant(from, "from"), Params.instant(to, "to"),
                state, authorisedBy, request);
        StreamingOutput body = out -> log.csv(f, out);
        return Response.ok(body, "text/csv; charset=UTF-8")
                .header("Content-Disposition", "attachment; filename=\"spicegate-sessions.csv\"").build();
    }

    @POST
    @Path("/{id}/revoke")
    @Consumes(MediaType.APPLICATION_JSON)
    public AdminSession revoke(@PathParam("id") String id, RevokeRequest body, @Context HttpServerRequest request) {
        caller.requireAdmin();
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw Problem.notFound("There is no session '" + io.spicegate.shared.TimeText.clip(id) + "'.");
        }
        return sessions.revoke(caller.username(), uuid, body == null ? null : body.reason(), SourceAddress.of(request));
    }
}
