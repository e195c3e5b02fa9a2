package io.spicegate.rules;

import io.spicegate.access.Effect;
import io.spicegate.audit.AuditLog;
import io.spicegate.consoles.Console;
import io.spicegate.shared.Changes;
import io.spicegate.shared.Problem;
import io.spicegate.shared.TimeText;
import io.spicegate.users.Group;
import io.spicegate.users.User;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** Administration of access rules, with validation that says exactly what to fix. */
@ApplicationScoped
public class RuleAdmin {

    @Inject Clock clock;
    @Inject AuditLog audit;

    /** A weekly window as the API shows and takes it: {"days": ["MONDAY"], "from": "08:00", "to": "18:00"}. */
    public record WindowDto(List<String> days, String from, String to) { }

    /** A rule as the API shows and takes it. */
    public record RuleDto(Long id, String console, String user, String group, String effect, String zone,
                          List<WindowDto> windows, List<String> approvers, String approverGroup, Integer maxMinutes,
                          Instant validFrom, Instant validUntil) {
        static RuleDto of(Rule r) {
            List<WindowDto> ws = r.windows.stream().map(w -> new WindowDto(
                    w.dayset().stream().sorted().map(DayOfWeek::name).toList(), w.from.toString(), w.to.toString())).toList();
            Set<String> approvers = new TreeSet<>();
            r.approvers.forEach(u -> approvers.add(u.username));
            return new RuleDto(r.id, r.console.name, r.subjectUser == null ? null : r.subjectUser.username,
                    r.subjectGroup == null ? null : r.subjectGroup.name, r.effect.name(), r.zone, ws, List.copyOf(approvers),
                    r.approverGroup == null ? null : r.approverGroup.name, r.maxMinutes, r.validFrom, r.validUntil);
        }
    }

    @Transactional
    public List<RuleDto> list(String console) {
        List<Rule> rules = console == null ? Rule.list("order by console.name, id")
                : Rule.list("console.name = ?1 order by id", console);
        return rules.stream().map(RuleDto::of).toList();
    }

    @Transactional
    public RuleDto get(long id) {
        return RuleDto.of(find(id));
    }

    @Transactional
    public RuleDto create(RuleDto in, String admin) {
        Rule r = new Rule();
        apply(r, in);
        r.persist();
        audit.append(AuditLog.event("RULE_CREATED").actor(admin).console(r.console.name).detail(Changes.and("rule " + r.id, Changes.listing(RuleDto.of(r), "id"))),
                clock.instant());
        return RuleDto.of(r);
    }

    /** Replaces the rule with the body (a rule is small: send it whole). */
    @Transactional
    public RuleDto replace(long id, RuleDto in, String admin) {
        Rule r = find(id);
        RuleDto before = RuleDto.of(r);
        apply(r, in);
        String changed = Changes.between(before, RuleDto.of(r), "id");
        if (!changed.isEmpty()) {
            audit.append(AuditLog.event("RULE_CHANGED").actor(admin).console(r.console.name)
                    .detail(Changes.and("rule " + r.id, changed)), clock.instant());
        }
        return RuleDto.of(r);
    }

    @Transactional
    public void delete(long id, String admin) {
        Rule r = find(id);
        audit.append(AuditLog.event("RULE_DELETED").actor(admin).console(r.console.name).detail(Changes.and("rule " + r.id, Changes.listing(RuleDto.of(r), "id"))),
                clock.instant());
        r.delete();
    }

    private static Rule find(long id) {
        Rule r = Rule.findById(id);
        if (r == null) {
            throw Problem.notFound("There is no rule " + id + ".");
        }
        return r;
    }

    /** Checks everything before touching the rule, so a bad body changes nothing. */
    private static void apply(Rule r, RuleDto in) {
        if (in == null) {
            throw Problem.badRequest("Send a rule: {\"console\", \"user\" or \"group\", \"effect\", \"zone\", \"windows\": "
                    + "[{\"days\": [\"MONDAY\"], \"from\": \"08:00\", \"to\": \"18:00\"}], ...}.");
        }
        if (in.console() == null || in.console().isBlank()) {
            throw Problem.badRequest("Name the rule's console: \"console\": \"debianx\".");
        }
        Console console = Console.findByName(in.console().strip()).orElseThrow(() ->
                Problem.badRequest("There is no console '" + TimeText.clip(in.console()) + "'."));
        boolean hasUser = in.user() != null && !in.user().isBlank();
        boolean hasGroup = in.group() != null && !in.group().isBlank();
        if (hasUser == hasGroup) {
            throw Problem.badRequest("A rule is for exactly one subject: give either \"user\" or \"group\".");
        }
        User user = hasUser ? User.findByUsername(in.user().strip()).orElseThrow(() ->
                Problem.badRequest("There is no user '" + TimeText.clip(in.user()) + "'.")) : null;
        Group group = hasGroup ? Group.findByName(in.group().strip()).orElseThrow(() ->
                Problem.badRequest("There is no group '" + TimeText.clip(in.group()) + "'.")) : null;
        Effect effect;
        try {
            effect = Effect.valueOf(in.effect() == null ? "ALLOW" : in.effect().strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("\"effect\" is \"ALLOW\" or \"DENY\".");
        }
        String zone = in.zone() == null || in.zone().isBlank() ? null : in.zone().strip();
        if (zone == null) {
            throw Problem.badRequest("Give the rule's time zone, e.g. \"zone\": \"Europe/Berlin\".");
        }
        try {
            zone = ZoneId.of(zone).getId();
        } catch (DateTimeException e) {
            throw Problem.badRequest("'" + TimeText.clip(zone) + "' is not a time zone: use an IANA name such as Europe/Berlin.");
        }
        if (in.windows() == null || in.windows().isEmpty()) {
            throw Problem.badRequest("Give the rule at least one weekly window, e.g. {\"days\": [\"MONDAY\"], \"from\": \"08:00\", \"to\": \"18:00\"}.");
        }
        if (in.windows().size() > 50) {
            throw Problem.badRequest("A rule has at most 50 windows.");
        }
        List<RuleWindow> windows = new ArrayList<>();
        for (WindowDto w : in.windows()) {
            windows.add(window(w));
        }
        Set<User> approvers = new java.util.HashSet<>();
        for (String a : in.approvers() == null ? List.<String>of() : in.approvers()) {
            approvers.add(User.findByUsername(a == null ? "" : a.strip()).orElseThrow(() ->
                    Problem.badRequest("There is no user '" + TimeText.clip(a) + "' to approve.")));
        }
        Group approverGroup = in.approverGroup() == null || in.approverGroup().isBlank() ? null
                : Group.findByName(in.approverGroup().strip()).orElseThrow(() ->
                Problem.badRequest("There is no group '" + TimeText.clip(in.approverGroup()) + "' to approve."));
        if (effect == Effect.DENY && (!approvers.isEmpty() || approverGroup != null)) {
            throw Problem.badRequest("A DENY rule has no approvers: approvals open ALLOW rules only.");
        }
        if (in.maxMinutes() != null && (in.maxMinutes() < 1 || in.maxMinutes() > 10_080)) {
            throw Problem.badRequest("\"maxMinutes\" is from 1 to 10080 (a week), or leave it out for no limit.");
        }
        if (in.validFrom() != null && in.validUntil() != null && !in.validFrom().isBefore(in.validUntil())) {
            throw Problem.badRequest("\"validFrom\" must come before \"validUntil\".");
        }
        r.console = console;
        r.subjectUser = user;
        r.subjectGroup = group;
        r.effect = effect;
        r.zone = zone;
        r.windows.clear();
        r.windows.addAll(windows);
        r.approvers.clear();
        r.approvers.addAll(approvers);
        r.approverGroup = approverGroup;
        r.maxMinutes = in.maxMinutes();
        r.validFrom = in.validFrom();
        r.validUntil = in.validUntil();
    }

    private static RuleWindow window(WindowDto w) {
        if (w == null || w.days() == null || w.days().isEmpty()) {
            throw Problem.badRequest("Each window needs \"days\", e.g. [\"MONDAY\", \"TUESDAY\"].");
        }
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String d : w.days()) {
            try {
                days.add(DayOfWeek.valueOf(d == null ? "" : d.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw Problem.badRequest("'" + TimeText.clip(d) + "' is not a day: use MONDAY … SUNDAY.");
            }
        }
        return new RuleWindow(days, time(w.from(), "from"), time(w.to(), "to"));
    }

    private static LocalTime time(String t, String field) {
        try {
            if (t == null || !t.strip().matches("\\d{2}:\\d{2}")) {
                throw new DateTimeParseException("", "", 0);
            }
            return LocalTime.parse(t.strip());
        } catch (DateTimeParseException e) {
            throw Problem.badRequest("\"" + field + "\" is a time of day like \"08:00\" (24-hour HH:mm; \"to\" before "
                    + "\"from\" runs past midnight, equal means the whole day).");
        }
    }
}
