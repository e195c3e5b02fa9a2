package io.spicegate.sessions;

import io.spicegate.shared.Problem;
import io.spicegate.users.Caller;
import io.spicegate.users.SourceAddress;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.net.URI;
import java.util.List;
import java.util.UUID;

/** JSON API for the caller's own consoles and console sessions. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class SessionResource {

    @Inject Caller caller;
    @Inject SessionService sessions;
    @Inject MyConsoles myConsoles;

    /** One console as the API lists it. */
    public record ConsoleStatus(String name, String description, String decision, java.time.Instant until,
                                java.time.Instant nextWindowStart, String inUseBy, java.time.Instant inUseUntil,
                                String zone, List<ApprovedSlot> approvedSlots) { }

    /** An approved off-hours request of mine on this console that has not ended yet. */
    public record ApprovedSlot(long request, java.time.Instant start, java.time.Instant end, String approvedBy) { }

    /** Body of Open console: {@code minutes} (optional) asks for fewer minutes than allowed. */
    public record OpenRequest(String console, Integer minutes) { }

    /** Body of Extend: how many minutes later the session should end. */
    public record ExtendRequest(Integer minutes) { }

    @GET
    @Path("/consoles")
    @Operation(summary = "Consoles I have any rule for, with what I may do now")
    public List<ConsoleStatus> consoles() {
        return myConsoles.list(caller.requireUserId()).stream()
                .map(r -> new ConsoleStatus(r.name(), r.description(), r.decision(), r.until(), r.nextWindowStart(),
                        r.inUseBy(), r.inUseUntil(), r.zone().getId(), r.approvedSlots().stream()
                                .map(a -> new ApprovedSlot(a.requestId(), a.start(), a.end(), a.approvedBy())).toList()))
                .toList();
    }

    @POST
    @Path("/sessions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Open (or re-open) my session on a console from this workstation")
    public Response open(OpenRequest body, @Context HttpServerRequest request) {
        long me = caller.requireUserId();
        if (body == null) {
            throw Problem.badRequest("Send a JSON body naming the console: {\"console\": \"<name>\"}.");
        }
        SessionService.Opened opened = sessions.open(me, body.console(), body.minutes(), SourceAddress.of(request));
        return Response.status(201)
                .location(URI.create("/api/v1/sessions/" + opened.session().id()))
                .entity(opened.session()).build();
    }

    @GET
    @Path("/sessions")
    @Operation(summary = "My sessions, newest first")
    public List<SessionView> mine() {
        return sessions.mine(caller.requireUserId(), false);
    }

    @GET
    @Path("/sessions/{id}")
    public SessionView one(@PathParam("id") String id) {
        return sessions.get(caller.requireUserId(), uuid(id));
    }

    @DELETE
    @Path("/sessions/{id}")
    @Operation(summary = "End my session")
    public SessionView end(@PathParam("id") String id, @Context HttpServerRequest request) {
        return sessions.end(caller.requireUserId(), uuid(id), SourceAddress.of(request));
    }

    @POST
    @Path("/sessions/{id}/extend")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Move my live session's end later, within the allowed stretch and the max minutes")
    public SessionView extend(@PathParam("id") String id, ExtendRequest body, @Context HttpServerRequest request) {
        long me = caller.requireUserId();
        UUID session = uuid(id);
        return sessions.extend(me, session, body == null ? null : body.minutes(), SourceAddress.of(request)).session();
    }

    @GET
    @Path("/sessions/{id}/console.vv")
    @Produces({LaunchFile.MEDIA_TYPE, MediaType.APPLICATION_JSON})
    @Operation(summary = "The one-shot launch file for remote-viewer; a second download answers 410")
    public Response launchFile(@PathParam("id") String id, @Context HttpServerRequest request) {
        return download(sessions.launchFile(caller.requireUserId(), uuid(id), SourceAddress.of(request)));
    }

    @jakarta.ws.rs.HEAD
    @Path("/sessions/{id}/console.vv")
    @Operation(summary = "Refused: a HEAD would use up the one-shot launch file")
    public Response launchFileHead() {
        throw headRefused();
    }

    /**
     * A HEAD is a GET without the body, so by default it would serve (and use up) the one-shot file while sending
     * nothing: refused, changing nothing.
     */
    public static Problem headRefused() {
        return Problem.wrongMethod("The launch file works once and only with GET: a HEAD would use it up without "
                + "delivering it, so it is refused and the file is still there.");
    }

    /** The HTTP answer carrying a launch file, for the API and the page alike: a download, never cached. */
    public static Response download(LaunchFile.Content vv) {
        return Response.ok(vv.body(), LaunchFile.MEDIA_TYPE)
                .header("Content-Disposition", "attachment; filename=\"" + vv.fileName() + "\"")
                .header("Cache-Control", "no-store")
                .build();
    }

    static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw Problem.notFound("There is no session '" + io.spicegate.shared.TimeText.clip(id) + "': session ids look like 0f8c…-….");
        }
    }
}
