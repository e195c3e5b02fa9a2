package io.spicegate.web.admin;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.audit.AuditQuery;
import io.spicegate.consoles.ConsoleAdmin;
import io.spicegate.sessions.SessionLog;
import io.spicegate.shared.Problem;
import io.spicegate.users.Caller;
import io.spicegate.users.UserAdmin;
import io.spicegate.web.Page;
import io.spicegate.workstations.WorkstationAdmin;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * The session log: who used which console, from where, when and on whose authority — console sessions with
 * filters, keyset pages (newest first), a streamed CSV export with the same filters, and one session's timeline.
 */
@Path("/admin")
@Produces(MediaType.TEXT_HTML)
public class AdminLogPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance log(Page page, LogForm form, Choices choices, List<SessionLog.Row> rows,
                                           String older, String newest, String csv, String error);

        static native TemplateInstance timeline(Page page, SessionLog.Row s, List<AuditQuery.Event> events, Instant now);
    }

    /** The filter form's query parameters. */
    public static class Params extends FilterParams {
        @QueryParam("state") public String state;
        @QueryParam("authorisedBy") public String authorisedBy;
        @QueryParam("request") public String request;
        @QueryParam("after") public String after;

        LogForm form() {
            return new LogForm(AdminSupport.nz(user), AdminSupport.nz(console), AdminSupport.nz(workstation),
                    AdminSupport.nz(from), AdminSupport.nz(to), AdminSupport.nz(state), AdminSupport.nz(authorisedBy),
                    AdminSupport.nz(request));
        }
    }

    /** The filters as typed, for the form and the links. */
    public record LogForm(String user, String console, String workstation, String from, String to, String state,
                          String authorisedBy, String request) {

        /** The filters as a query string (no cursor). */
        String query() {
            return AdminSupport.query(AdminSupport.fields("user", user, "console", console, "workstation", workstation,
                    "from", from, "to", to, "state", state, "authorisedBy", authorisedBy, "request", request));
        }

        public boolean filtered() {
            return !query().isEmpty();
        }
    }

    /** Suggestions for the filter fields. */
    public record Choices(List<String> users, List<String> consoles, List<String> workstations) { }

    @Inject Caller caller;
    @Inject Clock clock;
    @Inject SessionLog log;
    @Inject AuditQuery audit;
    @Inject UserAdmin users;
    @Inject ConsoleAdmin consoles;
    @Inject WorkstationAdmin workstations;

    @GET
    @Path("log")
    public Response log(@BeanParam Params params) {
        LogForm form = params.form();
        Page page = AdminSupport.page(caller, "Session log");
        Choices choices = new Choices(users.users().stream().map(UserAdmin.UserView::username).toList(),
                consoles.consoles().stream().map(ConsoleAdmin.ConsoleView::name).toList(),
                workstations.list().stream().map(WorkstationAdmin.View::name).toList());
        String query = form.query();
        String csv = "/admin/log.csv" + (query.isEmpty() ? "" : "?" + query);
        String newest = "/admin/log" + (query.isEmpty() ? "" : "?" + query);
        try {
            SessionLog.Page result = log.page(filter(form, ZoneId.of(page.zone())), SessionLog.Cursor.parse(params.after),
                    SessionLog.DEFAULT_PAGE);
            String older = result.next() == null ? null
                    : "/admin/log?" + (query.isEmpty() ? "" : query + "&") + "after=" + result.next().token();
            return Response.ok(Templates.log(page, form, choices, result.rows(), older,
                    params.after == null || params.after.isBlank() ? null : newest, csv, null)).build();
        } catch (Problem p) {
            if (p.status() != 400) {
                throw p;
            }
            return Response.status(400).entity(Templates.log(page, form, choices, List.of(), null, null, csv, p.getMessage())).build();
        }
    }

    /** The same filters as CSV, streamed: constant memory at any size. */
    @GET
    @Path("log.csv")
    @Produces("text/csv")
    public Response csv(@BeanParam Params params) {
        Page page = AdminSupport.page(caller, "Session log");
        SessionLog.Filter f = filter(params.form(), ZoneId.of(page.zone()));
        StreamingOutput body = out -> log.csv(f, out);
        return Response.ok(body, "text/csv; charset=UTF-8")
                .header("Content-Disposition", "attachment; filename=\"spicegate-sessions.csv\"").build();
    }

    /** One session's story from the audit log: requested, approved, opened, launch file, firewall, end. */
    @GET
    @Path("log/{id}")
    public TemplateInstance timeline(@PathParam("id") String id) {
        Page page = AdminSupport.page(caller, "Session timeline");
        SessionLog.Row s = AdminSessionsPage.parse(id).flatMap(log::get)
                .orElseThrow(() -> Problem.notFound("There is no session '" + io.spicegate.shared.TimeText.clip(id)
                        + "': pick one from the session log."));
        return Templates.timeline(page, s, audit.timeline(s.id(), s.user(), s.approvedRequestId()), clock.instant());
    }

    /** Dates are whole days in the office's zone; "to" includes its day. */
    static SessionLog.Filter filter(LogForm form, ZoneId zone) {
        Instant from = AdminSupport.date(form.from(), "from", zone, 0);
        Instant to = AdminSupport.date(form.to(), "to", zone, 1);
        if (from != null && to != null && !from.isBefore(to)) {
            throw Problem.badRequest("The period ends before it starts: put the earlier date in 'from'.");
        }
        return SessionLog.Filter.of(form.user(), form.console(), form.workstation(), from, to, form.state(),
                form.authorisedBy(), form.request());
    }
}
