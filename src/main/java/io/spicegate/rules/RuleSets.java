package io.spicegate.rules;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.spicegate.access.AccessRule;
import io.spicegate.access.Effect;
import io.spicegate.access.Requester;
import io.spicegate.access.RuleSet;
import io.spicegate.access.SteadyDecisions;
import io.spicegate.access.Subject;
import io.spicegate.access.WeeklyWindow;
import io.spicegate.shared.SpicegateConfig;
import io.spicegate.users.User;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Each user's rules compiled for My consoles ({@link UserRules}), kept per replica and trusted only while the rules
 * version they were read at (its random stamp) is the database's current one. The database bumps that version
 * itself, by triggers, on any change of a decision's inputs (V17__rules_version.sql), and every call reads it in its
 * own transaction: so a rule removed through any replica is gone from the next dashboard on every replica, with no
 * timing assumption. The version's NOTIFY only drops dead sets early. Loading is one SQL query of projections (no
 * managed entities): at 20 000 rules Hibernate entities cost most of a second (MyConsolesBench).
 * <p>
 * Only the dashboard reads these sets; the decision that lets someone open a console ({@link AccessService#decide})
 * reads the database directly.
 */
@ApplicationScoped
public class RuleSets {

    /** One console of the user's rule set: the facts its card shows, and the zone its times are shown in. */
    public record ConsoleRules(long consoleId, String name, String description, ZoneId zone) { }

    /**
     * A user's compiled rules: what the decision reads, with each console's decision kept while it stands, and the
     * consoles it names, by name.
     */
    public record UserRules(String stamp, SteadyDecisions decisions, List<ConsoleRules> consoles) {

        public RuleSet rules() {
            return decisions.rules();
        }

        int size() {
            return rules().size();
        }
    }

    @Inject EntityManager em;
    @Inject SpicegateConfig config;
    @Inject MeterRegistry metrics;

    /** Least recently used first; guarded by itself. */
    private final LinkedHashMap<Long, UserRules> cache = new LinkedHashMap<>(64, 0.75f, true);
    private int heldRules;
    private Counter loads;

    @PostConstruct
    void meters() {
        loads = Counter.builder("spicegate_rule_set_loads")
                .description("users' rule sets read from the database for My consoles (a miss of the per-replica cache)")
                .register(metrics);
    }

    /**
     * The user's rules as of now. Call inside the caller's transaction, after anything that may change them there
     * ({@code DirectoryAccounts.refreshBeforeDecision}): a transaction that changed an input itself neither trusts
     * nor fills the cache (its changes are not committed, and may never be).
     */
    public UserRules of(User user) {
        Object[] row = (Object[]) em.createNativeQuery("select stamp, coalesce(current_setting('spicegate.rules_changed', "
                + "true), '') = 'on' from rules_version where id = 1").getSingleResult();
        String stamp = (String) row[0];
        boolean changedHere = (Boolean) row[1];
        if (!changedHere) {
            UserRules kept = cached(user.id);
            if (kept != null && kept.stamp().equals(stamp)) {
                return kept;
            }
        }
        // read after the stamp: a change committed in between is read too, and only makes this set look older
        UserRules loaded = load(user, stamp);
        if (!changedHere) {
            keep(user.id, loaded);
        }
        return loaded;
    }

    /** Drops sets of any stamp but the one another replica (or this one) committed; all of them when it is unknown. */
    void changed(@Observes RulesChanged event) {
        synchronized (cache) {
            for (Iterator<UserRules> it = cache.values().iterator(); it.hasNext(); ) {
                UserRules r = it.next();
                if (!r.stamp().equals(event.stamp())) {
                    heldRules -= r.size();
                    it.remove();
                }
            }
        }
    }

    /** How many users' sets this replica holds (tests, and the reader of this class). */
    public int held() {
        synchronized (cache) {
            return cache.size();
        }
    }

    private UserRules cached(long userId) {
        synchronized (cache) {
            return cache.get(userId);
        }
    }

    private void keep(long userId, UserRules rules) {
        int max = config.console().ruleCacheMaxRules();
        if (rules.size() > max) {
            return;
        }
        synchronized (cache) {
            // a slower reader of an older stamp may replace a newer set: the next call sees the stamp differ and reloads
            UserRules before = cache.get(userId);
            if (before != null) {
                heldRules -= before.size();
            }
            cache.put(userId, rules);
            heldRules += rules.size();
            for (Iterator<UserRules> it = cache.values().iterator(); heldRules > max && it.hasNext(); ) {
                UserRules oldest = it.next();
                if (oldest != rules) {
                    heldRules -= oldest.size();
                    it.remove();
                }
            }
        }
    }

    /**
     * One query: every rule naming the user or one of his groups, with its console, subject's name, windows (in
     * position order) and whether it has approvers; the same rules {@link Rule#coveringUser} finds, as values.
     */
    UserRules load(User user, String stamp) {
        loads.increment();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                select r.id, c.id, c.name, c.description, u.username, g.name, r.effect, r.zone, r.max_minutes,
                       (extract(epoch from r.valid_from) * 1000000)::bigint,
                       (extract(epoch from r.valid_until) * 1000000)::bigint,
                       r.approver_group_id is not null or exists (select 1 from rule_approver a where a.rule_id = r.id),
                       (select string_agg(w.days || '|' || w.from_time || '|' || w.to_time, ';' order by w.position)
                          from rule_window w where w.rule_id = r.id)
                from access_rule r
                join console c on c.id = r.console_id
                left join app_user u on u.id = r.subject_user_id
                left join user_group g on g.id = r.subject_group_id
                where r.subject_user_id = ?1
                   or r.subject_group_id in (select m.group_id from group_member m where m.user_id = ?1)
                """).setParameter(1, user.id).getResultList();
        List<Row> read = new ArrayList<>(rows.size());
        Set<String> groups = new HashSet<>();
        for (Object[] r : rows) {
            Subject subject = r[4] != null ? Subject.user((String) r[4]) : Subject.group((String) r[5]);
            if (subject.group() != null) {
                groups.add(subject.group());
            }
            AccessRule rule = new AccessRule(((Number) r[0]).longValue(), (String) r[2], subject,
                    Effect.valueOf((String) r[6]), ZoneId.of((String) r[7]), windows((String) r[12]), (Boolean) r[11],
                    r[8] == null ? null : ((Number) r[8]).intValue(), instant(r[9]), instant(r[10]));
            read.add(new Row(((Number) r[1]).longValue(), (String) r[3], rule));
        }
        // the order the entity path has: consoles by name, each console's rules as made
        read.sort(Comparator.comparing((Row x) -> x.rule().console()).thenComparingLong(x -> x.rule().id()));
        Map<String, ConsoleRules> consoles = new LinkedHashMap<>();
        List<AccessRule> rules = new ArrayList<>(read.size());
        for (int i = 0; i < read.size(); i++) {
            Row x = read.get(i);
            rules.add(x.rule());
            if (!consoles.containsKey(x.rule().console())) {
                consoles.put(x.rule().console(), new ConsoleRules(x.consoleId(), x.rule().console(), x.description(),
                        zoneOf(read, i)));
            }
        }
        // the requester as the rules see him: his name, and the groups through which they cover him
        Requester who = new Requester(user.username, groups);
        return new UserRules(stamp, new SteadyDecisions(RuleSet.of(who, rules)), List.copyOf(consoles.values()));
    }

    private record Row(long consoleId, String description, AccessRule rule) { }

    /**
     * The zone a console's times are shown in: that of its first ALLOW rule, else of its first rule (as {@code
     * AccessService.zoneOf}); {@code first} is the index of the console's first rule in {@code read}.
     */
    private static ZoneId zoneOf(List<Row> read, int first) {
        String console = read.get(first).rule().console();
        for (int i = first; i < read.size() && read.get(i).rule().console().equals(console); i++) {
            if (read.get(i).rule().effect() == Effect.ALLOW) {
                return read.get(i).rule().zone();
            }
        }
        return read.get(first).rule().zone();
    }

    /** "1,2,3|08:00:00|18:00:00;6,7|00:00:00|00:00:00" as the rule's windows, in position order. */
    static List<WeeklyWindow> windows(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        List<WeeklyWindow> out = new ArrayList<>();
        for (String w : text.split(";")) {
            String[] f = w.split("\\|");
            RuleWindow stored = new RuleWindow();
            stored.days = f[0];
            stored.from = LocalTime.parse(f[1]);
            stored.to = LocalTime.parse(f[2]);
            out.add(stored.toWeeklyWindow());
        }
        return out;
    }

    /** A timestamptz read as whole microseconds since the epoch (its precision), or null. */
    private static Instant instant(Object micros) {
        return micros == null ? null : Instant.EPOCH.plus(((Number) micros).longValue(), ChronoUnit.MICROS);
    }
}
