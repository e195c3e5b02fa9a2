package io.spicegate.requests;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.spicegate.shared.ErrorBody;
import io.spicegate.shared.PathIds;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.net.URI;
import java.util.List;

/** JSON API for off-hours requests: mine (ask, list, cancel) and an approver's inbox and decisions. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class RequestResource {

    @Inject RequestInbox inbox;
    @Inject Caller caller;
    @Inject RequestService requests;
    @Inject ObjectMapper json;

    /** Body of approve and deny. */
    public record DecisionBody(String note) { }

    @POST
    @Path("/requests")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Ask for off-hours access: {console, start (ISO-8601 UTC, optional = now), minutes, reason}")
    public Response create(RequestService.NewRequest body, @Context HttpServerRequest request) {
        long me = caller.requireUserId();
        RequestView created = requests.create(me, body, SourceAddress.of(request));
        return Response.created(URI.create("/api/v1/requests/" + created.id())).entity(created).build();
    }

    @GET
    @Path("/requests")
    @Operation(summary = "My requests, newest first, with their state and the approver's note")
    public List<RequestView> mine() {
        return inbox.mine(caller.requireUserId());
    }

    @GET
    @Path("/requests/pulse")
    @Operation(summary = "My live-update pulse: {toDecide, unseen, stamp}; the stamp changes whenever My requests or "
            + "Approvals would show something else (pages poll it every few seconds)")
    public RequestInbox.Pulse pulse() {
        return inbox.pulse(caller.requireUserId());
    }

    @GET
    @Path("/requests/{id}")
    @Operation(summary = "One request: mine, or one I may decide")
    public RequestView one(@PathParam("id") String id) {
        return inbox.get(caller.requireUserId(), id(id));
    }

    @POST
    @Path("/requests/{id}/cancel")
    @Operation(summary = "Withdraw my pending request")
    public RequestView cancel(@PathParam("id") String id, @Context HttpServerRequest request) {
        return requests.cancel(caller.requireUserId(), id(id), SourceAddress.of(request));
    }

    @GET
    @Path("/approvals")
    @Operation(summary = "My inbox: pending requests I may decide, oldest first")
    public List<InboxItem> inbox() {
        return inbox.inbox(caller.requireUserId());
    }

    @POST
    @Path("/requests/{id}/approve")
    @Operation(summary = "Approve a request, with an optional {note}")
    public RequestView approve(@PathParam("id") String id, @RequestBody(required = false, content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = DecisionBody.class))) String body,
                               @Context HttpServerRequest request) throws JsonProcessingException {
        return decide(RequestState.APPROVED, id, body, request);
    }

    @POST
    @Path("/requests/{id}/deny")
    @Operation(summary = "Deny a request, with a {note} saying why (required)")
    public RequestView deny(@PathParam("id") String id, @RequestBody(required = false, content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = DecisionBody.class))) String body,
                            @Context HttpServerRequest request) throws JsonProcessingException {
        return decide(RequestState.DENIED, id, body, request);
    }

    private RequestView decide(RequestState outcome, String id, String body, HttpServerRequest request)
            throws JsonProcessingException {
        long me = caller.requireUserId();
        long requestId = id(id);
        String note = note(body);
        String source = SourceAddress.of(request);
        return outcome == RequestState.APPROVED ? requests.approve(me, requestId, note, source)
                : requests.deny(me, requestId, note, source);
    }

    /** The note of {@code {"note": ...}}; a decision may also come with no body at all (curl -X POST). */
    private String note(String body) throws JsonProcessingException {
        if (body == null || body.isBlank()) {
            return null;
        }
        DecisionBody decision = json.readValue(body, DecisionBody.class);
        return decision == null ? null : decision.note();
    }

    /**
     * A body of the wrong shape ({@code "minutes": "sixty"}, {@code "start": "tomorrow"}): Quarkus' own mapper
     * for this exception would win over the general one in ErrorMappers and answer without a sentence.
     */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        String field = e.getPath().stream().map(JsonMappingException.Reference::getFieldName)
                .filter(java.util.Objects::nonNull).reduce((a, b) -> a + "." + b).orElse(null);
        String why = io.spicegate.shared.ErrorMappers.firstLine(e.getOriginalMessage());
        if (field != null && why.startsWith("Cannot coerce Floating-point value")) {
            return Response.status(400).type(MediaType.APPLICATION_JSON).entity(new ErrorBody("'" + field
                    + "' has the wrong type: send " + io.spicegate.shared.ErrorMappers.WHOLE_NUMBER + ".")).build();
        }
        return Response.status(400).type(MediaType.APPLICATION_JSON)
                .entity(new ErrorBody("The request body is not valid JSON for this call: "
                        + (field == null ? "" : "\"" + field + "\": ") + why
                        + (field != null && field.equals("start") ? " (send an instant like \"2026-11-23T18:00:00Z\")" : "")
                        + "."))
                .build();
    }

    static long id(String id) {
        return PathIds.number(id, "request", "request ids are numbers.");
    }
}
