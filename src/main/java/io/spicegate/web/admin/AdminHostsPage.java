package io.spicegate.web.admin;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.consoles.ConsoleAdmin;
import io.spicegate.users.Caller;
import io.spicegate.web.Page;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestForm;

/** Admin pages for KVM hosts: create, edit (name, address, CA certificate), delete. */
@Path("/admin/hosts")
@Produces(MediaType.TEXT_HTML)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class AdminHostsPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance host(Page page, HostForm form, ConsoleAdmin.HostView host, String error);

        static native TemplateInstance enrollment(Page page, String name, String token, String config);
    }

    /** The host form as typed. */
    public record HostForm(String name, String address, String caPem) {
        static HostForm of(ConsoleAdmin.HostView h) {
            return new HostForm(h.name(), h.address(), AdminSupport.nz(h.caPem()));
        }
    }

    @Inject Caller caller;
    @Inject ConsoleAdmin consoles;

    @GET
    @Path("new")
    public TemplateInstance createForm() {
        return Templates.host(AdminSupport.page(caller, "New host"), new HostForm("", "", ""), null, null);
    }

    @POST
    public Response create(@RestForm String csrf, @RestForm String name, @RestForm String address, @RestForm String caPem) {
        AdminSupport.post(caller, csrf);
        HostForm form = new HostForm(AdminSupport.nz(name), AdminSupport.nz(address), AdminSupport.nz(caPem));
        return AdminSupport.submit(() -> {
            ConsoleAdmin.HostCreated h = consoles.createHost(new ConsoleAdmin.HostInput(name, address, caPem), caller.username());
            // the host agent's enrollment token is shown this once
            String snippet = "portal.url=<this portal's address>\n"
                    + "enrollment.token=" + h.enrollmentToken() + "\n"
                    + "mode=host\n"
                    + "state.dir=/var/lib/spicegate\n"
                    + "# one line per console on this host: its QMP socket or its libvirt domain\n"
                    + "#console.<name>.libvirt=<domain>\n"
                    + "#console.<name>.qmp=/run/qemu/<name>.qmp\n";
            return Response.ok(Templates.enrollment(AdminSupport.page(caller, "Host " + h.name() + " added"), h.name(),
                    h.enrollmentToken(), snippet)).build();
        }, error -> Templates.host(AdminSupport.page(caller, "New host"), form, null, error));
    }

    @GET
    @Path("{id}")
    public TemplateInstance edit(@PathParam("id") long id) {
        Page page = AdminSupport.page(caller, "Host");
        ConsoleAdmin.HostView h = consoles.host(id);
        return Templates.host(page, HostForm.of(h), h, null);
    }

    @POST
    @Path("{id}")
    public Response update(@PathParam("id") long id, @RestForm String csrf, @RestForm String name, @RestForm String address,
                           @RestForm String caPem) {
        AdminSupport.post(caller, csrf);
        ConsoleAdmin.HostView before = consoles.host(id);
        HostForm form = new HostForm(AdminSupport.nz(name), AdminSupport.nz(address), AdminSupport.nz(caPem));
        return AdminSupport.submit(() -> {
            ConsoleAdmin.HostView h = consoles.updateHost(id, new ConsoleAdmin.HostInput(form.name(), form.address(),
                    form.caPem()), caller.username());
            return AdminSupport.seeOther("/admin/consoles?host=" + h.name());
        }, error -> Templates.host(AdminSupport.page(caller, "Host"), form, before, error));
    }

    @POST
    @Path("{id}/delete")
    public Response delete(@PathParam("id") long id, @RestForm String csrf) {
        AdminSupport.post(caller, csrf);
        ConsoleAdmin.HostView h = consoles.host(id);
        return AdminSupport.submit(() -> {
            consoles.deleteHost(id, caller.username());
            return AdminSupport.seeOther("/admin/consoles");
        }, error -> Templates.host(AdminSupport.page(caller, "Host"), HostForm.of(h), h, error));
    }
}
