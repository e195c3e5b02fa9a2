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
