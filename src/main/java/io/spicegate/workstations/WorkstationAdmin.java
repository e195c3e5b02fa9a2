package io.spicegate.workstations;

import io.spicegate.audit.AuditLog;
import io.spicegate.enrollment.AgentCredentials;
import io.spicegate.shared.Changes;
import io.spicegate.shared.Problem;
import io.spicegate.shared.Validate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** Administration of workstations: addresses, enrollment of their agents, disabling and removal. */
@ApplicationScoped
public class WorkstationAdmin {

    @Inject Clock clock;
    @Inject AuditLog audit;
    @Inject AgentCredentials credentials;
    @Inject Event<WorkstationWithdrawn> withdrawn;
    @Inject Event<WorkstationChanged> changed;

    /** Admin view; secrets never included. */
    public record View(long id, String name, List<String> addresses, boolean active, boolean enrolled,
                       String agentHostname, String agentVersion, Instant lastSeen, long grantVersion,
                       Long ackedVersion, boolean strict, String remoteViewer, String drift) {
        static View of(Workstation w) {
            return new View(w.id, w.name, List.copyOf(w.addresses), w.active, w.hasAgent(), w.agentHostname,
                    w.agentVersion, w.lastSeenAt, w.grantVersion, w.ackedVersion, w.strict, w.remoteViewer, w.drift);
        }
    }

    /** What the audit log records of a workstation: what an admin sets, not what its agent reports. */
    private record Audited(String name, Set<String> addresses, boolean active, boolean strict) {
        static Audited of(Workstation w) {
            return new Audited(w.name, Set.copyOf(w.addresses), w.active, w.strict);
        }
    }

    /** Body of create and update. */
    public record Input(String name, List<String> addresses, Boolean active, Boolean strict) { }

    /** A created workstation with its enrollment token (shown once). */
    public record Created(long id, String name, String enrollmentToken) { }

    @Transactional
    public List<View> list() {
        return Workstation.<Workstation>list("order by name").stream().map(View::of).toList();
    }

    @Transactional
    public View get(long id) {
        return View.of(find(id));
    }

    @Transactional
    public Created create(Input in, String admin) {
        if (in == null) {
            throw Problem.badRequest("Send {\"name\": \"mylap\", \"addresses\": [\"10.0.0.5\"]}.");
        }
        String name = Validate.name(in.name(), "workstation");
        if (Workstation.findByName(name).isPresent()) {
            throw Problem.conflict("A workstation named '" + name + "' exists already: choose another name.");
        }
        Workstation w = new Workstation();
        w.name = name;
        w.addresses.addAll(addresses(in.addresses()));
        w.active = in.active() == null || in.active();
        w.strict = in.strict() != null && in.strict();
        w.persist();
        audit.append(AuditLog.event("WORKSTATION_CREATED").actor(admin).workstation(name)
                .detail(Changes.listing(Audited.of(w), "name")), clock.instant());
        return new Created(w.id, w.name, credentials.newEnrollmentToken(w, admin));
    }

    @Transactional
    public View update(long id, Input in, String admin) {
        Workstation w = find(id);
        if (in == null) {
            throw Problem.badRequest("Send the fields to change: name, addresses, active, strict.");
        }
        Audited before = Audited.of(w);
        int revoked = 0;
        if (w.active && Boolean.FALSE.equals(in.active())) {
            // before the workstation's row changes: the sessions' rows are locked first (GrantService.ack's order)
            revoked = withdraw(w, false, admin);
        }
        if (in.name() != null) {
            String name = Validate.name(in.name(), "workstation");
            if (!name.equals(w.name) && Workstation.findByName(name).isPresent()) {
                throw Problem.conflict("A workstation named '" + name + "' exists already: choose another name.");
            }
            w.name = name;
        }
        if (in.addresses() != null) {
            Set<String> next = addresses(in.addresses());
            w.addresses.clear();
            w.addresses.addAll(next);
        }
        if (in.active() != null) {
            w.active = in.active();
        }
        if (in.strict() != null) {
            w.strict = in.strict();
        }
        changed.fire(new WorkstationChanged(w.id, false)); // guarded hosts admit enrolled, active workstations only
        String changed = Changes.and(Changes.between(before, Audited.of(w)), revoked(revoked));
        if (!changed.isEmpty()) {
            audit.append(AuditLog.event("WORKSTATION_CHANGED").actor(admin).workstation(w.name).detail(changed), clock.instant());
        }
        return View.of(w);
    }

    /** A new enrollment token: the agent enrolled so far is locked out until it enrolls again. */
    @Transactional
    public Created reenroll(long id, String admin) {
        Workstation w = find(id);
        w.secretHash = null;
        changed.fire(new WorkstationChanged(w.id, false));
        return new Created(w.id, w.name, credentials.newEnrollmentToken(w, admin));
    }

    /** Removes a workstation; its live sessions are revoked first (DESIGN.md rule 2), the session log keeps its name. */
    @Transactional
    public void delete(long id, String admin) {
        Workstation w = find(id);
        int revoked = withdraw(w, true, admin);
        audit.append(AuditLog.event("WORKSTATION_DELETED").actor(admin).workstation(w.name)
                .detail(Changes.and(Changes.listing(Audited.of(w), "name"), revoked(revoked))), clock.instant());
        w.delete();
        changed.fire(new WorkstationChanged(w.id, true));
    }

    private static String revoked(int sessions) {
        return sessions > 0 ? sessions + " live session(s) revoked" : null;
    }

    /** Ends the workstation's live sessions (DESIGN.md rule 2) through {@link WorkstationWithdrawn}; how many ended. */
    private int withdraw(Workstation w, boolean removed, String admin) {
        AtomicInteger revoked = new AtomicInteger();
        withdrawn.fire(new WorkstationWithdrawn(w.id, w.name, removed, admin, revoked));
        return revoked.get();
    }

    private static Workstation find(long id) {
        Workstation w = Workstation.findById(id);
        if (w == null) {
            throw Problem.notFound("There is no workstation " + id + ".");
        }
        return w;
    }

    private static Set<String> addresses(List<String> in) {
        if (in == null || in.isEmpty()) {
            throw Problem.badRequest("Give the workstation at least one address, e.g. \"addresses\": [\"10.0.0.5\"] or [\"10.0.1.0/24\"].");
        }
        if (in.size() > 100) {
            throw Problem.badRequest("Give at most 100 addresses; use a block such as 10.0.1.0/24 for more.");
        }
        Set<String> out = new LinkedHashSet<>();
        List<String> bad = new ArrayList<>();
        for (String a : in) {
            try {
                Cidr c = Cidr.parse(a);
                out.add(a.strip().contains("/") ? c.toString() : a.strip());
            } catch (IllegalArgumentException e) {
                bad.add(e.getMessage());
            }
        }
        if (!bad.isEmpty()) {
            throw Problem.badRequest(bad.get(0));
        }
        return out;
    }
}
