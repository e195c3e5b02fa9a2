package io.spicegate.sessions;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.spicegate.access.Decision;
import io.spicegate.access.Verdict;
import io.spicegate.audit.AuditLog;
import io.spicegate.consoles.Console;
import io.spicegate.rules.AccessService;
import io.spicegate.shared.Problem;
import io.spicegate.shared.SpicegateConfig;
import io.spicegate.shared.TimeText;
import io.spicegate.users.User;
import io.spicegate.users.UserLocks;
import io.spicegate.workstations.Workstation;
import io.spicegate.workstations.WorkstationService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Opens, re-opens and ends console sessions (DESIGN.md rule 2) and hands out their one-shot launch files.
 * Every call takes the acting user and checks that he may do it.
 */
@ApplicationScoped
public class SessionService {

    @Inject Clock clock;
    @Inject AccessService access;
    @Inject WorkstationService workstations;
    @Inject AuditLog audit;
    @Inject SpicegateConfig config;
    @Inject EntityManager em;
    @Inject GrantService grants;
    @Inject TicketService tickets;

    /** The result of Open console: the session and whether it was already there. */
    public record Opened(SessionView session, boolean reopened) { }

    /** Opens (or re-opens) the user's session for as long as allowed: {@link #open(long, String, Integer, String)}. */
    public Opened open(long userId, String consoleName, String source) {
        return open(userId, consoleName, null, source);
    }

    /**
     * Opens (or re-opens) the user's session on a console from the workstation the request came from.
     * end = min(start + {@code minutes} (null: as long as allowed), end of the allowed stretch, start + max minutes):
     * asking for more than allowed opens it until the limit, and the answer's end says so. A re-open returns the live
     * session unchanged (the minutes do not apply: Extend moves its end).
     */
    @Transactional(dontRollbackOn = Problem.class)
    public Opened open(long userId, String consoleName, Integer minutes, String source) {
        Instant now = clock.instant();
        if (minutes != null) {
            SessionLimit.requireMinutes(minutes, "the session should last");
        }
        // the account lock, shared with the user's other opens: a deactivation or delete waits for this open to
        // commit and so revokes its session too, and an open after it waits for it and sees the account inactive
        // (or gone); the lock queues fairly, so opens kept in flight cannot hold a deactivation off (UserLocks)
        User user = UserLocks.acting(userId);
        if (user == null || !user.active) {
            throw Problem.notLoggedIn();
        }
        if (consoleName == null || consoleName.isBlank()) {
            throw Problem.badRequest("Say which console to open: {\"console\": \"<name>\"}.");
        }
        // lock the console row: opens of one console are serialised, so "in use by" cannot race
        Console console = access.console(user, consoleName.strip(), LockModeType.PESSIMISTIC_WRITE).orElse(null);
        if (console == null) {
            refuse(user, consoleName, null, source, now, "no rule for this console");
            throw Problem.notFound("You have no console named '" + TimeText.clip(consoleName) + "': check the name on My consoles.");
        }
        Workstation ws = workstations.bySource(source).orElse(null);
        if (ws == null) {
            refuse(user, console.name, null, source, now, "unknown workstation address");
            throw Problem.forbidden("This computer (" + source + ") is not a registered workstation, so no console "
                    + "can be opened from it: ask your administrator to add its address.");
        }
        AccessService.ConsoleAccess ca = access.decide(user, console, now);
        Decision d = ca.decision();
        if (d.verdict() != Verdict.ALLOWED) {
            refuse(user, console.name, ws.name, source, now, d.verdict().name());
            throw Problem.forbidden(refusal(console.name, d, ca.zone()));
        }
        // the console's sessions in one read: those past their end are recorded as expired first (only then is the
        // update run), the caller's own is re-opened, another user's makes it busy
        List<ConsoleSession> active = ConsoleSession.activeOn(console.id);
        if (active.stream().anyMatch(a -> !a.endsAt.isAfter(now))) {
            expireDue(console.id, now);
            // past its end is not live, whoever records the expiry (this open, or the sweep that just committed it)
            active = active.stream().filter(a -> a.endsAt.isAfter(now)).toList();
        }
        Optional<ConsoleSession> mine = active.stream().filter(a -> a.isOf(user.id, ws.id)).findFirst();
        if (mine.isPresent()) {
            return new Opened(reopen(mine.get(), user, console, ws, source, now), true);
        }
        Optional<ConsoleSession> other = active.stream().filter(a -> a.isOfAnotherThan(user.id)).findFirst();
        if (other.isPresent()) {
            throw Problem.conflict(console.name + " is in use by " + other.get().username + " until "
                    + TimeText.shown(other.get().endsAt, ca.zone(), ZoneId.of(config.displayZone()), now)
                    + " (SPICE admits one viewer at a time): try again then.");
        }
        Instant end = SessionLimit.of(d, now, config.console().defaultMaxMinutes()).at();
        if (minutes != null && now.plus(Duration.ofMinutes(minutes)).isBefore(end)) {
            end = now.plus(Duration.ofMinutes(minutes));
        }
        ConsoleSession s = ConsoleSession.open(user, console, ws, source, now, end, d.approvedRequestId());
        s.zone = ca.zone().getId();
        tickets.issue(s, now);
        s.persist();
        Long version = grants.bump(ws.id);
        s.launchVersion = ws.strict ? version : null;
        audit.append(AuditLog.event("SESSION_OPENED").actor(user.username).user(user.username)
                .console(console.name).workstation(ws.name).session(s.id).source(source)
                .detail("until " + end + (d.approvedRequestId() != null
                        ? ", authorised by request #" + d.approvedRequestId() : ", authorised by window")), now);
        return new Opened(view(s, now), false);
    }

    /** Opening again returns the user's live session with a fresh one-shot launch file (DESIGN.md rule 2). */
    private SessionView reopen(ConsoleSession s, User user, Console console, Workstation ws, String source, Instant now) {
        s.renewLaunchFile();
        tickets.issue(s, now); // a fresh launch file carries a fresh one-time password
        if (ws.strict) {
            s.launchVersion = grants.bump(ws.id); // the agent writes the fresh launch file: ready once it acked
        }
        audit.append(AuditLog.event("SESSION_REOPENED").actor(user.username).user(user.username)
                .console(console.name).workstation(ws.name).session(s.id).source(source)
                .detail("fresh launch file; ends " + s.endsAt), now);
        return view(s, now);
    }

    /** The one-shot launch file: the first download of a (re-)opened live session; then 410. */
    @Transactional(dontRollbackOn = Problem.class)
    public LaunchFile.Content launchFile(long userId, UUID sessionId, String source) {
        Instant now = clock.instant();
        ConsoleSession s = own(userId, sessionId, LockModeType.NONE);
        requireOwnWorkstation(s, source, now);
        if (s.workstation != null && s.workstation.strict) {
            throw Problem.conflict(LaunchFile.strictRefusal(s.workstationName, s.consoleName));
        }
        if (!s.isLiveAt(now)) {
            throw Problem.gone("This session has ended, so its launch file is no longer valid: open the console again.");
        }
        awaitAgents(s, now);
        if (s.console == null) {
            throw Problem.gone("The console of this session was removed.");
        }
        Optional<String> body = LaunchFile.of(s, now, config.displayZone());
        if (body.isEmpty() && s.vvFetchedAt == null) {
            throw Problem.gone("The one-time password of this launch file has lapsed: click Open console again for a fresh one.");
        }
        // served once: the one-time password is forgotten in the same update that uses up the launch file
        int claimed = em.createQuery("update ConsoleSession s set s.vvFetchedAt = ?1, s.ticketPassword = null "
                        + "where s.id = ?2 and s.vvFetchedAt is null and s.state = ?3")
                .setParameter(1, now).setParameter(2, sessionId).setParameter(3, SessionState.ACTIVE).executeUpdate();
        if (claimed != 1) {
            throw Problem.gone("This launch file was already downloaded and works only once: click Open console again for a fresh one.");
        }
        audit.append(AuditLog.event("VV_DOWNLOADED").actor(s.username).user(s.username).console(s.consoleName)
                .workstation(s.workstationName).session(s.id).source(source), now);
        return new LaunchFile.Content(s.consoleName + ".vv", body.orElseThrow());
    }

    /**
     * The launch file goes only to the session's own, active workstation (DESIGN.md rule 5), found from the request's
     * source exactly as Open console finds it; a refusal is audited and uses nothing up.
     */
    private void requireOwnWorkstation(ConsoleSession s, String source, Instant now) {
        Workstation caller = workstations.bySource(source).orElse(null);
        if (caller != null && s.workstation != null && caller.id.equals(s.workstation.id)) {
            return;
        }
        audit.append(AuditLog.event("ACCESS_REFUSED").actor(s.username).user(s.username).console(s.consoleName)
                .workstation(s.workstationName).session(s.id).source(source)
                .detail("launch file asked for from " + (caller == null ? "an unregistered address" : "workstation " + caller.name)), now);
        throw Problem.forbidden("The launch file of this session works only on workstation " + s.workstationName
                + ", where you opened it, and this computer (" + source + ") is "
                + (caller == null ? "not that workstation" : "workstation " + caller.name)
                + ": fetch it there, or open the console from this computer.");
    }

    /**
     * Ends the user's own session. The row is locked first, so of parallel calls exactly one ends it and the others
     * see it ended (409), never a clash in the database.
     */
    @Transactional
    public SessionView end(long userId, UUID sessionId, String source) {
        Instant now = clock.instant();
        ConsoleSession s = own(userId, sessionId, LockModeType.PESSIMISTIC_WRITE);
        if (s.state == SessionState.ACTIVE && !s.endsAt.isAfter(now)) {
            expire(s, now);
            throw Problem.conflict("This session had already expired at " + s.endsAt + ".");
        }
        if (s.state.isTerminal()) {
            throw Problem.conflict("This session has already ended (" + s.state.name().toLowerCase() + ").");
        }
        s.finish(SessionState.ENDED, now, s.username, "ended by the user");
        grants.bump(s.workstation == null ? null : s.workstation.id);
        audit.append(AuditLog.event("SESSION_ENDED").actor(s.username).user(s.username).console(s.consoleName)
                .workstation(s.workstationName).session(s.id).source(source), now);
        return SessionView.of(s, now);
    }

    /**
     * Where the workstation has an agent, remote-viewer must not start before the agent has opened the firewall (it
     * never retries a refused connection); where the console's host has an agent, the launch file carries a one-time
     * password that the VM accepts only once the agent has set it. Meanwhile 503 with Retry-After; once an agent failed
     * or stayed silent past the ack timeout, its sentence.
     */
    private void awaitAgents(ConsoleSession s, Instant now) {
        Wait wait = waitFor(s, now);
        if (wait != null) {
            throw wait.problem();
        }
    }

    /** Why the launch file cannot be served yet or at all: a status and a sentence; null when nothing is missing. */
    private record Wait(int status, String sentence, boolean coming) {
        Problem problem() {
            return coming ? Problem.notReady(sentence, 1) : new Problem(status, sentence);
        }
    }

    /** The first agent the launch file waits for (the workstation's firewall, then the host's ticket), or null. */
    private Wait waitFor(ConsoleSession s, Instant now) {
        int timeout = config.agent().ackTimeoutSeconds();
        switch (s.firewallState()) {
            case "pending" -> {
                long waited = Duration.between(s.startsAt, now).toSeconds();
                if (waited < timeout) {
                    return new Wait(503, "The firewall of workstation " + s.workstationName
                            + " is being opened for you: the launch file follows in a moment.", true);
                }
                return new Wait(503, "The Spicegate agent on workstation " + s.workstationName + " has not opened the "
                        + "firewall after " + waited + " seconds: check that it runs (systemctl status spicegate-agent) "
                        + "or tell your administrator, then open the console again.", false);
            }
            case "error" -> {
                return new Wait(409, "The agent on workstation " + s.workstationName
                        + " could not open the firewall for you (" + s.firewallError + "): tell your administrator.", false);
            }
            default -> { }
        }
        String host = s.console == null ? "?" : s.console.host.name;
        switch (s.ticketState()) {
            case "pending" -> {
                long waited = Duration.between(s.ticketIssuedAt, now).toSeconds();
                if (waited < timeout) {
                    return new Wait(503, "KVM host " + host + " is setting a one-time password for you: the launch "
                            + "file follows in a moment.", true);
                }
                return new Wait(503, "The Spicegate agent on KVM host " + host + " has not set the one-time password "
                        + "after " + waited + " seconds: tell your administrator (systemctl status spicegate-agent on "
                        + host + "), then open the console again.", false);
            }
            case "error" -> {
                return new Wait(409, "The agent on KVM host " + host + " could not set the one-time "
                        + "password for you (" + s.ticketError + "): tell your administrator.", false);
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * The session as its owner sees it, with the sentence of an agent that failed or timed out while its launch file
     * still waits for it (the page shows it and stops refreshing).
     */
    private SessionView view(ConsoleSession s, Instant now) {
        boolean waiting = s.vvFetchedAt == null || "pending".equals(s.launchState());
        Wait wait = waiting && s.isLiveAt(now) ? waitFor(s, now) : null;
        return SessionView.of(s, now, wait == null || wait.coming() ? null : wait.sentence());
    }

    /** Extend moved the session's end: the session, and the limit decided at that moment. */
    public record Extended(SessionView session, SessionLimit limit) { }

    /**
     * Moves a live session's end {@code minutes} later (DESIGN.md rule 2), within the allowed stretch decided anew at
     * this moment (approved requests included) and the max minutes counted from the session's start; beyond them 409
     * with a sentence saying how far it could go, and nothing changes. The row is locked first, as in {@link #end}, so
     * parallel extends are applied one after another against the end each one finds. The new end reaches the
     * workstation's agent (grant version) and the host's agent (ticket version) without a reconnect.
     */
    @Transactional(dontRollbackOn = Problem.class)
    public Extended extend(long userId, UUID sessionId, Integer minutes, String source) {
        SessionLimit.requireMinutes(minutes, "to extend by");
        return extend(userId, sessionId, minutes.intValue(), source);
    }

    /** Extends the session as far as it may go now (the page's "until 18:00 (the most allowed)"). */
    @Transactional(dontRollbackOn = Problem.class)
    public Extended extendToLimit(long userId, UUID sessionId, String source) {
        return extend(userId, sessionId, 0, source);
    }

    /** {@code minutes} > 0: that much later; 0: up to the limit. */
    private Extended extend(long userId, UUID sessionId, int minutes, String source) {
        Instant now = clock.instant();
        ConsoleSession s = own(userId, sessionId, LockModeType.PESSIMISTIC_WRITE);
        if (s.state == SessionState.ACTIVE && !s.endsAt.isAfter(now)) {
            expire(s, now);
            throw Problem.conflict("This session has already ended, so it cannot be extended: open the console again.");
        }
        if (s.state.isTerminal()) {
            throw Problem.conflict("This session has already ended (" + s.state.name().toLowerCase()
                    + "), so it cannot be extended: open the console again.");
        }
        if (s.console == null || s.user == null) {
            throw Problem.conflict("The console of this session was removed, so it cannot be extended.");
        }
        AccessService.ConsoleAccess ca = access.decide(s.user, s.console, now);
        ZoneId zone = ca.zone();
        if (ca.decision().verdict() != Verdict.ALLOWED) {
            throw Problem.conflict(s.consoleName + " cannot run longer: " + refusal(s.consoleName, ca.decision(), zone));
        }
        SessionLimit limit = SessionLimit.of(ca.decision(), s.startsAt, config.console().defaultMaxMinutes());
        Instant old = s.endsAt;
        Instant wanted = minutes > 0 ? old.plus(Duration.ofMinutes(minutes)) : limit.at();
        if (!wanted.isAfter(old) || !limit.admits(wanted)) {
            long left = limit.minutesLeftAfter(old);
            throw Problem.conflict(limit.sentence(s.consoleName, zone, now) + (left > 0
                    ? " It ends at " + TimeText.time(old, zone, now) + " now: extend it by " + SessionLimit.length(left)
                    + " at most." : " For more, ask for off-hours access (My requests)."));
        }
        s.endsAt = wanted;
        grants.bump(s.workstation == null ? null : s.workstation.id);
        if (s.console.host != null && s.console.host.hasAgent()) {
            tickets.bump(s.console.host.id); // a pending ticket's job carries the time left
        }
        audit.append(AuditLog.event("SESSION_EXTENDED").actor(s.username).user(s.username).console(s.consoleName)
                .workstation(s.workstationName).session(s.id).source(source)
                .detail("end moved from " + old + " to " + wanted + " (" + TimeText.time(old, zone, now) + " → "
                        + TimeText.time(wanted, zone, now) + " " + zone.getId() + ")"), now);
        return new Extended(view(s, now), limit);
    }

    /** The Extend choices of the user's live sessions (none for an ended one), by session id. */
    @Transactional
    public java.util.Map<UUID, Extension> extensions(long userId) {
        Instant now = clock.instant();
        java.util.Map<UUID, Extension> out = new java.util.LinkedHashMap<>();
        for (ConsoleSession s : ConsoleSession.<ConsoleSession>list("user.id = ?1 and state = ?2 and endsAt > ?3 "
                + "order by startsAt desc", userId, SessionState.ACTIVE, now)) {
            out.put(s.id, extension(s, now));
        }
        return out;
    }

    /** The user's session with what Extend offers for it (null once it is not live). */
    public record Detail(SessionView session, Extension extension) { }

    @Transactional
    public Detail detail(long userId, UUID sessionId) {
        Instant now = clock.instant();
        ConsoleSession s = own(userId, sessionId, LockModeType.NONE);
        return s.isLiveAt(now) ? new Detail(view(s, now), extension(s, now)) : new Detail(view(s, now), null);
    }

    private Extension extension(ConsoleSession s, Instant now) {
        SessionView view = view(s, now);
        if (s.console == null || s.user == null) {
            return new Extension(view, s.zoneOr(config.displayZone()), s.endsAt, "", 0, List.of(), now);
        }
        AccessService.ConsoleAccess ca = access.decide(s.user, s.console, now);
        List<String> approvers = io.spicegate.rules.Rule.approversOf(s.user.id, s.console.id, s.endsAt).stream()
                .map(u -> u.username).toList();
        if (ca.decision().verdict() != Verdict.ALLOWED) {
            return new Extension(view, ca.zone(), s.endsAt, refusal(s.consoleName, ca.decision(), ca.zone()), 0,
                    approvers, now);
        }
        SessionLimit limit = SessionLimit.of(ca.decision(), s.startsAt, config.console().defaultMaxMinutes());
        return new Extension(view, ca.zone(), limit.at(), limit.sentence(s.consoleName, ca.zone(), now),
                limit.minutesLeftAfter(s.endsAt), approvers, now);
    }

    /** An administrator ends someone's session; the agent cuts the connection. The row is locked, as in {@link #end}. */
    @Transactional
    public AdminSession revoke(String admin, UUID sessionId, String reason, String source) {
        Instant now = clock.instant();
        ConsoleSession s = ConsoleSession.findById(sessionId, LockModeType.PESSIMISTIC_WRITE);
        if (s == null) {
            throw Problem.notFound("There is no session " + sessionId + ".");
        }
        if (s.state.isTerminal()) {
            throw Problem.conflict("This session has already ended (" + s.state.name().toLowerCase() + ").");
        }
        if (reason == null || reason.isBlank()) {
            throw Problem.badRequest("Say why the session is ended: {\"reason\": \"...\"} (the user and the log see it).");
        }
        String why = io.spicegate.shared.Validate.text(reason, "reason", 500);
        s.finish(SessionState.REVOKED, now, admin, why);
        grants.bump(s.workstation == null ? null : s.workstation.id);
        audit.append(AuditLog.event("SESSION_REVOKED").actor(admin).user(s.username).console(s.consoleName)
                .workstation(s.workstationName).session(s.id).source(source).detail(why), now);
        return AdminSession.of(s);
    }

    /** Ends every live session of a user (deactivation, removal). */
    @Transactional
    public int revokeAllOf(long userId, String admin, String reason) {
        return revokeLive("user.id", userId, admin, reason);
    }

    /** Ends every live session on a workstation (disabled or removed: DESIGN.md rule 2). */
    @Transactional
    public int revokeAllAt(long workstationId, String admin, String reason) {
        return revokeLive("workstation.id", workstationId, admin, reason);
    }

    /**
     * Revokes the live sessions whose {@code field} is {@code id}. Their rows are locked first, in id order, so a
     * parallel End session or agent ack waits (sessions, then the workstation's row: GrantService.ack's order).
     */
    private int revokeLive(String field, long id, String admin, String reason) {
        List<ConsoleSession> live = ConsoleSession.<ConsoleSession>find(field + " = ?1 and state = ?2 order by id", id,
                SessionState.ACTIVE).withLock(LockModeType.PESSIMISTIC_WRITE).list();
        for (ConsoleSession s : live) {
            revoke(admin, s.id, reason, null);
        }
        return live.size();
    }

    /** Live sessions for administrators, soonest end first. */
    @Transactional
    public List<AdminSession> live() {
        return ConsoleSession.liveAt(clock.instant()).stream().map(AdminSession::of).toList();
    }

    /** The user's sessions, live first, newest first. */
    @Transactional
    public List<SessionView> mine(long userId, boolean liveOnly) {
        Instant now = clock.instant();
        List<ConsoleSession> list = liveOnly
                ? ConsoleSession.list("user.id = ?1 and state = ?2 and endsAt > ?3 order by startsAt desc", userId,
                SessionState.ACTIVE, now)
                : ConsoleSession.find("user.id = ?1 order by startsAt desc", userId).page(0, 100).list();
        return list.stream().map(s -> view(s, now)).toList();
    }

    @Transactional
    public SessionView get(long userId, UUID sessionId) {
        return view(own(userId, sessionId, LockModeType.NONE), clock.instant());
    }

    /** Marks every session past its end as EXPIRED, once, whichever replica runs it. */
    @Scheduled(every = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, delayed = "5s")
    @Transactional
    void expireSweep() {
        Instant now = clock.instant();
        expireDue(null, now);
        tickets.forgetStale(now);
    }

    /** Expires due sessions (of one console, or all); the UPDATE ... WHERE state = 'ACTIVE' makes it happen once. */
    int expireDue(Long consoleId, Instant now) {
        String sql = """
                update console_session set state = 'EXPIRED', ended_at = ends_at, ended_by = 'system',
                       end_reason = 'time is up', ticket_password = null
                where state = 'ACTIVE' and ends_at <= ?1""" + (consoleId == null ? "" : " and console_id = ?2")
                + " returning id, username, console_name, workstation_name, ends_at";
        var query = em.createNativeQuery(sql).setParameter(1, now);
        if (consoleId != null) {
            query.setParameter(2, consoleId);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = query.getResultList();
        for (Object[] r : rows) {
            ConsoleSession expired = ConsoleSession.findById(r[0]);
            if (expired != null) {
                em.refresh(expired);
                grants.bump(expired.workstation == null ? null : expired.workstation.id);
            }
            audit.append(AuditLog.event("SESSION_EXPIRED").actor("system").user((String) r[1]).console((String) r[2])
                    .workstation((String) r[3]).session((UUID) r[0]).detail("ended at " + r[4]), now);
        }
        if (!rows.isEmpty()) {
            Log.debugf("expired %d console sessions", rows.size());
        }
        return rows.size();
    }

    private void expire(ConsoleSession s, Instant now) {
        expireDue(s.console == null ? null : s.console.id, now);
    }

    /** The user's own session; another user's id answers 404, as if it did not exist. */
    private ConsoleSession own(long userId, UUID sessionId, LockModeType lock) {
        ConsoleSession s = ConsoleSession.findById(sessionId, lock);
        if (s == null || s.user == null || s.user.id != userId) {
            throw Problem.notFound("You have no session " + sessionId + ": check My sessions.");
        }
        return s;
    }

    private void refuse(User user, String console, String workstation, String source, Instant now, String why) {
        audit.append(AuditLog.event("ACCESS_REFUSED").actor(user.username).user(user.username)
                .console(console).workstation(workstation).source(source).detail(why), now);
    }

    static String refusal(String console, Decision d, ZoneId zone) {
        String next = d.nextWindowStart() != null
                ? " Your next window starts " + TimeText.dayTime(d.nextWindowStart(), zone) + "." : "";
        if (d.verdict() == Verdict.NEEDS_APPROVAL) {
            return "You may use " + console + " at this time only with approval: ask for off-hours access." + next;
        }
        return "You may not use " + console + " now." + next;
    }
}
