package io.spicegate.requests;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.spicegate.access.Decision;
import io.spicegate.access.Effect;
import io.spicegate.access.Interval;
import io.spicegate.access.Verdict;
import io.spicegate.audit.AuditLog;
import io.spicegate.consoles.Console;
import io.spicegate.rules.AccessService;
import io.spicegate.rules.Rule;
import io.spicegate.shared.Problem;
import io.spicegate.shared.SpicegateConfig;
import io.spicegate.shared.TimeText;
import io.spicegate.users.User;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import org.hibernate.exception.ConstraintViolationException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static io.spicegate.requests.Requests.activeUser;

/**
 * The life of an off-hours request: asking, withdrawing, deciding and expiring (what pages read of requests is
 * {@link RequestInbox}; the letters are {@link RequestMail}'s). Every call takes the acting user and checks what he may do:
 * a user asks only for consoles that are NEEDS_APPROVAL for him at the wanted start; the approvers of
 * the rules that make it so decide, never the requester himself. Each state change is one guarded
 * {@code UPDATE ... WHERE state = 'PENDING'}, so of two approvers clicking at once exactly one wins.
 */
@ApplicationScoped
public class RequestService {

    /** A wanted start this little in the past still means "now" (a form submitted a moment later). */
    static final Duration GRACE = Duration.ofMinutes(1);
    /** How far ahead one may ask; within the access decision's horizon. */
    static final Duration MAX_AHEAD = Duration.ofDays(30);
    static final int MAX_TEXT = 500;

    @Inject Clock clock;
    @Inject AccessService access;
    @Inject AuditLog audit;
    @Inject RequestMail mail;
    @Inject SpicegateConfig config;
    @Inject EntityManager em;

    /** Body of a new request: {@code start} null means now. */
    public record NewRequest(String console, Instant start, Integer minutes, String reason) { }

    // ------------------------------------------------------------------------------------------ asking

    /** Asks for {@code minutes} on a console from {@code start} (null: now). Checks everything before storing anything. */
    @Transactional
    public RequestView create(long userId, NewRequest in, String source) {
        Instant now = now();
        User user = activeUser(userId);
        if (in == null) {
            throw Problem.badRequest("Send a JSON body: {\"console\": \"leaptest\", \"start\": \"2026-11-23T18:00:00Z\" "
                    + "(optional, default now), \"minutes\": 60, \"reason\": \"why you need it\"}.");
        }
        Console console = Requests.ownConsole(access, user, in.console());
        Instant start = in.start() == null ? now : in.start().truncatedTo(ChronoUnit.MICROS);
        if (start.isBefore(now.minus(GRACE))) {
            throw Problem.badRequest("The start you asked for (" + start + ") has passed: ask for now or a later time.");
        }
        if (start.isBefore(now)) {
            start = now;
        }
        if (start.isAfter(now.plus(MAX_AHEAD))) {
            throw Problem.badRequest("Ask at most " + MAX_AHEAD.toDays() + " days ahead: choose an earlier start.");
        }
        RequestText.Checked reason = RequestText.check(in.reason(), "reason", MAX_TEXT);
        if (reason.problem() != null) {
            throw Problem.badRequest(reason.problem());
        }
        if (reason.text() == null) {
            throw Problem.badRequest("Say why you need " + console.name + " then: a \"reason\" of at most "
                    + MAX_TEXT + " characters, which the approver reads.");
        }
        if (in.minutes() == null) {
            throw Problem.badRequest("Say for how long: \"minutes\", e.g. 60.");
        }
        List<Rule> approverRules = approverRules(user, console, start);
        AccessService.ConsoleAccess then = access.decide(user, console, start);
        Decision d = then.decision();
        String when = start.equals(now) ? "now" : "at " + TimeText.dayTime(start, then.zone());
        if (d.verdict() == Verdict.ALLOWED) {
            throw Problem.conflict("You may use " + console.name + " " + when + " already: "
                    + (start.equals(now) ? "just open it." : "no request is needed."));
        }
        if (d.verdict() == Verdict.DENIED || approverRules.isEmpty()) {
            throw approverRules.isEmpty()
                    ? Problem.badRequest(console.name + " cannot be requested " + when
                    + ": no rule with an approver covers you. Ask your administrator.")
                    : Problem.conflict("A DENY rule closes " + console.name + " " + when + ": no approval can open it then.");
        }
        int max = RequestPolicy.maxMinutes(approverRules.stream().map(r -> r.maxMinutes).toList(),
                config.requests().maxMinutes());
        if (in.minutes() < 1 || in.minutes() > max) {
            throw Problem.badRequest("Ask for 1 to " + max + " minutes of " + console.name + " (the rule's maximum).");
        }
        List<User> approvers = Rule.approversOf(user.id, console.id, start);
        if (approvers.isEmpty()) {
            throw Problem.conflict("Nobody but you can approve " + console.name + " for you: ask your administrator "
                    + "to name another approver.");
        }
        AccessRequest pending = Requests.pendingOf(user.id, console.id);
        if (pending != null) {
            throw alreadyPending(pending);
        }
        AccessRequest r = new AccessRequest();
        r.user = user;
        r.console = console;
        r.username = user.username;
        r.consoleName = console.name;
        r.zone = approverRules.get(0).zone;
        r.wantedStart = start;
        r.minutes = in.minutes();
        r.reason = reason.text();
        r.state = RequestState.PENDING;
        r.createdAt = now;
        r.expiresAt = RequestPolicy.expiresAt(now, config.requests().pendingHours());
        try {
            r.persist();
            em.flush();
        } catch (PersistenceException e) {
            // the partial unique index: another request for this console was stored a moment ago
            if (e instanceof ConstraintViolationException cve && cve.getConstraintName() != null
                    && cve.getConstraintName().contains("access_request_one_pending")) {
                throw Problem.conflict("You already have a pending request for " + console.name
                        + ": wait for the decision, or cancel it and ask again.");
            }
            throw e;
        }
        audit.append(AuditLog.event("REQUEST_CREATED").actor(user.username).user(user.username).console(console.name)
                .source(source).detail("request #" + r.id + ": " + r.wantedStart + " for " + r.minutes + " min; reason: "
                        + r.reason), now);
        mail.askApprovers(r, user, approvers);
        return RequestView.of(r);
    }

    /** Withdraws the user's own pending request. */
    @Transactional
    public RequestView cancel(long userId, long id, String source) {
        Instant now = now();
        User user = activeUser(userId);
        AccessRequest r = AccessRequest.findById(id);
        if (r == null || !r.isOf(userId)) {
            throw Problem.notFound("You have no request #" + id + ": see My requests.");
        }
        close(r, RequestState.CANCELLED, user.username, now, null, null);
        audit.append(AuditLog.event("REQUEST_CANCELLED").actor(user.username).user(r.username).console(r.consoleName)
                .source(source).detail("request #" + r.id + " withdrawn while pending"), now);
        return RequestView.of(r);
    }
    // ------------------------------------------------------------------------------------------ deciding


    /** Approves a pending request: a window of its minutes from the wanted start, or from now when that is later. */
    @Transactional
    public RequestView approve(long userId, long id, String note, String source) {
        return decide(userId, id, RequestState.APPROVED, note, source);
    }

    /** Denies a pending request; the note, which the requester reads, is required. */
    @Transactional
    public RequestView deny(long userId, long id, String note, String source) {
        return decide(userId, id, RequestState.DENIED, note, source);
    }

    private RequestView decide(long userId, long id, RequestState outcome, String rawNote, String source) {
        Instant now = now();
        User approver = activeUser(userId);
        AccessRequest r = AccessRequest.findById(id);
        if (r == null) {
            throw Problem.notFound("There is no request #" + id + ": see Approvals.");
        }
        if (r.isOf(userId)) {
            throw Problem.forbidden("Nobody decides their own request, not even an administrator: another approver "
                    + "must decide request #" + id + ".");
        }
        if (!Requests.approves(userId, r.id)) {
            // a request you may not decide is one you cannot see: the same answer as an unknown number
            throw Problem.notFound("There is no request #" + id + ": see Approvals.");
        }
        if (outcome == RequestState.APPROVED && (r.user == null || !r.user.active)) {
            throw Problem.conflict(r.username + "'s account is deactivated, so request #" + id + " cannot be approved "
                    + "(it would open " + r.consoleName + " at reactivation): deny it, or ask an administrator to "
                    + "reactivate the account first.");
        }
        RequestText.Checked note = RequestText.check(rawNote, "note", MAX_TEXT);
        if (note.problem() != null) {
            throw Problem.badRequest(note.problem());
        }
        if (outcome == RequestState.DENIED && note.text() == null) {
            throw Problem.badRequest("Say why you deny it: the note tells " + r.username + " (at most " + MAX_TEXT
                    + " characters).");
        }
        if (r.state == RequestState.PENDING && RequestPolicy.expiredAt(r.expiresAt, now)) {
            throw expired(r);
        }
        Interval window = outcome == RequestState.APPROVED ? RequestPolicy.approvedWindow(r.wantedStart, r.minutes, now) : null;
        close(r, outcome, approver.username, now, note.text(), window);
        String verb = outcome == RequestState.APPROVED ? "approved" : "denied";
        audit.append(AuditLog.event(outcome == RequestState.APPROVED ? "REQUEST_APPROVED" : "REQUEST_DENIED")
                .actor(approver.username).user(r.username).console(r.consoleName).source(source)
                .detail("request #" + r.id + " " + verb + (window == null ? "" : " for " + window.start() + " to "
                        + window.end()) + (note.text() == null ? "" : "; note: " + note.text())), now);
        mail.tellDecision(r, approver, window, note.text());
        return RequestView.of(r);
    }


    /**
     * Moves a pending request into a terminal state with one guarded UPDATE: of several concurrent
     * attempts (two approvers, an approver and the requester, the expiry sweep) exactly one finds it
     * PENDING; the others wait for its commit, find nothing to update and get a 409.
     */
    private void close(AccessRequest r, RequestState outcome, String by, Instant now, String note, Interval window) {
        try {
            r.state.transitionTo(outcome);
        } catch (IllegalStateException e) {
            throw closedAlready(r);
        }
        int updated = em.createQuery("""
                        update AccessRequest r set r.state = ?1, r.decidedBy = ?2, r.decidedAt = ?3, r.note = ?4,
                               r.approvedStart = ?5, r.approvedEnd = ?6
                        where r.id = ?7 and r.state = ?8 and r.expiresAt > ?3""")
                .setParameter(1, outcome).setParameter(2, by).setParameter(3, now).setParameter(4, note)
                .setParameter(5, window == null ? null : window.start())
                .setParameter(6, window == null ? null : window.end())
                .setParameter(7, r.id).setParameter(8, RequestState.PENDING)
                .executeUpdate();
        em.refresh(r);
        if (updated != 1) {
            if (r.state == RequestState.PENDING) {
                throw expired(r);
            }
            throw closedAlready(r);
        }
    }

    /** The same sentence whether the expiry sweep has already marked the request or not. */
    private static Problem expired(AccessRequest r) {
        return Problem.conflict("Request #" + r.id + " expired undecided at " + TimeText.dayTime(r.expiresAt, r.zoneId())
                + ": " + r.username + " may ask again.");
    }

    private static Problem closedAlready(AccessRequest r) {
        if (r.state == RequestState.EXPIRED) {
            return expired(r);
        }
        String how = switch (r.state) {
            case APPROVED -> "was already approved by " + r.decidedBy;
            case DENIED -> "was already denied by " + r.decidedBy;
            case CANCELLED -> "was withdrawn by " + r.username;
            case EXPIRED -> "expired undecided";
            case PENDING -> "is still pending";
        };
        return Problem.conflict("Request #" + r.id + " " + how + (r.decidedAt == null ? "" : " at "
                + TimeText.dayTime(r.decidedAt, r.zoneId())) + ": it cannot change any more.");
    }

    // ------------------------------------------------------------------------------------------ expiry

    /** Expires pending requests nobody decided in time, once each, whichever replica runs it. */
    @Scheduled(every = "30s", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @Transactional
    void expireSweep() {
        expireDue(now());
    }

    /**
     * {@code UPDATE ... WHERE state = 'PENDING' ... RETURNING}: a replica running the same sweep at the same
     * time waits for the row locks and then finds the rows no longer pending, so each expiry happens and is
     * audited exactly once.
     */
    @Transactional
    public int expireDue(Instant now) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        update access_request set state = 'EXPIRED', decided_by = 'system', decided_at = expires_at
                        where state = 'PENDING' and expires_at <= ?1
                        returning id, username, console_name, expires_at""")
                .setParameter(1, now).getResultList();
        for (Object[] row : rows) {
            long id = ((Number) row[0]).longValue();
            AccessRequest cached = em.find(AccessRequest.class, id);
            if (cached != null) {
                em.refresh(cached);
            }
            audit.append(AuditLog.event("REQUEST_EXPIRED").actor("system").user((String) row[1]).console((String) row[2])
                    .detail("request #" + id + " undecided for " + config.requests().pendingHours() + " h"), now);
        }
        if (!rows.isEmpty()) {
            Log.debugf("expired %d undecided requests", rows.size());
        }
        return rows.size();
    }

    private Instant now() {
        return Requests.now(clock);
    }

    /** The ALLOW rules with approvers that cover the user for this console at {@code t}. */
    private static List<Rule> approverRules(User user, Console console, Instant t) {
        return Rule.covering(user.id, console.id).stream()
                .filter(r -> r.effect == Effect.ALLOW && r.hasApprovers() && r.toAccessRule().validAt(t))
                .toList();
    }

    private static Problem alreadyPending(AccessRequest pending) {
        return Problem.conflict("You already have a pending request for " + pending.consoleName + " (#" + pending.id
                + "): wait for the decision, or cancel it and ask again.");
    }
}
