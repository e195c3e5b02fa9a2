package io.spicegate.rules;

import io.quarkus.panache.common.Parameters;
import io.spicegate.access.AccessPolicy;
import io.spicegate.access.Decision;
import io.spicegate.access.Effect;
import io.spicegate.access.Requester;
import io.spicegate.consoles.Console;
import io.spicegate.users.DirectoryAccounts;
import io.spicegate.users.User;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads a user's rules and asks the pure core ({@link AccessPolicy}) for decisions. Group rules follow the
 * directory: an LDAP user's memberships are re-read first when older than the group cache time.
 */
@ApplicationScoped
public class AccessService {

    @Inject ApprovedWindows approved;
    @Inject Clock clock;
    @Inject DirectoryAccounts directory;
    @Inject RuleSets ruleSets;

    /** One console the user has any rule for, with the decision at one instant. */
    public record ConsoleAccess(Console console, Decision decision, ZoneId zone) {

        public Card card() {
            return new Card(console.id, console.name, console.description, decision, zone);
        }
    }

    /** What a card of My consoles shows of a console: its facts, the decision at one instant, the zone of its times. */
    public record Card(long consoleId, String name, String description, Decision decision, ZoneId zone) { }

    /**
     * The decision for every console the user has a rule for, at {@code now}, by console name; {@code approved}:
     * the user's approved requests still running at {@code now} or later (a per-call fact, never cached). The rules
     * come from {@link RuleSets}, compiled once per rules version; each console's decision reads only its own rules,
     * and is kept until one of them opens, closes or changes validity ({@code SteadyDecisions}).
     */
    public List<Card> consolesOf(User user, List<ApprovedWindows.Slot> approved, Instant now) {
        directory.refreshBeforeDecision(user, now);
        RuleSets.UserRules rules = ruleSets.of(user);
        Map<String, Decision> decisions = rules.decisions().decideAll(
                approved.stream().map(ApprovedWindows.Slot::window).toList(), now);
        List<Card> out = new ArrayList<>(rules.consoles().size());
        for (RuleSets.ConsoleRules c : rules.consoles()) {
            out.add(new Card(c.consoleId(), c.name(), c.description(), decisions.get(c.name()), c.zone()));
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

    /**
     * The console named {@code name} when a rule (of any effect) covers the user on it, else none. One statement
     * answers both "no such console" and "no rule for you", so the two cannot be told apart, not even by time. The
     * user's directory groups are re-read first when due, as before any decision.
     */
    public Optional<Console> console(User user, String name) {
        return console(user, name, LockModeType.NONE);
    }

    /** {@link #console(User, String)}, with the console row locked {@code lock} until the transaction ends. */
    public Optional<Console> console(User user, String name, LockModeType lock) {
        directory.refreshBeforeDecision(user, clock.instant());
        if (name == null) {
            name = "";
        }
        return Console.<Console>find("from Console c where c.name = :name and c.id in (" + Rule.consolesCovering(":user")
                + ")", Parameters.with("name", name).and("user", user.id)).withLock(lock).firstResultOptional();
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
