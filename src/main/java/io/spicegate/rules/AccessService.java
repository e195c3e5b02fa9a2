package io.spicegate.rules;

import io.spicegate.access.AccessPolicy;
import io.spicegate.access.AccessRule;
import io.spicegate.access.ApprovedWindow;
import io.spicegate.access.Decision;
import io.spicegate.access.Requester;
import io.spicegate.consoles.Console;
import io.spicegate.users.DirectoryAccounts;
import io.spicegate.users.User;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a user's rules and asks the pure core ({@link AccessPolicy}) for decisions. Group rules follow the
 * directory: an LDAP user's memberships are re-read first when older than the group cache time.
 */
@ApplicationScoped
public class AccessService {

    @Inject
    EntityManager em;

    @Inject
    Clock clock;

    @Inject
    DirectoryAccounts directory;

    /** One console the user has any rule for, with the decision at one instant. */
    public record ConsoleAccess(Console console, Decision decision, ZoneId zone) { }

    /**
     * Every rule naming the user or one of his groups, grouped by console, consoles by name. One query fetches the
     * rules with their windows and approvers, read-only (nothing to dirty-check at commit): loaded one batch at a
     * time, a user with 20 000 rules cost thousands of round trips (MyConsolesBench).
     */
    public Map<Console, List<Rule>> rulesOf(User user) {
        directory.refreshBeforeDecision(user, clock.instant());
        List<Rule> rules = Rule.<Rule>find("""
                select distinct r from Rule r join fetch r.console c join fetch c.host
                left join fetch r.windows left join fetch r.approvers
                where r.subjectUser.id = ?1
                   or r.subjectGroup.id in (select g.id from Group g join g.members m where m.id = ?1)""", user.id)
                .withHint("org.hibernate.readOnly", true).list();
        Map<Console, List<Rule>> byConsole = new LinkedHashMap<>();
        rules.stream().sorted(Comparator.comparing((Rule r) -> r.console.name).thenComparing(r -> r.id))
                .forEach(r -> byConsole.computeIfAbsent(r.console, c -> new ArrayList<>()).add(r));
        return byConsole;
    }

    /** The decision for every console the user has a rule for, at {@code now} (one pass over his rules). */
    public List<ConsoleAccess> consolesOf(User user, Instant now) {
        Map<Console, List<Rule>> byConsole = rulesOf(user);
        List<AccessRule> all = new ArrayList<>();
        byConsole.values().forEach(rs -> rs.forEach(r -> all.add(r.toAccessRule())));
        Map<String, Decision> decisions = AccessPolicy.decideAll(requester(user), all, approvedWindows(user, null, now), now);
        List<ConsoleAccess> out = new ArrayList<>(byConsole.size());
        for (Map.Entry<Console, List<Rule>> e : byConsole.entrySet()) {
            Decision d = decisions.get(e.getKey().name);
            out.add(new ConsoleAccess(e.getKey(), d, zoneOf(e.getValue(), d)));
        }
        return out;
    }

    /** The decision for one console; DENIED with no window when the user has no rule for it. */
    public ConsoleAccess decide(User user, Console console, Instant now) {
        directory.refreshBeforeDecision(user, now);
        List<Rule> rules = Rule.list("""
                select r from Rule r where r.console.id = ?1 and (r.subjectUser.id = ?2
                   or r.subjectGroup.id in (select g.id from Group g join g.members m where m.id = ?2))""",
                console.id, user.id);
        Decision d = AccessPolicy.decide(requester(user), console.name,
                rules.stream().map(Rule::toAccessRule).toList(), approvedWindows(user, console, now), now);
        return new ConsoleAccess(console, d, zoneOf(rules, d));
    }

    public boolean hasAnyRule(User user, Console console) {
        directory.refreshBeforeDecision(user, clock.instant());
        return Rule.count("""
                console.id = ?1 and (subjectUser.id = ?2
                   or subjectGroup.id in (select g.id from Group g join g.members m where m.id = ?2))""",
                console.id, user.id) > 0;
    }

    /**
     * The user's approved off-hours requests as one-off windows (of one console, or all when null). Only
     * those still running at {@code now} or later matter to a decision at {@code now}.
     */
    List<ApprovedWindow> approvedWindows(User user, Console console, Instant now) {
        var query = em.createNativeQuery("""
                        select r.id, c.name, r.approved_start, r.approved_end from access_request r
                        join console c on c.id = r.console_id
                        where r.user_id = ?1 and r.state = 'APPROVED' and r.approved_end > ?2"""
                        + (console == null ? "" : " and r.console_id = ?3") + " order by r.id")
                .setParameter(1, user.id).setParameter(2, now);
        if (console != null) {
            query.setParameter(3, console.id);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = query.getResultList();
        List<ApprovedWindow> windows = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            windows.add(new ApprovedWindow(((Number) r[0]).longValue(), (String) r[1], instant(r[2]), instant(r[3])));
        }
        return windows;
    }

    private static Instant instant(Object value) {
        return value instanceof java.sql.Timestamp t ? t.toInstant()
                : value instanceof java.time.OffsetDateTime o ? o.toInstant() : (Instant) value;
    }

    private static Requester requester(User user) {
        return new Requester(user.username, user.groupNames());
    }

    /** The zone times are shown in: that of the first ALLOW rule (rules of one console normally share one). */
    private static ZoneId zoneOf(List<Rule> rules, Decision d) {
        return rules.stream().filter(r -> r.effect == io.spicegate.access.Effect.ALLOW).findFirst()
                .or(() -> rules.stream().findFirst())
                .map(r -> ZoneId.of(r.zone)).orElse(ZoneId.of("UTC"));
    }
}
