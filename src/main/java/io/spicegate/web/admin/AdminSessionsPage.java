package io.spicegate.web.admin;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.sessions.SessionLog;
import io.spicegate.sessions.SessionService;
import io.spicegate.shared.Problem;
import io.spicegate.users.Caller;
import io.spicegate.users.SourceAddress;
import io.spicegate.web.Page;
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

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Live sessions: who is connected now, the firewall state of each session, and End session with a reason. */
@Path("/admin/sessions")
@Produces(MediaType.TEXT_HTML)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class AdminSessionsPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance live(Page page, List<SessionLog.Live> sessions, SessionLog.Row ended,
                                            UUID failed, String reason, String error);
    }

    @Inject Caller caller;
    @Inject SessionLog log;
    @Inject SessionService sessions;

    @GET
    public TemplateInstance live(@QueryParam("ended") String ended) {
        Page page = AdminSupport.page(caller, "Live sessions");
        SessionLog.Row row = parse(ended).flatMap(log::get).orElse(null);
        return Templates.live(page, log.live(), row, null, "", null);
    }

    @POST
    @Path("{id}/revoke")
    public Response revoke(@PathParam("id") String id, @RestForm String csrf, @RestForm String reason,
                           @Context HttpServerRequest request) {
        AdminSupport.post(caller, csrf);
        UUID uuid = parse(id).orElseThrow(() -> Problem.notFound("There is no session '" + io.spicegate.shared.TimeText.clip(id) + "'."));
        try {
            if (reason == null || reason.isBlank()) {
                throw Problem.badRequest("Say why you end this session: the reason goes into the session log.");
            }
            UUID ended = sessions.revoke(caller.username(), uuid, reason.strip(), SourceAddress.of(request)).id();
            return AdminSupport.seeOther("/admin/sessions?ended=" + ended);
        } catch (Problem p) {
            if (!AdminSupport.isFormProblem(p)) {
                throw p;
            }
            return AdminSupport.invalid(p, Templates.live(AdminSupport.page(caller, "Live sessions"), log.live(), null,
                    uuid, AdminSupport.nz(reason), p.getMessage()));
        }
    }

    static Optional<UUID> parse(String id) {
        try {
            return id == null ? Optional.empty() : Optional.of(UUID.fromString(id.strip()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
