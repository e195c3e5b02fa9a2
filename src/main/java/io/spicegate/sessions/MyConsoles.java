package io.spicegate.sessions;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.spicegate.access.Decision;
import io.spicegate.rules.AccessService;
import io.spicegate.rules.ApprovedWindows;
import io.spicegate.rules.Rule;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
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

    /** How many cards a page of My consoles shows; the API lists them all. */
    public static final int PAGE_SIZE = 50;

    /**
     * The user's cards, by console name. Timed as {@code spicegate_decision_seconds}: the rules (compiled per rules
     * version, {@code RuleSets}), one decision per console (kept while it stands), the consoles' live sessions and the
     * approved slots.
     */
    @Transactional
    public List<Row> list(long userId) {
        return decisionTime.record(() -> {
            Inputs in = inputs(userId);
            return rows(in, in.cards());
        });
    }

    /**
     * One page of the user's cards ({@link #PAGE_SIZE}), by console name, of the consoles whose name or description
     * contains {@code filter} (any case; blank: all). A page number past the last shows the last page.
     */
    @Transactional
    public Slice page(long userId, String filter, int page) {
        return decisionTime.record(() -> {
            Inputs in = inputs(userId);
            String needle = filter == null ? "" : filter.strip().toLowerCase(Locale.ROOT);
            List<AccessService.Card> matching = needle.isEmpty() ? in.cards() : in.cards().stream()
                    .filter(c -> contains(c.name(), needle) || contains(c.description(), needle)).toList();
            int pages = Math.max(1, (matching.size() + PAGE_SIZE - 1) / PAGE_SIZE);
            int shown = Math.min(Math.max(page, 1), pages);
            List<AccessService.Card> cards = matching.subList((shown - 1) * PAGE_SIZE,
                    Math.min(shown * PAGE_SIZE, matching.size()));
            return new Slice(rows(in, cards), needle.isEmpty() ? "" : filter.strip(), matching.size(), in.cards().size(),
                    shown, pages);
        });
    }

    /** A page of My consoles: its cards, the filter, how many consoles match it and how many the user has. */
    public record Slice(List<Row> rows, String filter, int matching, int total, int page, int pages) { }

    private static boolean contains(String text, String needle) {
        return text != null && text.toLowerCase(Locale.ROOT).contains(needle);
    }

    /** What every card reads: the instant, the user, his decisions by console, and his approved slots. */
    private record Inputs(Instant now, User user, List<AccessService.Card> cards, List<ApprovedWindows.Slot> approved) { }

    private Inputs inputs(long userId) {
        Instant now = clock.instant();
        User user = activeUser(userId);
        // one query for the approved slots of every console, not one a card (issue 17 measures 20 000 rules)
        List<ApprovedWindows.Slot> approvedSlots = approved.slots(user.id, null, now);
        return new Inputs(now, user, access.consolesOf(user, approvedSlots, now), approvedSlots);
    }

    private List<Row> rows(Inputs in, List<AccessService.Card> cards) {
        if (cards.isEmpty()) {
            return List.of();
        }
        Map<Long, LiveOn> live = liveOn(in.user(), in.now());
        Map<Long, List<ApprovedWindows.Slot>> slots = in.approved().stream()
                .collect(Collectors.groupingBy(ApprovedWindows.Slot::consoleId));
        return cards.stream().map(c -> row(c, live.getOrDefault(c.consoleId(), LiveOn.NONE),
                slots.getOrDefault(c.consoleId(), List.of()), in.now(), config.console().defaultMaxMinutes())).toList();
    }

    /** Who holds a console (the live session of another user ending last) and the user's own live session on it. */
    record LiveOn(Holder holder, SessionView mine) {

        static final LiveOn NONE = new LiveOn(null, null);

        /**
         * From one console's live sessions: another user's ending last holds it; the user's own ending last is his
         * session, read whole by {@code read} (from its id).
         */
        static LiveOn of(long userId, List<Live> live, Function<UUID, ConsoleSession> read, Instant now) {
            Live holder = null;
            Live mine = null;
            for (Live s : live) {
                if (s.userId() != null && s.userId() == userId) {
                    mine = mine == null || s.endsAt().isAfter(mine.endsAt()) ? s : mine;
                } else {
                    holder = holder == null || s.endsAt().isAfter(holder.endsAt()) ? s : holder;
                }
            }
            return new LiveOn(holder == null ? null : new Holder(holder.username(), holder.endsAt()),
                    mine == null ? null : SessionView.of(read.apply(mine.id()), now));
        }

        /** {@link #of} for sessions already read whole. */
        static LiveOn of(long userId, List<ConsoleSession> live, Instant now) {
            Map<UUID, ConsoleSession> byId = live.stream().collect(Collectors.toMap(s -> s.id, s -> s));
            return of(userId, live.stream().map(Live::of).toList(), byId::get, now);
        }
    }

    /** A live session as a card needs it: whose it is, until when. */
    record Live(UUID id, Long userId, String username, Instant endsAt) {

        static Live of(ConsoleSession s) {
            return new Live(s.id, s.user == null ? null : s.user.id, s.username, s.endsAt);
        }
    }

    /** Another user's live session, as a card shows it. */
    record Holder(String username, Instant endsAt) { }

    /**
     * The live sessions on the consoles the user has a rule for, by console: one query of a few columns (its
     * console list is a subquery over the rules, so the statement is the same for every user and parsed once), and
     * the user's own sessions, usually none or one, read whole.
     */
    private static Map<Long, LiveOn> liveOn(User user, Instant now) {
        List<Object[]> rows = ConsoleSession.getEntityManager().createQuery("""
                        select s.console.id, s.id, s.user.id, s.username, s.endsAt from ConsoleSession s
                        where s.state = :active and s.endsAt > :now and s.console.id in (""" + Rule.consolesCovering(":user") + ")",
                        Object[].class)
                .setParameter("active", SessionState.ACTIVE).setParameter("now", now).setParameter("user", user.id)
                .getResultList();
        Map<Long, List<Live>> byConsole = new HashMap<>();
        for (Object[] r : rows) {
            byConsole.computeIfAbsent((Long) r[0], c -> new ArrayList<>())
                    .add(new Live((UUID) r[1], (Long) r[2], (String) r[3], (Instant) r[4]));
        }
        Map<Long, LiveOn> out = new HashMap<>();
        byConsole.forEach((console, live) -> out.put(console,
                LiveOn.of(user.id, live, id -> ConsoleSession.findById(id), now)));
        return out;
    }

    static User activeUser(long userId) {
        User user = User.findById(userId);
        if (user == null || !user.active) {
            throw Problem.notLoggedIn();
        }
        return user;
    }

    /**
     * One card from the decision, who else holds the console and the user's own session on it, and the user's
     * approved slots for it (the next {@link #SLOTS_ON_CARD} by start).
     */
    static Row row(AccessService.Card c, LiveOn live, List<ApprovedWindows.Slot> slots, Instant now,
                   int defaultMaxMinutes) {
        Decision d = c.decision();
        List<ApprovedWindows.Slot> next = slots.isEmpty() ? List.of() : slots.stream().filter(s -> s.end().isAfter(now))
                .sorted(Comparator.comparing(ApprovedWindows.Slot::start)).limit(SLOTS_ON_CARD).toList();
        Holder holder = live.holder();
        return new Row(c.name(), c.description(), d.verdict().name(), d.until(), d.nextWindowStart(),
                holder == null ? null : holder.username(), holder == null ? null : holder.endsAt(), c.zone(),
                live.mine(), now, next, d.allowed() ? SessionLimit.of(d, now, defaultMaxMinutes).at() : null);
    }
}
