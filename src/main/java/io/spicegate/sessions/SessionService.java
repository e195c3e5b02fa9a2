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

    /**
     * Opens (or re-opens) the user's session on a console from the workstation the request came from.
     * end = min(end of the allowed stretch, start + max minutes).
     */
    @Transactional(dontRollbackOn = Problem.class)
    public Opened open(long userId, String consoleName, String source) {
        Instant now = clock.instant();
        // FOR SHARE: a deactivation or delete (FOR UPDATE on the row, then the revocation) waits for this open to
        // commit and so revokes its session too, and an open after it sees the account inactive (or gone)
        User user = User.findById(userId, LockModeType.PESSIMISTIC_READ);
        if (user == null || !user.active) {
            throw Problem.notLoggedIn();
        }
        if (consoleName == null || consoleName.isBlank()) {
            throw Problem.badRequest("Say which console to open: {\"console\": \"<name>\"}.");
        }
        // lock the console row: opens of one console are serialised, so "in use by" cannot race
        Console console = Console.<Console>find("name", consoleName.strip()).withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResultOptional().orElse(null);
        if (console == null || !access.hasAnyRule(user, console)) {
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
        expireDue(console.id, now);
        Optional<ConsoleSession> mine = ConsoleSession.activeOf(user.id, console.id, ws.id);
        if (mine.isPresent()) {
            return new Opened(reopen(mine.get(), user, console, ws, source, now), true);
        }
        Optional<ConsoleSession> other = ConsoleSession.activeOfOthers(console.id, user.id);
        if (other.isPresent()) {
            throw Problem.conflict(console.name + " is in use by " + other.get().username + " until "
                    + TimeText.time(other.get().endsAt, ca.zone(), now) + " (SPICE admits one viewer at a time): try again then.");
        }
        int maxMinutes = d.maxMinutes() != null ? d.maxMinutes() : config.console().defaultMaxMinutes();
        Instant end = now.plus(Duration.ofMinutes(maxMinutes));
        if (d.until() != null && d.until().isBefore(end)) {
            end = d.until();
        }
        ConsoleSession s = ConsoleSession.open(user, console, ws, source, now, end, d.approvedRequestId());
        tickets.issue(s, now);
        s.persist();
        Long version = grants.bump(ws.id);
        s.launchVersion = ws.strict ? version : null;
        audit.append(AuditLog.event("SESSION_OPENED").actor(user.username).user(user.username)
                .console(console.name).workstation(ws.name).session(s.id).source(source)
                .detail("until " + end + (d.approvedRequestId() != null
                        ? ", authorised by request #" + d.approvedRequestId() : ", authorised by window")), now);
        return new Opened(SessionView.of(s, now), false);
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
        return SessionView.of(s, now);
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
        awaitFirewall(s, now);
        awaitTicket(s, now);
        if (s.console == null) {
            throw Problem.gone("The console of this session was removed.");
        }
        Optional<String> body = LaunchFile.of(s);
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
     * Where the workstation has an agent, remote-viewer must not start before the agent has opened the
     * firewall (it never retries a refused connection): 503 with Retry-After meanwhile, a clear error after
     * the ack timeout.
     */
    private void awaitFirewall(ConsoleSession s, Instant now) {
        switch (s.firewallState()) {
            case "pending" -> {
                long waited = Duration.between(s.startsAt, now).toSeconds();
                if (waited < config.agent().ackTimeoutSeconds()) {
                    throw Problem.notReady("The firewall of workstation " + s.workstationName
                            + " is being opened for you: the launch file follows in a moment.", 1);
                }
                throw new Problem(503, "The Spicegate agent on workstation " + s.workstationName + " has not opened the "
                        + "firewall after " + waited + " seconds: check that it runs (systemctl status spicegate-agent) "
                        + "or tell your administrator, then open the console again.");
            }
            case "error" -> throw Problem.conflict("The agent on workstation " + s.workstationName
                    + " could not open the firewall for you (" + s.firewallError + "): tell your administrator.");
            default -> { }
        }
    }

    /**
     * Where the console's host has an agent, the launch file carries a one-time password that the VM accepts
     * only once the agent has set it: 503 with Retry-After meanwhile, a clear error after the ack timeout.
     */
    private void awaitTicket(ConsoleSession s, Instant now) {
        String host = s.console == null ? "?" : s.console.host.name;
        switch (s.ticketState()) {
            case "pending" -> {
                long waited = Duration.between(s.ticketIssuedAt, now).toSeconds();
                if (waited < config.agent().ackTimeoutSeconds()) {
                    throw Problem.notReady("KVM host " + host + " is setting a one-time password for you: the launch "
                            + "file follows in a moment.", 1);
                }
                throw new Problem(503, "The Spicegate agent on KVM host " + host + " has not set the one-time password "
                        + "after " + waited + " seconds: tell your administrator (systemctl status spicegate-agent on "
                        + host + "), then open the console again.");
            }
            case "error" -> throw Problem.conflict("The agent on KVM host " + host + " could not set the one-time "
                    + "password for you (" + s.ticketError + "): tell your administrator.");
            default -> { }
        }
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
        return list.stream().map(s -> SessionView.of(s, now)).toList();
    }

    @Transactional
    public SessionView get(long userId, UUID sessionId) {
        return SessionView.of(own(userId, sessionId, LockModeType.NONE), clock.instant());
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
