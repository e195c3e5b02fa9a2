package io.spicegate.sessions;

import io.spicegate.access.AccessPolicy;
import io.spicegate.access.Requester;
import io.spicegate.consoles.Console;
import io.spicegate.rules.AccessService;
import io.spicegate.rules.ApprovedWindows;
import io.spicegate.rules.Rule;
import io.spicegate.shared.SpicegateConfig;
import io.spicegate.shared.Problem;
import io.spicegate.shared.TimeText;
import io.spicegate.users.User;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.Comparator;
import java.util.List;

/**
 * One user's picture of one console over this week and next (DESIGN "Pages", {@code /consoles/{name}}): where his
 * windows, DENY windows and approved requests let him use it, computed by the access core the decision uses
 * ({@link AccessPolicy#stretches}), and who uses it now until when, in the zone of his rules.
 */
@ApplicationScoped
public class ConsolePicture {

    /** How many weeks the picture shows, from this week's Monday. */
    public static final int WEEKS = 2;

    @Inject Clock clock;
    @Inject AccessService access;
    @Inject ApprovedWindows approved;
    @Inject SpicegateConfig config;

    /** A live session: held from now (its future is unknown) to its end, by the user himself or someone else. */
    public record InUse(String username, boolean mine, Instant start, Instant end) { }

    /**
     * The picture: the console's card as My consoles shows it, the weeks from {@code monday} 00:00 ({@code from})
     * to {@code to} in {@code zone}, the stretches, every approved slot of the user overlapping them, the live
     * sessions, and who the user may ask for other times.
     */
    public record Picture(MyConsoles.Row card, ZoneId zone, Instant now, LocalDate monday, Instant from, Instant to,
                          AccessPolicy.Stretches stretches, List<ApprovedWindows.Slot> slots, List<InUse> inUse,
                          List<String> approvers) { }

    /** The picture of {@code consoleName} for the user; 404, as Open console says it, when he has no rule for it. */
    @Transactional
    public Picture of(long userId, String consoleName) {
        Instant now = clock.instant();
        User user = MyConsoles.activeUser(userId);
        Console console = access.console(user, consoleName).orElseThrow(() -> Problem.notFound(
                "You have no console named '" + TimeText.clip(consoleName) + "': check the name on My consoles."));
        AccessService.ConsoleAccess decision = access.decide(user, console, now);
        ZoneId zone = decision.zone();
        LocalDate monday = LocalDate.ofInstant(now, zone).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        Instant from = monday.atStartOfDay(zone).toInstant();
        Instant to = monday.plusWeeks(WEEKS).atStartOfDay(zone).toInstant();

        // approved slots from the first Monday on, so this week's earlier ones are drawn too
        List<ApprovedWindows.Slot> slots = approved.slots(user.id, console.id, from).stream()
                .filter(s -> s.start().isBefore(to)).sorted(Comparator.comparing(ApprovedWindows.Slot::start)).toList();
        List<Rule> rules = Rule.covering(user.id, console.id);
        AccessPolicy.Stretches stretches = AccessPolicy.stretches(new Requester(user.username, user.groupNames()),
                console.name, rules.stream().map(Rule::toAccessRule).toList(),
                slots.stream().map(ApprovedWindows.Slot::window).toList(), from, to);

        List<ConsoleSession> live = ConsoleSession.list("state = ?1 and endsAt > ?2 and console.id = ?3 order by endsAt",
                SessionState.ACTIVE, now, console.id);
        List<InUse> inUse = live.stream().map(s -> new InUse(s.username,
                s.user != null && s.user.id.equals(user.id), now, s.endsAt)).toList();
        List<String> approvers = Rule.approversOf(user.id, console.id, now).stream().map(u -> u.username).toList();
        MyConsoles.Row card = MyConsoles.row(decision.card(), MyConsoles.LiveOn.of(user.id, live, now), slots, now,
                config.console().defaultMaxMinutes());
        return new Picture(card, zone, now, monday, from, to, stretches, slots, inUse, approvers);
    }
}
