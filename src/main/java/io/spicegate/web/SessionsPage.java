package io.spicegate.web;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.sessions.LaunchFile;
import io.spicegate.sessions.SessionResource;
import io.spicegate.sessions.SessionService;
import io.spicegate.sessions.SessionView;
import io.spicegate.shared.Problem;
import io.spicegate.shared.TimeText;
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
import java.util.UUID;

/** My sessions: live sessions with time left, one session's page with its launch file, End session. */
@Path("/sessions")
@Produces(MediaType.TEXT_HTML)
public class SessionsPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance sessions(Page page, List<SessionView> live, List<SessionView> past);

        static native TemplateInstance session(Page page, SessionView s, boolean opened);
    }

    @Inject Caller caller;
    @Inject SessionService sessions;

    @GET
    public TemplateInstance list() {
        long me = caller.requireUserId();
        List<SessionView> all = sessions.mine(me, false);
        List<SessionView> live = all.stream().filter(s -> "ACTIVE".equals(s.state())).toList();
        List<SessionView> past = all.stream().filter(s -> !"ACTIVE".equals(s.state())).limit(20).toList();
        return Templates.sessions(Page.of(caller, "My sessions", "sessions"), live, past);
    }

    @GET
    @Path("{id}")
    public TemplateInstance one(@PathParam("id") String id, @QueryParam("opened") String opened) {
        SessionView s = sessions.get(caller.requireUserId(), uuid(id));
        return Templates.session(Page.of(caller, s.console() + " session", "sessions"), s, opened != null);
    }

    /** The launch file for the browser: same rules as the API, errors as pages. */
    @GET
    @Path("{id}/console.vv")
    @Produces({LaunchFile.MEDIA_TYPE, MediaType.TEXT_HTML})
    public Response launchFile(@PathParam("id") String id, @Context HttpServerRequest request) {
        return SessionResource.download(sessions.launchFile(caller.requireUserId(), uuid(id), SourceAddress.of(request)));
    }

    @POST
    @Path("{id}/end")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response end(@PathParam("id") String id, @RestForm String csrf, @Context HttpServerRequest request) {
        long me = caller.requireUserId();
        caller.checkCsrf(csrf);
        sessions.end(me, uuid(id), SourceAddress.of(request));
        return Response.seeOther(URI.create("/sessions")).build();
    }

    private static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw Problem.notFound("There is no session '" + TimeText.clip(id) + "': pick one from My sessions.");
        }
    }
}
