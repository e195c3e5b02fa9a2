package io.spicegate.admin;

import io.spicegate.audit.AuditQuery;
import io.spicegate.audit.AuditVerifier;
import io.spicegate.shared.Params;
import io.spicegate.shared.Problem;
import io.spicegate.users.Caller;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Admin API: the audit log, its CSV export, and the chain verifier. */
@Path("/api/v1/admin")
public class AdminAuditResource {

    @Inject Caller caller;
    @Inject AuditQuery query;
    @Inject AuditVerifier verifier;

    @GET
    @Path("/audit")
    @Produces(MediaType.APPLICATION_JSON)
    public AuditQuery.Page events(@QueryParam("user") String user, @QueryParam("console") String console,
                                  @QueryParam("workstation") String workstation, @QueryParam("action") String action,
                                  @QueryParam("from") String from, @QueryParam("to") String to,
                                  @QueryParam("session") String session, @QueryParam("before") String before,
                                  @QueryParam("limit") String limit) {
        caller.requireAdmin();
        return query.page(AuditQuery.Filter.of(user, console, workstation, action, from, to, session),
                Params.cursor(before, "before", "the 'next' of the page before (the id of its last event)"),
                Params.pageSize(limit, AuditQuery.DEFAULT_PAGE, AuditQuery.MAX_PAGE));
    }

    /** The same filters as CSV, streamed (no size limit, constant memory). */
    @GET
    @Path("/audit.csv")
    @Produces("text/csv")
    public Response csv(@QueryParam("user") String user, @QueryParam("console") String console,
                        @QueryParam("workstation") String workstation, @QueryParam("action") String action,
                        @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("session") String session) {
        caller.requireAdmin();
        AuditQuery.Filter f = AuditQuery.Filter.of(user, console, workstation, action, from, to, session);
        StreamingOutput body = out -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            w.write("id,at,actor,action,user,console,workstation,session,source,detail\r\n");
            try {
                query.forEach(f, e -> {
                    try {
                        w.write(e.id() + "," + e.at() + "," + cell(e.actor()) + "," + cell(e.action()) + "," + cell(e.user())
                                + "," + cell(e.console()) + "," + cell(e.workstation()) + ","
                                + (e.session() == null ? "" : e.session()) + "," + cell(e.source()) + "," + cell(e.detail()) + "\r\n");
                    } catch (IOException ex) {
                        throw new UncheckedIOException(ex);
                    }
                });
            } catch (UncheckedIOException ex) {
                throw ex.getCause();
            }
            w.flush();
        };
        return Response.ok(body, "text/csv; charset=UTF-8")
                .header("Content-Disposition", "attachment; filename=\"spicegate-audit.csv\"").build();
    }

    @GET
    @Path("/audit/verify")
    @Produces(MediaType.APPLICATION_JSON)
    public AuditVerifier.Result verify(@QueryParam("expectHead") String expectHead) {
        caller.requireAdmin();
        Long id = null;
        String hash = null;
        if (expectHead != null && !expectHead.isBlank()) {
            String[] parts = expectHead.strip().split(":", 2);
            try {
                id = Long.parseLong(parts[0]);
            } catch (NumberFormatException e) {
                throw Problem.badRequest("'expectHead' is the checkpoint '<id>' or '<id>:<hash>' from the portal's log line 'audit checkpoint'.");
            }
            hash = parts.length > 1 ? parts[1] : null;
        }
        return verifier.verify(id, hash);
    }

    /** A CSV cell (see {@link io.spicegate.shared.Csv#cell}). */
    public static String cell(String s) {
        return io.spicegate.shared.Csv.cell(s);
    }
}
