package io.spicegate.web;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.sessions.ConsolePicture;
import io.spicegate.sessions.MyConsoles;
import io.spicegate.sessions.SessionService;
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
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** My consoles: what the user may open now, the Open console button, and each console's picture of the weeks. */
@Path("/consoles")
@Produces(MediaType.TEXT_HTML)
public class ConsolesPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance consoles(Page page, Cards cards);

        static native TemplateInstance console(Page page, ConsoleChart.Model m);
    }

    @Inject Caller caller;
    @Inject MyConsoles myConsoles;
    @Inject ConsolePicture pictures;
    @Inject SessionService sessions;

    /**
     * My consoles, {@link MyConsoles#PAGE_SIZE} cards a page ({@code page}, from 1), of the consoles whose name or
     * description contains {@code q}; a find box and page links once there is more than one page.
     */
    @GET
    public TemplateInstance list(@RestQuery String q, @RestQuery String page) {
        int number = page == null || page.isBlank() ? 1 : FormFields.wholeNumber(page, v -> "'" + TimeText.clip(v)
                + "' is not a page number: use the page links on My consoles.");
        if (q != null && q.length() > 200) {
            throw Problem.badRequest("Search for at most 200 characters of a console's name or description.");
        }
        if (q != null && q.chars().anyMatch(Character::isISOControl)) {
            throw Problem.badRequest("A search cannot hold control characters: type part of a console's name or description.");
        }
        MyConsoles.Slice slice = myConsoles.page(caller.requireUserId(), q, number);
        return Templates.consoles(Page.of(caller, "My consoles", "consoles"), new Cards(slice));
    }

    /** A page of My consoles as the template reads it: the cards, what they are of, and links to the other pages. */
    public record Cards(MyConsoles.Slice slice) {

        public List<MyConsoles.Row> rows() {
            return slice.rows();
        }

        /** The find box shows once there is more than one page, and while a search is on. */
        public boolean findable() {
            return slice.total() > MyConsoles.PAGE_SIZE || !slice.filter().isEmpty();
        }

        /** "Consoles 51–100 of 2000", "3 of 2000 consoles contain “db”", "No console's name or description contains “x”." */
        public String count() {
            int from = (slice.page() - 1) * MyConsoles.PAGE_SIZE + 1;
            int to = from + slice.rows().size() - 1;
            if (slice.filter().isEmpty()) {
                return "Consoles " + from + "–" + to + " of " + slice.total();
            }
            if (slice.matching() == 0) {
                return "No console's name or description contains “" + slice.filter() + "”.";
            }
            String of = slice.matching() + " of " + slice.total() + " consoles contain “" + slice.filter() + "”";
            return slice.pages() == 1 ? of : of + ": " + from + "–" + to;
        }

        public String previous() {
            return slice.page() > 1 ? href(slice.page() - 1) : null;
        }

        public String next() {
            return slice.page() < slice.pages() ? href(slice.page() + 1) : null;
        }

        private String href(int page) {
            String q = slice.filter().isEmpty() ? "" : "q=" + URLEncoder.encode(slice.filter(), StandardCharsets.UTF_8) + "&";
            return "/consoles?" + q + "page=" + page;
        }
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
