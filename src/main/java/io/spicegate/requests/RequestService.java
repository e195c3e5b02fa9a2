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
import io.spicegate.rules.RuleWindow;
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
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Off-hours requests and their review. Every call takes the acting user and checks what he may do:
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

    /**
     * The rule that lets a user decide request {@code r}: an ALLOW rule for its console that covers its
     * requester (directly or through a group) at its wanted start and names the deciding user ?1 as an
     * approver (directly or through the approver group). The one definition of "who decides".
     */
    private static final String NAMES_ME_APPROVER = """
            exists (
                select 1 from access_rule ar
                where ar.console_id = r.console_id and ar.effect = 'ALLOW'
                  and (ar.valid_from is null or ar.valid_from <= r.wanted_start)
                  and (ar.valid_until is null or ar.valid_until > r.wanted_start)
                  and (ar.subject_user_id = r.user_id
                       or ar.subject_group_id in (select gm.group_id from group_member gm where gm.user_id = r.user_id))
                  and (exists (select 1 from rule_approver ra where ra.rule_id = ar.id and ra.user_id = ?1)
                       or ar.approver_group_id in (select gm.group_id from group_member gm where gm.user_id = ?1)))""";

    /** The pending requests user ?1 may decide at ?2: not his own, not expired, of an active requester. */
    private static final String INBOX = """
            select r.id from access_request r join app_user requester on requester.id = r.user_id
            where r.state = 'PENDING' and r.expires_at > ?2 and r.user_id <> ?1 and requester.active
              and\s""" + NAMES_ME_APPROVER;

    @Inject
    Clock clock;

    @Inject
    AccessService access;

    @Inject
    AuditLog audit;

    @Inject
    RequestMail mail;

    @Inject
    SpicegateConfig config;

    @Inject
    EntityManager em;

    /** Body of a new request: {@code start} null means now. */
    public record NewRequest(String console, Instant start, Integer minutes, String reason) { }

    /** What the request form needs to know about one console. */
    public record FormInfo(String console, String description, ZoneId zone, int maxMinutes, String normalWindows,
                           RequestView pending, Instant now) { }

    /** The counts and flags of the navigation bar. */
    public record Nav(long toDecide, long unseen, boolean approver, Set<String> pendingConsoles) {
        public static final Nav NONE = new Nav(0, 0, false, Set.of());
    }

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
        Console console = ownConsole(user, in.console());
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
        List<User> approvers = approversOf(approverRules, user);
        if (approvers.isEmpty()) {
            throw Problem.conflict("Nobody but you can approve " + console.name + " for you: ask your administrator "
                    + "to name another approver.");
        }
        AccessRequest pending = pendingOf(user.id, console.id);
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
        String wanted = RequestText.span(r.wantedStart, r.wantedStart.plus(Duration.ofMinutes(r.minutes)), r.zoneId());
        audit.append(AuditLog.event("REQUEST_CREATED").actor(user.username).user(user.username).console(console.name)
                .source(source).detail("request #" + r.id + ": " + r.wantedStart + " for " + r.minutes + " min; reason: "
                        + r.reason), now);
        for (User approver : approvers) {
            mail.queue(r.id, approver.email, "Spicegate: " + user.username + " asks for " + console.name,
                    user.displayNameOrUsername() + " (" + user.username + ") asks for " + console.name + ":\n\n"
                            + "  When:   " + wanted + ", " + r.minutes + " minutes\n"
                            + "  Reason: " + r.reason.replace("\n", "\n          ") + "\n\n"
                            + "Approve or deny it under Approvals" + link("/approvals") + " before "
                            + TimeText.dayTime(r.expiresAt, r.zoneId()) + "; after that it expires.");
        }
        return RequestView.of(r);
    }

    /** The user's requests, newest first. */
    @Transactional
    public List<RequestView> mine(long userId) {
        activeUser(userId);
        return AccessRequest.<AccessRequest>find("user.id = ?1 order by id desc", userId).page(0, 200).list()
                .stream().map(RequestView::of).toList();
    }

    /** One request, for its requester or someone who may decide it; anyone else is told it does not exist. */
    @Transactional
    public RequestView get(long userId, long id) {
        AccessRequest r = AccessRequest.findById(id);
        if (r == null || !(r.isOf(userId) || approves(userId, id))) {
            throw Problem.notFound("You have no request #" + id + ": see My requests.");
        }
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

    /** What the request form shows for one console; 404 for a console the user has no rule for. */
    @Transactional
    public FormInfo form(long userId, String consoleName) {
        Instant now = now();
        User user = activeUser(userId);
        Console console = ownConsole(user, consoleName);
        List<Rule> approverRules = rulesOf(user, console).stream()
                .filter(r -> r.effect == Effect.ALLOW && r.hasApprovers()
                        && (r.validUntil == null || r.validUntil.isAfter(now)))
                .toList();
        if (approverRules.isEmpty()) {
            throw Problem.badRequest(console.name + " cannot be requested: no rule with an approver covers you. "
                    + "Ask your administrator.");
        }
        int max = RequestPolicy.maxMinutes(approverRules.stream().map(r -> r.maxMinutes).toList(),
                config.requests().maxMinutes());
        ZoneId zone = ZoneId.of(approverRules.get(0).zone);
        AccessRequest pending = pendingOf(user.id, console.id);
        return new FormInfo(console.name, console.description, zone, max, normalWindows(user, console, zone),
                pending == null ? null : RequestView.of(pending), now);
    }

    /** Marks the user's decided requests as seen (the "My requests (n)" count goes back to none); returns their ids. */
    @Transactional
    public Set<Long> markSeen(long userId) {
        Instant now = now();
        List<AccessRequest> news = AccessRequest.list("user.id = ?1 and seenAt is null and state in ?2", userId,
                List.of(RequestState.APPROVED, RequestState.DENIED, RequestState.EXPIRED));
        Set<Long> ids = new TreeSet<>();
        for (AccessRequest r : news) {
            r.seenAt = now;
            ids.add(r.id);
        }
        return ids;
    }

    // ------------------------------------------------------------------------------------------ deciding

    /** The pending requests the user may decide, oldest first. */
    @Transactional
    public List<InboxItem> inbox(long userId) {
        Instant now = now();
        activeUser(userId);
        List<Long> ids = decidable(userId, now);
        if (ids.isEmpty()) {
            return List.of();
        }
        List<AccessRequest> rows = AccessRequest.list("id in ?1 order by createdAt, id", ids);
        List<InboxItem> items = new ArrayList<>(rows.size());
        for (AccessRequest r : rows) {
            items.add(new InboxItem(r.id, r.username, r.user.displayNameOrUsername(), r.consoleName, r.wantedStart,
                    r.minutes, r.reason, r.zone, r.createdAt, r.expiresAt, normalWindows(r.user, r.console, r.zoneId())));
        }
        return items;
    }

    /** What the user decided lately, newest first. */
    @Transactional
    public List<RequestView> decidedBy(long userId, int limit) {
        User user = activeUser(userId);
        return AccessRequest.<AccessRequest>find("decidedBy = ?1 and state in ?2 order by decidedAt desc, id desc",
                        user.username, List.of(RequestState.APPROVED, RequestState.DENIED))
                .page(0, limit).list().stream().map(RequestView::of).toList();
    }

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
        if (!approves(userId, r.id)) {
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
        String noteText = note.text() == null ? "" : "\n\nNote from " + approver.username + ": "
                + note.text().replace("\n", "\n  ");
        mail.queue(r.id, r.user == null ? null : r.user.email,
                "Spicegate: your request for " + r.consoleName + " was " + verb,
                window != null
                        ? approver.displayNameOrUsername() + " approved your request #" + r.id + " for " + r.consoleName
                        + ".\n\nYou may open it " + RequestText.span(window.start(), window.end(), r.zoneId())
                        + " under My consoles" + link("/consoles") + "." + noteText
                        : approver.displayNameOrUsername() + " denied your request #" + r.id + " for " + r.consoleName
                        + " (" + RequestText.span(r.wantedStart, r.wantedStart.plus(Duration.ofMinutes(r.minutes)), r.zoneId())
                        + ")." + noteText);
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

    // ------------------------------------------------------------------------------------------ navigation

    /** The navigation bar's counts: requests to decide, decided requests not yet seen, and pending consoles. */
    @Transactional
    public Nav nav(long userId) {
        Instant now = now();
        long toDecide = decidable(userId, now).size();
        long unseen = AccessRequest.count("user.id = ?1 and seenAt is null and state in ?2", userId,
                List.of(RequestState.APPROVED, RequestState.DENIED, RequestState.EXPIRED));
        boolean approver = toDecide > 0 || ((Number) em.createNativeQuery("""
                        select count(*) from access_rule ar
                        where exists (select 1 from rule_approver ra where ra.rule_id = ar.id and ra.user_id = ?1)
                           or ar.approver_group_id in (select gm.group_id from group_member gm where gm.user_id = ?1)""")
                .setParameter(1, userId).getSingleResult()).longValue() > 0;
        Set<String> pending = new TreeSet<>(em.createQuery(
                        "select r.consoleName from AccessRequest r where r.user.id = ?1 and r.state = ?2", String.class)
                .setParameter(1, userId).setParameter(2, RequestState.PENDING).getResultList());
        return new Nav(toDecide, unseen, approver, pending);
    }

    // ------------------------------------------------------------------------------------------ helpers

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS); // what PostgreSQL keeps
    }

    private static User activeUser(long userId) {
        User user = User.findById(userId);
        if (user == null || !user.active) {
            throw Problem.notLoggedIn();
        }
        return user;
    }

    /** A console the user has any rule for; any other name answers 404, as if it did not exist. */
    private Console ownConsole(User user, String name) {
        if (name == null || name.isBlank()) {
            throw Problem.badRequest("Say which console you ask for: \"console\": \"leaptest\".");
        }
        Console console = Console.findByName(name.strip()).orElse(null);
        if (console == null || !access.hasAnyRule(user, console)) {
            throw Problem.notFound("You have no console named '" + TimeText.clip(name) + "': check My consoles.");
        }
        return console;
    }

    private static List<Rule> rulesOf(User user, Console console) {
        return Rule.list("""
                console.id = ?1 and (subjectUser.id = ?2
                   or subjectGroup.id in (select g.id from Group g join g.members m where m.id = ?2)) order by id""",
                console.id, user.id);
    }

    /** The ALLOW rules with approvers that cover the user for this console at {@code t}. */
    private static List<Rule> approverRules(User user, Console console, Instant t) {
        return rulesOf(user, console).stream()
                .filter(r -> r.effect == Effect.ALLOW && r.hasApprovers() && r.toAccessRule().validAt(t))
                .toList();
    }

    /** The active people who may decide, by those rules: named approvers and approver-group members, never the requester. */
    private static List<User> approversOf(List<Rule> rules, User requester) {
        Map<Long, User> out = new LinkedHashMap<>();
        for (Rule r : rules) {
            r.approvers.forEach(u -> out.putIfAbsent(u.id, u));
            if (r.approverGroup != null) {
                r.approverGroup.members.forEach(u -> out.putIfAbsent(u.id, u));
            }
        }
        out.remove(requester.id);
        return out.values().stream().filter(u -> u.active).sorted(Comparator.comparing(u -> u.username)).toList();
    }

    /** The requester's ALLOW windows for the console, as the approver reads them. */
    private static String normalWindows(User user, Console console, ZoneId zone) {
        if (user == null || console == null) {
            return "unknown (the user or console was deleted)";
        }
        List<String> windows = new ArrayList<>();
        for (Rule r : rulesOf(user, console)) {
            if (r.effect != Effect.ALLOW) {
                continue;
            }
            for (RuleWindow w : r.windows) {
                String text = RequestText.window(w.dayset(), w.from, w.to);
                windows.add(r.zone.equals(zone.getId()) ? text : text + " (" + r.zone + ")");
            }
        }
        return RequestText.windows(windows, zone);
    }

    private List<Long> decidable(long userId, Instant now) {
        @SuppressWarnings("unchecked")
        List<Number> ids = em.createNativeQuery(INBOX).setParameter(1, userId).setParameter(2, now).getResultList();
        return ids.stream().map(Number::longValue).toList();
    }

    /** Whether a rule names the user an approver of this request (whatever its state): see {@link #NAMES_ME_APPROVER}. */
    private boolean approves(long userId, long requestId) {
        Number n = (Number) em.createNativeQuery("select count(*) from access_request r where r.id = ?2 and "
                + NAMES_ME_APPROVER).setParameter(1, userId).setParameter(2, requestId).getSingleResult();
        return n.longValue() > 0;
    }

    private static AccessRequest pendingOf(long userId, long consoleId) {
        return AccessRequest.<AccessRequest>find("user.id = ?1 and console.id = ?2 and state = ?3", userId, consoleId,
                RequestState.PENDING).firstResult();
    }

    private static Problem alreadyPending(AccessRequest pending) {
        return Problem.conflict("You already have a pending request for " + pending.consoleName + " (#" + pending.id
                + "): wait for the decision, or cancel it and ask again.");
    }

    private String link(String path) {
        return config.mail().portalUrl().filter(u -> !u.isBlank())
                .map(u -> " (" + u.strip().replaceAll("/+$", "") + path + ")").orElse("");
    }
}
