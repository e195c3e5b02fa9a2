package io.spicegate.sessions;

import io.spicegate.consoles.ConsoleDeleting;
import io.spicegate.consoles.DestinationsChanged;
import io.spicegate.enrollment.AgentCredentials;
import io.spicegate.enrollment.AgentKey;
import io.spicegate.shared.Problem;
import io.spicegate.users.UserDeactivated;
import io.spicegate.users.UserDeleted;
import io.spicegate.workstations.Workstation;
import io.spicegate.workstations.WorkstationChanged;
import io.spicegate.workstations.WorkstationWithdrawn;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * What the administrators' changes to users, consoles and workstations mean for sessions, grants and tickets. The
 * events are observed synchronously, in the admin's transaction: the change and its consequences commit together.
 * Links to a deleted row are cleared here as the schema's "on delete set null" does, because Hibernate refuses to
 * flush a loaded session that still points at a deleted user or workstation.
 */
@ApplicationScoped
public class AdminChangeObservers {

    @Inject SessionService sessions;
    @Inject GrantService grants;
    @Inject TicketService tickets;
    @Inject AgentCredentials credentials;

    /** A deactivated user's live sessions are revoked at once. */
    void userDeactivated(@Observes UserDeactivated e) {
        e.revoked().addAndGet(sessions.revokeAllOf(e.userId(), e.admin(), e.reason()));
    }

    /** A deleted user's live sessions are revoked; the session log keeps his name, its link to the account goes. */
    void userDeleted(@Observes UserDeleted e) {
        sessions.revokeAllOf(e.userId(), e.admin(), e.reason());
        ConsoleSession.<ConsoleSession>list("user.id", e.userId()).forEach(s -> s.user = null);
    }

    /**
     * A disabled or removed workstation's live sessions are revoked (DESIGN.md rule 2); on removal the session log
     * keeps its name, its link to the workstation goes.
     */
    void workstationWithdrawn(@Observes WorkstationWithdrawn e) {
        e.revoked().addAndGet(sessions.revokeAllAt(e.workstationId(), e.admin(), e.reason()));
        if (e.removed()) {
            ConsoleSession.<ConsoleSession>list("workstation.id", e.workstationId()).forEach(s -> s.workstation = null);
        }
    }

    /** Its agent fetches its grants again; host agents the workstations they admit. */
    void workstationChanged(@Observes WorkstationChanged e) {
        if (!e.removed()) {
            grants.bump(e.workstationId());
        } else {
            credentials.signal(AgentKey.workstation(e.workstationId())); // every replica forgets its bearer
        }
        tickets.bumpAll();
    }

    /** The protected destinations changed: every agent fetches the new list (host agents: their ports). */
    void destinationsChanged(@Observes DestinationsChanged e) {
        grants.destinationsChanged();
        for (Workstation w : Workstation.<Workstation>listAll()) {
            grants.bump(w.id);
        }
        tickets.bumpAll();
    }

    /** A console with live sessions cannot be deleted: they are to be ended first. */
    void consoleDeleting(@Observes ConsoleDeleting e) {
        long live = ConsoleSession.count("console.id = ?1 and state = ?2", e.consoleId(), SessionState.ACTIVE);
        if (live > 0) {
            throw Problem.conflict("Console " + e.name() + " has " + live + " live session(s): end them first.");
        }
    }
}
