package io.spicegate.rules;

import io.spicegate.access.AccessPolicy;
import io.spicegate.access.AccessRule;
import io.spicegate.access.Decision;
import io.spicegate.access.Effect;
import io.spicegate.access.Requester;
import io.spicegate.consoles.Console;
import io.spicegate.users.DirectoryAccounts;
import io.spicegate.users.User;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

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

    @Inject ApprovedWindows approved;
    @Inject Clock clock;
    @Inject DirectoryAccounts directory;

    /** One console the user has any rule for, with the decision at one instant. */
    public record ConsoleAccess(Console console, Decision decision, ZoneId zone) { }

    /**
     * Every rule naming the user or one of his groups, grouped by console, consoles by name. One query fetches the
     * rules with their windows and approvers, read-only (nothing to dirty-check at commit): loaded one batch at a
     * time, a user with 20 000 rules cost thousands of round trips (MyConsolesBench).
     */
    public Map<Console, List<Rule>> rulesOf(User user) {
        directory.refreshBeforeDecision(user, clock.instant());
        List<Rule> rules = Rule.coveringUser(user.id);
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
        Map<String, Decision> decisions = AccessPolicy.decideAll(requester(user), all, approved.of(user.id, null, now), now);
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
        List<Rule> rules = Rule.covering(user.id, console.id);
        Decision d = AccessPolicy.decide(requester(user), console.name,
                rules.stream().map(Rule::toAccessRule).toList(), approved.of(user.id, console.id, now), now);
        return new ConsoleAccess(console, d, zoneOf(rules, d));
    }

    public boolean hasAnyRule(User user, Console console) {
        directory.refreshBeforeDecision(user, clock.instant());
        return Rule.coversAny(user.id, console.id);
    }

    private static Requester requester(User user) {
        return new Requester(user.username, user.groupNames());
    }

    /** The zone times are shown in: that of the first ALLOW rule (rules of one console normally share one). */
    private static ZoneId zoneOf(List<Rule> rules, Decision d) {
        return rules.stream().filter(r -> r.effect == Effect.ALLOW).findFirst()
                .or(() -> rules.stream().findFirst())
                .map(r -> ZoneId.of(r.zone)).orElse(ZoneId.of("UTC"));
    }
}
