package io.spicegate.web;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.users.Caller;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Help for people: how to install remote-viewer and let the browser open the launch files it downloads. */
@Path("/help")
@Produces(MediaType.TEXT_HTML)
public class HelpPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance remoteViewer(Page page);
    }

    @Inject Caller caller;

    @GET
    @Path("remote-viewer")
    public TemplateInstance remoteViewer() {
        caller.requireUserId();
        return Templates.remoteViewer(Page.of(caller, "How to open a launch file", "sessions"));
    }
}
