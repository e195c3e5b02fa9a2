package io.spicegate.sessions;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.spicegate.access.Decision;
import io.spicegate.rules.AccessService;
import io.spicegate.rules.ApprovedWindows;
import io.spicegate.shared.Problem;
import io.spicegate.shared.SpicegateConfig;
import io.spicegate.shared.TimeText;
import io.spicegate.users.User;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The dashboard: every console the user has a rule for, what he may do with it now, and who holds it. */
@ApplicationScoped
public class MyConsoles {

    /** How many approved slots a card names (the next ones; the console's page shows them all). */
    static final int SLOTS_ON_CARD = 2;

    @Inject Clock clock;
    @Inject AccessService access;
    @Inject ApprovedWindows approved;
    @Inject SpicegateConfig config;

    private final Timer decisionTime;

    @Inject
    MyConsoles(MeterRegistry metrics) {
        // Prometheus: spicegate_decision_seconds_{count,sum,max}
        decisionTime = Timer.builder("spicegate_decision")
                .description("building My consoles for one user: his compiled rules, a decision per console, live sessions")
                .register(metrics);
    }

    /** One console on the dashboard; {@code approvedSlots}: the user's current or next approved requests for it. */
    public record Row(String name, String description, String decision, Instant until, Instant nextWindowStart,
                      String inUseBy, Instant inUseUntil, ZoneId zone, SessionView mySession, Instant now,
                      List<ApprovedWindows.Slot> approvedSlots, Instant openUntil) {

        /** "18:00", or "Thu 3 Dec 01:00" when not today: the end of a session opened now for as long as allowed. */
        public String openUntilText() {
            return openUntil == null ? "" : TimeText.time(openUntil, zone, now);
        }

        /** The lengths Open console offers besides "as long as allowed": only those shorter than allowed. */
        public List<Length> shorterLengths() {
            return openUntil == null ? List.of() : Length.OPEN.stream()
                    .filter(l -> now.plus(Duration.ofMinutes(l.minutes())).isBefore(openUntil)).toList();
        }

        public boolean allowed() {
            return "ALLOWED".equals(decision);
        }

        public boolean inUse() {
            return inUseBy != null;
        }

        public boolean hasApprovedSlots() {
            return !approvedSlots.isEmpty();
        }
    }

    /**
     * The user's cards, by console name. Timed as {@code spicegate_decision_seconds}: the rules (compiled per rules
     * version, {@code RuleSets}), one decision per console, the console's live sessions and the approved slots.
     */
    @Transactional
    public List<Row> list(long userId) {
        return decisionTime.record(() -> build(userId));
    }

    private List<Row> build(long userId) {
        Instant now = clock.instant();
        User user = activeUser(userId);
        // one query for the approved slots of every console, not one a card (issue 17 measures 20 000 rules)
        List<ApprovedWindows.Slot> approvedSlots = approved.slots(user.id, null, now);
        List<AccessService.Card> consoles = access.consolesOf(user, approvedSlots, now);
        List<ConsoleSession> live = consoles.isEmpty() ? List.of() : ConsoleSession.list(
                "state = ?1 and endsAt > ?2 and console.id in ?3", SessionState.ACTIVE, now,
                consoles.stream().map(AccessService.Card::consoleId).toList());
        Map<Long, List<ApprovedWindows.Slot>> slots = approvedSlots.stream()
                .collect(Collectors.groupingBy(ApprovedWindows.Slot::consoleId));
        Map<Long, List<ConsoleSession>> liveByConsole = live.stream().collect(Collectors.groupingBy(s -> s.console.id));
        return consoles.stream().map(c -> row(user, c, liveByConsole.getOrDefault(c.consoleId(), List.of()),
                slots.getOrDefault(c.consoleId(), List.of()), now,
                config.console().defaultMaxMinutes())).toList();
    }

    static User activeUser(long userId) {
        User user = User.findById(userId);
        if (user == null || !user.active) {
            throw Problem.notLoggedIn();
        }
        return user;
    }

    /**
     * One card from the decision, the console's live sessions (those of others hold it, the user's own is his
     * session) and the user's approved slots for it (the next {@link #SLOTS_ON_CARD} by start).
     */
    static Row row(User user, AccessService.Card c, List<ConsoleSession> live, List<ApprovedWindows.Slot> slots,
                   Instant now, int defaultMaxMinutes) {
        ConsoleSession holder = null;
        ConsoleSession my = null;
        for (ConsoleSession s : live) {
            if (s.user != null && s.user.id.equals(user.id)) {
                my = later(my, s);
            } else {
                holder = later(holder, s);
            }
        }
        Decision d = c.decision();
        Optional<ConsoleSession> holding = Optional.ofNullable(holder);
        List<ApprovedWindows.Slot> next = slots.stream().filter(s -> s.end().isAfter(now))
                .sorted(Comparator.comparing(ApprovedWindows.Slot::start)).limit(SLOTS_ON_CARD).toList();
        return new Row(c.name(), c.description(), d.verdict().name(), d.until(),
                d.nextWindowStart(), holding.map(h -> h.username).orElse(null),
                holding.map(h -> h.endsAt).orElse(null), c.zone(), my == null ? null : SessionView.of(my, now), now, next,
                d.allowed() ? SessionLimit.of(d, now, defaultMaxMinutes).at() : null);
    }

    private static ConsoleSession later(ConsoleSession a, ConsoleSession b) {
        return a == null || b.endsAt.isAfter(a.endsAt) ? b : a;
    }
}
