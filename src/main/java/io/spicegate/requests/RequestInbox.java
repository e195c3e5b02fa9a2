package io.spicegate.requests;

import io.spicegate.access.Effect;
import io.spicegate.consoles.Console;
import io.spicegate.rules.AccessService;
import io.spicegate.rules.Rule;
import io.spicegate.rules.RuleWindow;
import io.spicegate.shared.Problem;
import io.spicegate.shared.SpicegateConfig;
import io.spicegate.users.User;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.spicegate.requests.Requests.activeUser;

/**
 * What the pages and the API read of requests: a user's own requests and the request form, an approver's inbox
 * and past decisions, and the navigation bar's counts. Changes of state go through {@link RequestService}.
 */
@ApplicationScoped
public class RequestInbox {

    @Inject Clock clock;
    @Inject AccessService access;
    @Inject SpicegateConfig config;
    @Inject RequestMail mail;

    /** What the request form needs to know about one console. */
    public record FormInfo(String console, String description, ZoneId zone, int maxMinutes, String normalWindows,
                           RequestView pending, Instant now) { }

    /** The counts and flags of the navigation bar. */
    public record Nav(long toDecide, long unseen, boolean approver, Set<String> pendingConsoles) {
        public static final Nav NONE = new Nav(0, 0, false, Set.of());
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
        if (r == null || !(r.isOf(userId) || Requests.approves(userId, id))) {
            throw Problem.notFound("You have no request #" + id + ": see My requests.");
        }
        return RequestView.of(r);
    }

    /** What the request form shows for one console; 404 for a console the user has no rule for. */
    @Transactional
    public FormInfo form(long userId, String consoleName) {
        Instant now = now();
        User user = activeUser(userId);
        Console console = Requests.ownConsole(access, user, consoleName);
        List<Rule> approverRules = Rule.covering(user.id, console.id).stream()
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
        AccessRequest pending = Requests.pendingOf(user.id, console.id);
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

    /** The navigation bar's counts: requests to decide, decided requests not yet seen, and pending consoles. */
    @Transactional
    public Nav nav(long userId) {
        Instant now = now();
        long toDecide = decidable(userId, now).size();
        long unseen = AccessRequest.count("user.id = ?1 and seenAt is null and state in ?2", userId,
                List.of(RequestState.APPROVED, RequestState.DENIED, RequestState.EXPIRED));
        boolean approver = toDecide > 0 || Rule.approvableBy(userId);
        Set<String> pending = new TreeSet<>(AccessRequest.getEntityManager().createQuery(
                        "select r.consoleName from AccessRequest r where r.user.id = ?1 and r.state = ?2", String.class)
                .setParameter(1, userId).setParameter(2, RequestState.PENDING).getResultList());
        return new Nav(toDecide, unseen, approver, pending);
    }

    /**
     * The caller's live-update pulse, read with one query over the caller's own requests (index access_request_user)
     * and the pending ones he may decide (index access_request_pending_expiry): the nav counts, and a stamp that
     * changes whenever My requests or Approvals would show something else (a request asked, decided, withdrawn or
     * expired; a request to decide arriving or leaving). Having seen a decision does not change the stamp.
     */
    @Transactional
    public Pulse pulse(long userId) {
        Instant now = now();
        Object[] row = AccessRequest.getEntityManager().createQuery("""
                        select
                          sum(case when q.user.id = :me then 1 else 0 end),
                          sum(case when q.user.id = :me and q.state = :pending then 1 else 0 end),
                          max(case when q.user.id = :me then coalesce(q.decidedAt, q.createdAt) end),
                          sum(case when q.user.id = :me and q.seenAt is null and q.state in :decided then 1 else 0 end),
                          sum(case when q.user.id <> :me then 1 else 0 end),
                          sum(case when q.user.id <> :me then q.id else 0 end)
                        from AccessRequest q
                        where q.user.id = :me
                           or (q.state = :pending and q.expiresAt > :now and q.user.id <> :me and q.user.active
                               and\s""" + Rule.approves(":me", "q.user.id", "q.console.id", "q.wantedStart") + ")",
                        Object[].class)
                .setParameter("me", userId).setParameter("pending", RequestState.PENDING).setParameter("now", now)
                .setParameter("decided", List.of(RequestState.APPROVED, RequestState.DENIED, RequestState.EXPIRED))
                .getSingleResult();
        long toDecide = number(row[4]);
        String stamp = Long.toHexString(java.util.Objects.hash(number(row[0]), number(row[1]),
                row[2] == null ? 0 : ((Instant) row[2]).toEpochMilli(), toDecide, number(row[5])) & 0xffffffffL);
        return new Pulse(toDecide, number(row[3]), stamp);
    }

    /** The nav counts and the change stamp of {@link #pulse}. */
    public record Pulse(long toDecide, long unseen, String stamp) { }

    private static long number(Object o) {
        return o == null ? 0 : ((Number) o).longValue();
    }

    /**
     * Where the approvers of the caller's request #id will see it: "boss will see it in Approvals", "boss and maggie
     * will see it in Approvals and by e-mail", "your administrator will see it…" when no approver is known.
     */
    @Transactional
    public String approversSee(long userId, long id) {
        AccessRequest r = AccessRequest.findById(id);
        List<User> approvers = r == null || !r.isOf(userId) || r.console == null ? List.of()
                : Rule.approversOf(userId, r.console.id, r.wantedStart);
        String who = approvers.isEmpty() ? "your administrator"
                : RequestText.names(approvers.stream().map(u -> u.username).toList());
        return who + " will see it in Approvals" + byMail(approvers);
    }

    /** Where the requester of #id (decided by the caller) will see the decision: "charlie will see it in My requests". */
    @Transactional
    public String requesterSees(long userId, long id) {
        AccessRequest r = AccessRequest.findById(id);
        if (r == null || r.isOf(userId) || !Requests.approves(userId, id)) {
            return "the requester will see it in My requests";
        }
        return r.username + " will see it in My requests" + byMail(r.user == null ? List.of() : List.of(r.user));
    }

    /** " and by e-mail" when e-mail is on and one of them has an address. */
    private String byMail(List<User> people) {
        return mail.enabled() && people.stream().anyMatch(u -> u.email != null && !u.email.isBlank())
                ? " and by e-mail" : "";
    }

    private Instant now() {
        return Requests.now(clock);
    }

    /** The requester's ALLOW windows for the console, as the approver reads them. */
    private static String normalWindows(User user, Console console, ZoneId zone) {
        if (user == null || console == null) {
            return "unknown (the user or console was deleted)";
        }
        List<String> windows = new ArrayList<>();
        for (Rule r : Rule.covering(user.id, console.id)) {
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

    /** The pending requests the user may decide at {@code now}: not his own, not expired, of an active requester. */
    private static List<Long> decidable(long userId, Instant now) {
        return AccessRequest.getEntityManager().createQuery("""
                        select q.id from AccessRequest q
                        where q.state = :pending and q.expiresAt > :now and q.user.id <> :me and q.user.active
                          and\s""" + Rule.approves(":me", "q.user.id", "q.console.id", "q.wantedStart"), Long.class)
                .setParameter("pending", RequestState.PENDING).setParameter("now", now).setParameter("me", userId)
                .getResultList();
    }
}
