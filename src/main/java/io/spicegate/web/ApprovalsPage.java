package io.spicegate.web;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.requests.InboxItem;
import io.spicegate.requests.RequestInbox;
import io.spicegate.requests.RequestService;
import io.spicegate.requests.RequestView;
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
import org.jboss.resteasy.reactive.RestForm;

import java.net.URI;
import java.util.List;

/** Approvals: the inbox of requests the caller may decide, each with Approve and Deny and a note. */
@Path("/approvals")
@Produces(MediaType.TEXT_HTML)
public class ApprovalsPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance approvals(Page page, List<InboxItem> inbox, List<RequestView> decided,
                                                 String info, String error, long errorId, String note);
    }

    @Inject Caller caller;
    @Inject RequestService requests;
    @Inject RequestInbox inbox;

    @GET
    public TemplateInstance inbox(@QueryParam("approved") String approved, @QueryParam("denied") String denied) {
        long me = caller.requireUserId();
        String info = approved != null ? "Approved. Now " + inbox.requesterSees(me, RequestsPage.idOrZero(approved)) + "."
                : denied != null ? "Denied. Now " + inbox.requesterSees(me, RequestsPage.idOrZero(denied))
                + ", with your note." : null;
        return render(info, null, 0, null);
    }

    /** One form per request, two buttons: {@code decision=approve} or {@code decision=deny}. */
    @POST
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response decide(@PathParam("id") String id, @RestForm String csrf, @RestForm String decision,
                           @RestForm String note, @Context HttpServerRequest request) {
        long me = caller.requireUserId();
        caller.checkCsrf(csrf);
        long requestId = RequestsPage.requestId(id);
        try {
            if ("approve".equals(decision)) {
                requests.approve(me, requestId, note, SourceAddress.of(request));
                return Response.seeOther(URI.create("/approvals?approved=" + requestId)).build();
            }
            if ("deny".equals(decision)) {
                requests.deny(me, requestId, note, SourceAddress.of(request));
                return Response.seeOther(URI.create("/approvals?denied=" + requestId)).build();
            }
            throw Problem.badRequest("Choose Approve or Deny.");
        } catch (Problem p) {
            if (p.status() != 400 && p.status() != 409) {
                throw p;
            }
            return Response.status(p.status()).entity(render(null, p.getMessage(), requestId, note)).build();
        }
    }

    private TemplateInstance render(String info, String error, long errorId, String note) {
        long me = caller.requireUserId();
        return Templates.approvals(Page.of(caller, "Approvals", "approvals"), inbox.inbox(me),
                inbox.decidedBy(me, 20), info, error, errorId, note == null ? "" : note);
    }
}
