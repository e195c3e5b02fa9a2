package io.spicegate.web.admin;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.consoles.ConsoleAdmin;
import io.spicegate.sessions.SessionLog;
import io.spicegate.shared.SpicegateConfig;
import io.spicegate.users.Caller;
import io.spicegate.users.UserAdmin;
import io.spicegate.web.Page;
import io.spicegate.workstations.WorkstationAdmin;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The admin overview: what runs now, what needs attention, and the way to every admin page. */
@Path("/admin")
@Produces(MediaType.TEXT_HTML)
public class AdminHomePage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance home(Page page, Overview o);
    }

    /** The counts on the overview. */
    public record Overview(int live, int users, int activeUsers, int consoles, int workstations, int drifting, int silent,
                           List<Attention> attention, long silentAfterSeconds) { }

    /** A workstation whose agent needs a look. */
    public record Attention(long id, String name, String problem) { }

    @Inject Caller caller;
    @Inject Clock clock;
    @Inject SpicegateConfig config;
    @Inject SessionLog log;
    @Inject UserAdmin users;
    @Inject ConsoleAdmin consoles;
    @Inject WorkstationAdmin workstations;

    @GET
    public TemplateInstance home() {
        Page page = AdminSupport.page(caller, "Administration");
        Instant now = clock.instant();
        long silentAfter = silentAfterSeconds(config);
        List<UserAdmin.UserView> people = users.users();
        List<WorkstationAdmin.View> ws = workstations.list();
        List<Attention> attention = new ArrayList<>();
        int drifting = 0;
        int silent = 0;
        for (WorkstationAdmin.View w : ws) {
            if (w.drift() != null) {
                drifting++;
                attention.add(new Attention(w.id(), w.name(), "drift: " + w.drift()));
            }
            if (isSilent(w, now, silentAfter)) {
                silent++;
                attention.add(new Attention(w.id(), w.name(), w.lastSeen() == null ? "agent enrolled but never seen"
                        : "agent not seen since " + AdminDisplay.ago(w.lastSeen(), now)));
            }
        }
        return Templates.home(page, new Overview(log.live().size(), people.size(),
                (int) people.stream().filter(UserAdmin.UserView::active).count(), consoles.consoles().size(), ws.size(),
                drifting, silent, attention, silentAfter));
    }

    /**
     * An enrolled, enabled agent that has not polled for more than twice the lease has dropped its grants. Last seen
     * is written by each replica in batches (every {@code last-seen-flush-seconds}), so that much is added: an agent
     * that polls never flaps to silent.
     */
    static long silentAfterSeconds(SpicegateConfig config) {
        return 2L * config.agent().leaseSeconds() + config.agent().lastSeenFlushSeconds();
    }

    /** Whether the workstation's agent is enrolled and enabled but has not been seen for {@code silentAfterSeconds}. */
    static boolean isSilent(WorkstationAdmin.View w, Instant now, long silentAfterSeconds) {
        return w.active() && w.enrolled()
                && (w.lastSeen() == null || Duration.between(w.lastSeen(), now).toSeconds() > silentAfterSeconds);
    }
}
