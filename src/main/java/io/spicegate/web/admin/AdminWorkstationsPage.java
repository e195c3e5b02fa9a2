package io.spicegate.web.admin;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.shared.SpicegateConfig;
import io.spicegate.users.Caller;
import io.spicegate.web.Page;
import io.spicegate.workstations.WorkstationAdmin;
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
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.RestForm;

import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Admin pages for workstations: the list with each agent's health, create (the enrollment token is shown
 * once, on the page that answers the form), edit, disable/enable, re-enroll, delete.
 */
@Path("/admin/workstations")
@Produces(MediaType.TEXT_HTML)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class AdminWorkstationsPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance workstations(Page page, List<Row> rows, Instant now, String notice);

        static native TemplateInstance workstation(Page page, WorkstationForm form, Row row, Instant now, String error);

        static native TemplateInstance enrollment(Page page, WorkstationAdmin.Created created, String config,
                                                  int validHours, boolean again);
    }

    /** A workstation and whether its agent needs a look. */
    public record Row(WorkstationAdmin.View w, boolean silent) {

        public boolean attention() {
            return silent || w.drift() != null;
        }

        /** "in sync", "behind (agent at 4 of 6)", "never acked". */
        public String sync() {
            if (!w.enrolled()) {
                return "";
            }
            if (w.ackedVersion() == null) {
                return "never acked";
            }
            return w.ackedVersion() >= w.grantVersion() ? "in sync" : "agent at " + w.ackedVersion() + " of " + w.grantVersion();
        }
    }

    /** The workstation form as typed. */
    public record WorkstationForm(String name, String addresses, boolean strict) { }

    @Inject Caller caller;
    @Inject Clock clock;
    @Inject SpicegateConfig config;
    @Inject WorkstationAdmin workstations;

    @GET
    public TemplateInstance list(@QueryParam("saved") String saved, @QueryParam("deleted") String deleted) {
        Page page = AdminSupport.page(caller, "Workstations");
        Instant now = clock.instant();
        return Templates.workstations(page, workstations.list().stream().map(w -> row(w, now)).toList(), now,
                AdminSupport.notice("workstation", "Deleted", deleted, saved));
    }

    @GET
    @Path("new")
    public TemplateInstance createForm() {
        return Templates.workstation(AdminSupport.page(caller, "New workstation"), new WorkstationForm("", "", false), null,
                clock.instant(), null);
    }

    /** The token is in this answer only: it is not stored in a readable form and cannot be shown again. */
    @POST
    public Response create(@RestForm String csrf, @RestForm String name, @RestForm String addresses,
                           @RestForm String strict, @Context UriInfo uri) {
        AdminSupport.post(caller, csrf);
        WorkstationForm form = new WorkstationForm(AdminSupport.nz(name), AdminSupport.nz(addresses), strict != null);
        return AdminSupport.submit(() -> {
            WorkstationAdmin.Created c = workstations.create(new WorkstationAdmin.Input(name, addresses(addresses), true,
                    strict != null), caller.username());
            return Response.status(201).entity(enrollment(c, uri, false)).build();
        }, error -> Templates.workstation(AdminSupport.page(caller, "New workstation"), form, null, clock.instant(), error));
    }

    @GET
    @Path("{id}")
    public TemplateInstance edit(@PathParam("id") long id) {
        Page page = AdminSupport.page(caller, "Workstation");
        WorkstationAdmin.View w = workstations.get(id);
        Instant now = clock.instant();
        return Templates.workstation(page, form(w), row(w, now), now, null);
    }

    @POST
    @Path("{id}")
    public Response update(@PathParam("id") long id, @RestForm String csrf, @RestForm String name,
                           @RestForm String addresses, @RestForm String strict) {
        AdminSupport.post(caller, csrf);
        WorkstationAdmin.View before = workstations.get(id);
        WorkstationForm form = new WorkstationForm(AdminSupport.nz(name), AdminSupport.nz(addresses), strict != null);
        return AdminSupport.submit(() -> {
            WorkstationAdmin.View w = workstations.update(id, new WorkstationAdmin.Input(AdminSupport.nz(name),
                    addresses(addresses), null, strict != null), caller.username());
            return AdminSupport.seeOther("/admin/workstations?saved=" + w.name());
        }, error -> again(form, before, error));
    }

    @POST
    @Path("{id}/disable")
    public Response disable(@PathParam("id") long id, @RestForm String csrf) {
        return setActive(id, csrf, false);
    }

    @POST
    @Path("{id}/enable")
    public Response enable(@PathParam("id") long id, @RestForm String csrf) {
        return setActive(id, csrf, true);
    }

    private Response setActive(long id, String csrf, boolean active) {
        AdminSupport.post(caller, csrf);
        WorkstationAdmin.View w = workstations.update(id, new WorkstationAdmin.Input(null, null, active, null), caller.username());
        return AdminSupport.seeOther("/admin/workstations?saved=" + w.name());
    }

    /** A new token: the enrolled agent is locked out until it enrolls with it. */
    @POST
    @Path("{id}/enroll")
    public Response reenroll(@PathParam("id") long id, @RestForm String csrf, @Context UriInfo uri) {
        AdminSupport.post(caller, csrf);
        WorkstationAdmin.Created c = workstations.reenroll(id, caller.username());
        return Response.ok(enrollment(c, uri, true)).build();
    }

    @POST
    @Path("{id}/delete")
    public Response delete(@PathParam("id") long id, @RestForm String csrf) {
        AdminSupport.post(caller, csrf);
        WorkstationAdmin.View w = workstations.get(id);
        return AdminSupport.submit(() -> {
            workstations.delete(id, caller.username());
            return AdminSupport.seeOther("/admin/workstations?deleted=" + w.name());
        }, error -> again(form(w), w, error));
    }

    /** A workstation's page again, with the form as typed and the sentence next to it. */
    private TemplateInstance again(WorkstationForm form, WorkstationAdmin.View w, String error) {
        Instant now = clock.instant();
        return Templates.workstation(AdminSupport.page(caller, "Workstation"), form, row(w, now), now, error);
    }

    private TemplateInstance enrollment(WorkstationAdmin.Created c, UriInfo uri, boolean again) {
        String portal = uri.getBaseUri().toString().replaceAll("/+$", "");
        String snippet = "portal.url=" + portal + "\n"
                + "enrollment.token=" + c.enrollmentToken() + "\n"
                + "mode=workstation\n"
                + "state.dir=/var/lib/spicegate\n";
        return Templates.enrollment(AdminSupport.page(caller, "Enroll " + c.name()), c, snippet,
                config.agent().enrollmentHours(), again);
    }

    private Row row(WorkstationAdmin.View w, Instant now) {
        return new Row(w, AdminHomePage.isSilent(w, now, AdminHomePage.silentAfterSeconds(config)));
    }

    private static WorkstationForm form(WorkstationAdmin.View w) {
        return new WorkstationForm(w.name(), String.join("\n", w.addresses()), w.strict());
    }

    /** One address or block per line (commas and spaces also separate). */
    static List<String> addresses(String text) {
        if (text == null) {
            return List.of();
        }
        return Arrays.stream(text.split("[\\s,;]+")).filter(s -> !s.isBlank()).toList();
    }
}
