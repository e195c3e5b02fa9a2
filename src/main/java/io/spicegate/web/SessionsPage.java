package io.spicegate.web;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.sessions.Extension;
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

/** My sessions: live sessions with time left and Extend, one session's page with its launch file, End session. */
@Path("/sessions")
@Produces(MediaType.TEXT_HTML)
public class SessionsPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance sessions(Page page, List<Extension> live, List<SessionView> past,
                                                String error);

        static native TemplateInstance session(Page page, SessionView s, Extension x, LaunchState state,
                                               boolean extended, String error);
    }

    /**
     * What the session page does by itself: refresh every second while an agent is still working on the launch file
     * (never once one failed or timed out), or, right after Open console, fetch the launch file once it is ready.
     */
    public record LaunchState(boolean waiting, boolean download) {

        static LaunchState of(SessionView s, boolean opened) {
            boolean live = "ACTIVE".equals(s.state());
            if (!live || s.problem() != null) {
                return new LaunchState(false, false);
            }
            if (s.command() != null) {
                return new LaunchState("pending".equals(s.firewall()), false);
            }
            boolean waiting = "pending".equals(s.firewall()) || s.vvAvailable() && "pending".equals(s.ticket());
            boolean failed = "error".equals(s.firewall()) || "error".equals(s.ticket());
            return new LaunchState(waiting, opened && !waiting && !failed && s.vvAvailable());
        }
    }

    @Inject Caller caller;
    @Inject SessionService sessions;

    @GET
    public TemplateInstance list() {
        return renderList(caller.requireUserId(), null);
    }

    private TemplateInstance renderList(long me, String error) {
        List<Extension> live = List.copyOf(sessions.extensions(me).values());
        List<SessionView> past = sessions.mine(me, false).stream().filter(s -> !"ACTIVE".equals(s.state())).limit(20).toList();
        return Templates.sessions(Page.of(caller, "My sessions", "sessions"), live, past, error);
    }

    @GET
    @Path("{id}")
    public TemplateInstance one(@PathParam("id") String id, @QueryParam("opened") String opened,
                                @QueryParam("extended") String extended) {
        return renderOne(caller.requireUserId(), uuid(id), opened != null, extended != null, null);
    }

    private TemplateInstance renderOne(long me, UUID id, boolean opened, boolean extended, String error) {
        SessionService.Detail d = sessions.detail(me, id);
        SessionView s = d.session();
        return Templates.session(Page.of(caller, s.console() + " session", "sessions"), s, d.extension(),
                LaunchState.of(s, opened && error == null), extended && d.extension() != null, error);
    }

    /** The launch file for the browser: same rules as the API, errors as pages. */
    @GET
    @Path("{id}/console.vv")
    @Produces({LaunchFile.MEDIA_TYPE, MediaType.TEXT_HTML})
    public Response launchFile(@PathParam("id") String id, @Context HttpServerRequest request) {
        return SessionResource.download(sessions.launchFile(caller.requireUserId(), uuid(id), SourceAddress.of(request)));
    }

    @jakarta.ws.rs.HEAD
    @Path("{id}/console.vv")
    public Response launchFileHead() {
        throw SessionResource.headRefused();
    }

    /**
     * Extend from the session page or My sessions ({@code back=list}): {@code minutes} is a number or "max" (as far as
     * allowed). A refusal shows the same page with its sentence (409, or 400 for a bad length) and changes nothing.
     */
    @POST
    @Path("{id}/extend")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response extend(@PathParam("id") String id, @RestForm String csrf, @RestForm String minutes,
                           @RestForm String back, @Context HttpServerRequest request) {
        long me = caller.requireUserId();
        caller.checkCsrf(csrf);
        UUID session = uuid(id);
        boolean toList = "list".equals(back);
        try {
            String source = SourceAddress.of(request);
            if ("max".equals(minutes)) {
                sessions.extendToLimit(me, session, source);
            } else {
                sessions.extend(me, session, number(minutes), source);
            }
        } catch (Problem p) {
            if (p.status() != 400 && p.status() != 409) {
                throw p;
            }
            TemplateInstance page = toList ? renderList(me, p.getMessage()) : renderOne(me, session, false, false, p.getMessage());
            return Response.status(p.status()).entity(page).build();
        }
        return Response.seeOther(URI.create(toList ? "/sessions#session-" + session : "/sessions/" + session + "?extended=1"))
                .build();
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

    /** A length from a form: a whole number of minutes, or null (the service says what it takes). */
    static Integer number(String minutes) {
        return FormFields.wholeNumber(minutes, v -> "'" + TimeText.clip(v) + "' is not a number of minutes: pick a length "
                + "from the list.");
    }

    private static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw Problem.notFound("There is no session '" + TimeText.clip(id) + "': pick one from My sessions.");
        }
    }
}
