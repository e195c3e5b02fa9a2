package io.spicegate.web.admin;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.audit.AuditCheckpoint;
import io.spicegate.audit.AuditQuery;
import io.spicegate.audit.AuditVerifier;
import io.spicegate.shared.Problem;
import io.spicegate.users.Caller;
import io.spicegate.web.Page;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/** The raw audit log with filters, keyset pages and a CSV link; and the chain check in plain words. */
@Path("/admin/audit")
@Produces(MediaType.TEXT_HTML)
public class AdminAuditPage {

    private static final int PAGE = 50;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance audit(Page page, AuditForm form, List<AuditQuery.Event> events, String older,
                                             String newest, String csv, String error);

        static native TemplateInstance verify(Page page, AuditVerifier.Result result, String expectHead, String checkpoint,
                                              String error);
    }

    /** The filter form's query parameters. */
    public static class Params extends FilterParams {
        @QueryParam("action") public String action;
        @QueryParam("session") public String session;
        @QueryParam("before") public String before;
    }

    /** The filters as typed. */
    public record AuditForm(String user, String console, String workstation, String action, String from, String to,
                            String session) {

        static AuditForm of(Params p) {
            return new AuditForm(AdminSupport.nz(p.user), AdminSupport.nz(p.console), AdminSupport.nz(p.workstation),
                    AdminSupport.nz(p.action), AdminSupport.nz(p.from), AdminSupport.nz(p.to), AdminSupport.nz(p.session));
        }

        Map<String, String> params() {
            return AdminSupport.fields("user", user, "console", console, "workstation", workstation, "action", action,
                    "from", from, "to", to, "session", session);
        }

        public boolean filtered() {
            return !AdminSupport.query(params()).isEmpty();
        }
    }

    @Inject Caller caller;
    @Inject AuditQuery query;
    @Inject AuditVerifier verifier;
    @Inject AuditCheckpoint checkpoint;

    @GET
    public Response audit(@BeanParam Params params) {
        Page page = AdminSupport.page(caller, "Audit");
        AuditForm form = AuditForm.of(params);
        String q = AdminSupport.query(form.params());
        String newest = "/admin/audit" + (q.isEmpty() ? "" : "?" + q);
        String csv;
        try {
            ZoneId zone = ZoneId.of(page.zone());
            Instant from = AdminSupport.date(form.from(), "from", zone, 0);
            Instant to = AdminSupport.date(form.to(), "to", zone, 1);
            // the API twin takes instants: the CSV link carries the same period as instants
            Map<String, String> api = form.params();
            api.put("from", from == null ? null : from.toString());
            api.put("to", to == null ? null : to.toString());
            String apiQuery = AdminSupport.query(api);
            csv = "/api/v1/admin/audit.csv" + (apiQuery.isEmpty() ? "" : "?" + apiQuery);
            AuditQuery.Filter filter = AuditQuery.Filter.of(form.user(), form.console(), form.workstation(), form.action(),
                    from == null ? null : from.toString(), to == null ? null : to.toString(), form.session());
            AuditQuery.Page result = query.page(filter, before(params.before), PAGE);
            String older = result.next() == null ? null : "/admin/audit?" + (q.isEmpty() ? "" : q + "&") + "before=" + result.next();
            return Response.ok(Templates.audit(page, form, result.events(), older,
                    params.before == null || params.before.isBlank() ? null : newest, csv, null)).build();
        } catch (Problem p) {
            if (p.status() != 400) {
                throw p;
            }
            return Response.status(400).entity(Templates.audit(page, form, List.of(), null, null, "/api/v1/admin/audit.csv",
                    p.getMessage())).build();
        }
    }

    /** Walks the whole chain; with a checkpoint from the portal's log it also notices cut-off newest rows. */
    @GET
    @Path("verify")
    public Response verify(@QueryParam("expectHead") String expectHead) {
        Page page = AdminSupport.page(caller, "Verify the audit log");
        String known = checkpoint.headId() == 0 ? null : checkpoint.headId() + ":" + checkpoint.headHash();
        Long id = null;
        String hash = null;
        if (expectHead != null && !expectHead.isBlank()) {
            String[] parts = expectHead.strip().split(":", 2);
            try {
                id = Long.parseLong(parts[0].strip());
            } catch (NumberFormatException e) {
                return Response.status(400).entity(Templates.verify(page, null, expectHead, known,
                        "The checkpoint is '<id>' or '<id>:<hash>' as in the portal's log line 'audit checkpoint head=… hash=…'.")).build();
            }
            hash = parts.length > 1 && !parts[1].isBlank() ? parts[1].strip() : null;
        }
        return Response.ok(Templates.verify(page, verifier.verify(id, hash), AdminSupport.nz(expectHead), known, null)).build();
    }

    private static Long before(String raw) {
        return io.spicegate.shared.Params.optional(raw, Long::valueOf,
                "'before' is the row number of a previous page: follow the Older link instead of typing it.");
    }
}
