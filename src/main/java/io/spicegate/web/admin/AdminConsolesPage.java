package io.spicegate.web.admin;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.consoles.ConsoleAdmin;
import io.spicegate.rules.RuleAdmin;
import io.spicegate.rules.WeekPlan;
import io.spicegate.shared.Problem;
import io.spicegate.users.Caller;
import io.spicegate.web.Page;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestForm;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Admin pages for consoles: the list with their hosts, create/edit/delete, and each console's week picture. */
@Path("/admin/consoles")
@Produces(MediaType.TEXT_HTML)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class AdminConsolesPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance consoles(Page page, List<ConsoleAdmin.HostView> hosts,
                                                List<ConsoleAdmin.ConsoleView> consoles, String notice);

        static native TemplateInstance console(Page page, ConsoleForm form, ConsoleAdmin.ConsoleView console,
                                               List<ConsoleAdmin.HostView> hosts, String error);

        static native TemplateInstance week(Page page, ConsoleAdmin.ConsoleView console, WeekChart.Model chart,
                                            List<RuleAdmin.RuleDto> rules, String notice);
    }

    /** The console form as typed; the password is write-only and never part of it. */
    public record ConsoleForm(String name, String host, String tlsPort, String port, String hostSubject,
                              String description, boolean hasPassword) {
        static final ConsoleForm EMPTY = new ConsoleForm("", "", "", "", "", "", false);

        static ConsoleForm of(ConsoleAdmin.ConsoleView c) {
            return new ConsoleForm(c.name(), c.host(), c.tlsPort() == null ? "" : c.tlsPort().toString(),
                    c.port() == null ? "" : c.port().toString(), AdminSupport.nz(c.hostSubject()),
                    AdminSupport.nz(c.description()), c.hasPassword());
        }
    }

    @Inject Caller caller;
    @Inject ConsoleAdmin consoles;
    @Inject RuleAdmin rules;
    @Inject WeekPlan weeks;

    @GET
    public TemplateInstance list(@QueryParam("saved") String saved, @QueryParam("deleted") String deleted,
                                 @QueryParam("host") String host) {
        Page page = AdminSupport.page(caller, "Hosts and consoles");
        String notice = host != null && deleted == null ? AdminSupport.notice("Saved", "host", host)
                : AdminSupport.notice("console", "Deleted", deleted, saved);
        return Templates.consoles(page, consoles.hosts(), consoles.consoles(), notice);
    }

    @GET
    @Path("new")
    public TemplateInstance createForm(@QueryParam("host") String host) {
        Page page = AdminSupport.page(caller, "New console");
        ConsoleForm form = new ConsoleForm("", AdminSupport.nz(host), "", "", "", "", false);
        return Templates.console(page, form, null, consoles.hosts(), null);
    }

    @POST
    public Response create(@RestForm String csrf, @RestForm String name, @RestForm String host, @RestForm String tlsPort,
                           @RestForm String port, @RestForm String hostSubject, @RestForm String password,
                           @RestForm String description) {
        AdminSupport.post(caller, csrf);
        ConsoleForm form = new ConsoleForm(AdminSupport.nz(name), AdminSupport.nz(host), AdminSupport.nz(tlsPort),
                AdminSupport.nz(port), AdminSupport.nz(hostSubject), AdminSupport.nz(description), false);
        return AdminSupport.submit(() -> {
            ConsoleAdmin.ConsoleView c = consoles.createConsole(new ConsoleAdmin.ConsoleInput(name, host,
                    AdminSupport.integer(tlsPort, "TLS port"), AdminSupport.integer(port, "Plain port"), hostSubject,
                    AdminSupport.blank(password) == null ? null : password, description), caller.username());
            return AdminSupport.seeOther("/admin/consoles/" + c.id() + "?saved=" + c.name());
        }, error -> again("New console", form, null, error));
    }

    /** The week picture: who may use the console when, Monday to Sunday, in the rules' zone. */
    @GET
    @Path("{id}")
    public TemplateInstance week(@PathParam("id") long id, @QueryParam("week") String week, @QueryParam("saved") String saved) {
        Page page = AdminSupport.page(caller, "Console");
        ConsoleAdmin.ConsoleView c = consoles.console(id);
        LocalDate day = null;
        if (week != null && !week.isBlank()) {
            try {
                day = LocalDate.parse(week.strip());
            } catch (DateTimeParseException e) {
                throw Problem.badRequest("'week' is a date such as 2026-11-23; the week around it is shown.");
            }
        }
        WeekChart.Model chart = WeekChart.of(weeks.week(id, day));
        String notice = "rule".equals(saved) ? "Rule saved: this is what it looks like."
                : "rule-deleted".equals(saved) ? "Rule deleted." : AdminSupport.notice("Saved", "console", saved);
        return Templates.week(page, c, chart, rules.list(c.name()), notice);
    }

    @GET
    @Path("{id}/edit")
    public TemplateInstance edit(@PathParam("id") long id) {
        Page page = AdminSupport.page(caller, "Edit console");
        ConsoleAdmin.ConsoleView c = consoles.console(id);
        return Templates.console(page, ConsoleForm.of(c), c, consoles.hosts(), null);
    }

    @POST
    @Path("{id}")
    public Response update(@PathParam("id") long id, @RestForm String csrf, @RestForm String name, @RestForm String host,
                           @RestForm String tlsPort, @RestForm String port, @RestForm String hostSubject,
                           @RestForm String password, @RestForm String clearPassword, @RestForm String description) {
        AdminSupport.post(caller, csrf);
        ConsoleAdmin.ConsoleView before = consoles.console(id);
        ConsoleForm form = new ConsoleForm(AdminSupport.nz(name), AdminSupport.nz(host), AdminSupport.nz(tlsPort),
                AdminSupport.nz(port), AdminSupport.nz(hostSubject), AdminSupport.nz(description), before.hasPassword());
        // write-only: empty keeps the stored password, "remove" clears it
        String newPassword = clearPassword != null ? "" : AdminSupport.blank(password) == null ? null : password;
        return AdminSupport.submit(() -> {
            ConsoleAdmin.ConsoleView c = consoles.replaceConsole(id, new ConsoleAdmin.ConsoleInput(AdminSupport.nz(name),
                    AdminSupport.nz(host), AdminSupport.integer(tlsPort, "TLS port"), AdminSupport.integer(port, "Plain port"),
                    AdminSupport.nz(hostSubject), newPassword, AdminSupport.nz(description)), caller.username());
            return AdminSupport.seeOther("/admin/consoles/" + c.id() + "?saved=" + c.name());
        }, error -> again("Edit console", form, before, error));
    }

    @POST
    @Path("{id}/delete")
    public Response delete(@PathParam("id") long id, @RestForm String csrf) {
        AdminSupport.post(caller, csrf);
        ConsoleAdmin.ConsoleView c = consoles.console(id);
        return AdminSupport.submit(() -> {
            consoles.deleteConsole(id, caller.username());
            return AdminSupport.seeOther("/admin/consoles?deleted=" + c.name());
        }, error -> again("Edit console", ConsoleForm.of(c), c, error));
    }

    /** The console form again, as typed, with the sentence next to it. */
    private TemplateInstance again(String title, ConsoleForm form, ConsoleAdmin.ConsoleView console, String error) {
        return Templates.console(AdminSupport.page(caller, title), form, console, consoles.hosts(), error);
    }
}
