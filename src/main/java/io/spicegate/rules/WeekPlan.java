package io.spicegate.rules;

import io.spicegate.access.AccessPolicy;
import io.spicegate.access.Effect;
import io.spicegate.access.Interval;
import io.spicegate.consoles.Console;
import io.spicegate.shared.Problem;
import io.spicegate.shared.SpicegateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may use a console in one calendar week: every rule of the console with its ALLOW or DENY occurrences
 * in that week ({@link AccessPolicy#occurrences}), for the admin's week picture.
 */
@ApplicationScoped
public class WeekPlan {

    @Inject Clock clock;
    @Inject SpicegateConfig config;

    /** One rule and the stretches it holds in the week (not clipped to the week; merged). */
    public record RuleWeek(RuleAdmin.RuleDto rule, String subject, boolean group, Effect effect, List<Interval> occurrences) {

        public boolean hasApprovers() {
            return !rule.approvers().isEmpty() || rule.approverGroup() != null;
        }
    }

    /** The week from {@code monday} 00:00 to the next Monday 00:00 in {@code zone}, and the rules in it. */
    public record Week(long consoleId, String console, String description, ZoneId zone, LocalDate monday, Instant start,
                       Instant end, Instant now, List<RuleWeek> rules) { }

    /**
     * The week containing {@code day} (the current week when null), read in the zone of the console's first
     * ALLOW rule (else its first rule, else the office's display zone).
     */
    @Transactional
    public Week week(long consoleId, LocalDate day) {
        Instant now = clock.instant();
        Console console = Console.findById(consoleId);
        if (console == null) {
            throw Problem.notFound("There is no console " + consoleId + ".");
        }
        List<Rule> rules = Rule.list("console.id = ?1 order by id", consoleId);
        ZoneId zone = rules.stream().filter(r -> r.effect == Effect.ALLOW).findFirst()
                .or(() -> rules.stream().findFirst())
                .map(r -> ZoneId.of(r.zone)).orElse(ZoneId.of(config.displayZone()));
        LocalDate monday = (day != null ? day : LocalDate.ofInstant(now, zone))
                .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        Instant start = monday.atStartOfDay(zone).toInstant();
        Instant end = monday.plusWeeks(1).atStartOfDay(zone).toInstant();
        List<RuleWeek> out = new ArrayList<>(rules.size());
        for (Rule r : rules) {
            boolean group = r.subjectGroup != null;
            out.add(new RuleWeek(RuleAdmin.RuleDto.of(r), group ? r.subjectGroup.name : r.subjectUser.username, group,
                    r.effect, AccessPolicy.occurrences(r.toAccessRule(), start, end)));
        }
        return new Week(console.id, console.name, console.description, zone, monday, start, end, now, out);
    }
}
