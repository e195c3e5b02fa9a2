package io.spicegate.web;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.sessions.ConsolePicture;
import io.spicegate.sessions.MyConsoles;
import io.spicegate.sessions.SessionService;
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
import org.jboss.resteasy.reactive.RestForm;

import java.net.URI;
import java.util.List;

/** My consoles: what the user may open now, the Open console button, and each console's picture of the weeks. */
@Path("/consoles")
@Produces(MediaType.TEXT_HTML)
public class ConsolesPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance consoles(Page page, List<MyConsoles.Row> rows);

        static native TemplateInstance console(Page page, ConsoleChart.Model m);
    }

    @Inject Caller caller;
    @Inject MyConsoles myConsoles;
    @Inject ConsolePicture pictures;
    @Inject SessionService sessions;

    @GET
    public TemplateInstance list() {
        List<MyConsoles.Row> rows = myConsoles.list(caller.requireUserId());
        return Templates.consoles(Page.of(caller, "My consoles", "consoles"), rows);
    }

    /** One console: when the user may use it this week and next, as a picture and as text; 404 without a rule. */
    @GET
    @Path("{name}")
    public TemplateInstance console(@PathParam("name") String name) {
        ConsoleChart.Model m = ConsoleChart.of(pictures.of(caller.requireUserId(), name));
        return Templates.console(Page.of(caller, m.card().name(), "consoles"), m);
    }

    @POST
    @Path("{name}/open")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response open(@PathParam("name") String name, @RestForm String csrf, @RestForm String minutes,
                         @Context HttpServerRequest request) {
        long me = caller.requireUserId();
        caller.checkCsrf(csrf);
        // no length chosen: as long as allowed
        SessionService.Opened opened = sessions.open(me, name, SessionsPage.number(minutes), SourceAddress.of(request));
        return Response.seeOther(URI.create("/sessions/" + opened.session().id() + "?opened=1")).build();
    }
}
