package io.spicegate.web;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.requests.RequestInbox;
import io.spicegate.requests.RequestService;
import io.spicegate.requests.RequestView;
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
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;

/** My requests: asking for off-hours access (the form), the list with each outcome and note, and Cancel. */
@Path("/requests")
@Produces(MediaType.TEXT_HTML)
public class RequestsPage {

    static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance requests(Page page, List<RequestView> requests, Set<Long> news, String info,
                                                String error);

        static native TemplateInstance form(Page page, RequestInbox.FormInfo form, boolean later, String date,
                                            String time, String earliest, String minutes, String reason, String error);
    }

    @Inject Caller caller;
    @Inject RequestInbox inbox;
    @Inject RequestService requests;

    @GET
    public TemplateInstance list(@QueryParam("asked") String asked, @QueryParam("cancelled") String cancelled) {
        long me = caller.requireUserId();
        String info = asked != null ? "Your request #" + TimeText.clip(asked) + " is sent. Now "
                + inbox.approversSee(me, idOrZero(asked)) + "; its outcome will show here."
                : cancelled != null ? "Your request #" + TimeText.clip(cancelled) + " is withdrawn." : null;
        return render(me, info, null);
    }

    private TemplateInstance render(long me, String info, String error) {
        List<RequestView> mine = inbox.mine(me);
        Set<Long> news = inbox.markSeen(me); // before the nav is drawn: "My requests (n)" goes back to none
        return Templates.requests(Page.of(caller, "My requests", "requests"), mine, news, info, error);
    }

    @GET
    @Path("new")
    public TemplateInstance form(@QueryParam("console") String console, @QueryParam("start") String start,
                                 @QueryParam("minutes") String minutes) {
        RequestInbox.FormInfo form = inbox.form(caller.requireUserId(), console);
        // pre-filled by Extend's "Ask for more" (start = the session's end, local in the rule's zone); else ignored
        boolean later = start != null && start.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}");
        String length = minutes != null && minutes.matches("[1-9]\\d{0,3}") ? minutes
                : Integer.toString(Math.min(60, form.maxMinutes()));
        return renderForm(form, later, later ? Typed.of(null, null, start) : new Typed(null, null), length, "", null);
    }

    /**
     * Ask for access. "Later" takes a day ({@code date}, 2026-11-24) and a 24-hour time ({@code time}, 18:00) read in
     * the rule's zone; {@code start} (2026-11-24T18:00, the old single field) still works for scripts. "Now" with a
     * typed time is refused rather than silently ignored.
     */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response ask(@RestForm String csrf, @RestForm String console, @RestForm String when, @RestForm String date,
                        @RestForm String time, @RestForm String start, @RestForm String minutes, @RestForm String reason,
                        @Context HttpServerRequest request) {
        long me = caller.requireUserId();
        caller.checkCsrf(csrf);
        RequestInbox.FormInfo form = inbox.form(me, console);
        boolean later = "later".equals(when);
        Typed typed = Typed.of(date, time, start);
        try {
            Instant wanted = wantedStart(later, date, time, start, form.zone());
            RequestView created = requests.create(me, new RequestService.NewRequest(form.console(), wanted,
                    number(minutes), reason), SourceAddress.of(request));
            return Response.seeOther(URI.create("/requests?asked=" + created.id())).build();
        } catch (Problem p) {
            if (p.status() != 400 && p.status() != 409) {
                throw p;
            }
            return Response.status(p.status()).entity(renderForm(form, later, typed, minutes, reason, p.getMessage())).build();
        }
    }

    @POST
    @Path("{id}/cancel")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response cancel(@PathParam("id") String id, @RestForm String csrf, @Context HttpServerRequest request) {
        long me = caller.requireUserId();
        caller.checkCsrf(csrf);
        try {
            RequestView r = requests.cancel(me, requestId(id), SourceAddress.of(request));
            return Response.seeOther(URI.create("/requests?cancelled=" + r.id())).build();
        } catch (Problem p) {
            if (p.status() != 409) {
                throw p;
            }
            return Response.status(409).entity(render(me, null, p.getMessage())).build();
        }
    }

    /** The day and time as typed, shown again with an error (the old single {@code start} field split in two). */
    record Typed(String date, String time) {
        static Typed of(String date, String time, String start) {
            if (isBlank(date) && isBlank(time) && !isBlank(start) && start.strip().length() >= 16
                    && start.strip().charAt(10) == 'T') {
                return new Typed(start.strip().substring(0, 10), start.strip().substring(11, 16));
            }
            return new Typed(date, time);
        }
    }

    private TemplateInstance renderForm(RequestInbox.FormInfo form, boolean later, Typed typed, String minutes,
                                        String reason, String error) {
        ZonedDateTime now = form.now().atZone(form.zone());
        String earliest = DAY.format(now);
        String date = !isBlank(typed.date()) ? typed.date() : DAY.format(now.truncatedTo(ChronoUnit.HOURS).plusHours(1));
        return Templates.form(Page.of(caller, "Ask for " + form.console(), "requests"), form, later, date,
                typed.time() == null ? "" : typed.time(), earliest, minutes, reason == null ? "" : reason, error);
    }

    /** The wanted start: null for Now; for Later the day and 24-hour time (or the old single field) in the rule's zone. */
    static Instant wantedStart(boolean later, String date, String time, String start, ZoneId zone) {
        if (!later) {
            if (!isBlank(time) || !isBlank(start)) {
                String typed = TimeText.clip(!isBlank(time) ? time.strip() : start.strip());
                throw Problem.badRequest("You chose Now but typed a start time (" + typed + "): choose Later to start "
                        + "then, or clear the time to start now.");
            }
            return null;
        }
        if (isBlank(time) && isBlank(date) && !isBlank(start)) {
            return instant(start, zone);
        }
        if (isBlank(time)) {
            throw Problem.badRequest("Type the time you want to start, 24-hour like 18:00 (" + zone.getId()
                    + "), or choose Now.");
        }
        if (isBlank(date)) {
            throw Problem.badRequest("Choose the day you want to start (like 2026-11-24), or choose Now.");
        }
        LocalDate day;
        try {
            day = LocalDate.parse(date.strip());
        } catch (DateTimeParseException e) {
            throw Problem.badRequest("'" + TimeText.clip(date) + "' is not a day: use the form 2026-11-24.");
        }
        return ZonedDateTime.ofLocal(LocalDateTime.of(day, TimeText.clockTime(time, "start time")), zone, null)
                .toInstant();
    }

    /** A datetime-local value ("2026-11-24T20:00") read in the rule's zone. */
    static Instant instant(String local, ZoneId zone) {
        try {
            return ZonedDateTime.ofLocal(LocalDateTime.parse(local.strip()), zone, null).toInstant();
        } catch (DateTimeParseException e) {
            throw Problem.badRequest("'" + TimeText.clip(local) + "' is not a date and time: use the form "
                    + "2026-11-24T20:00 (" + zone.getId() + ").");
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static Integer number(String minutes) {
        return FormFields.wholeNumber(minutes, v -> "The minutes must be a whole number, e.g. 60.");
    }

    /** The id of an {@code ?asked=} or {@code ?approved=} address, or 0 (no request) for anything else. */
    static long idOrZero(String id) {
        try {
            return Long.parseLong(id.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A request id from the address; anything else is a request that does not exist. */
    static long requestId(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw Problem.notFound("There is no request '" + TimeText.clip(id) + "': pick one from the list.");
        }
    }
}
