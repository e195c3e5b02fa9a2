package io.spicegate.access;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** The access decision (DESIGN rule 1): a pure function of the rules, the user's approved requests and the instant. */
public final class AccessPolicy {

    /** How far ahead stretches and next windows are looked for; a stretch reaching it has no end in sight. */
    public static final Duration HORIZON = Duration.ofDays(35);

    /**
     * A first look this far ahead settles almost every answer for weekly windows (the same window
     * comes back within 7 days); only when it does not is the whole horizon enumerated.
     */
    private static final Duration FIRST_LOOK = Duration.ofDays(8);

    /**
     * How far ahead {@link #decideSteady} looks for the next instant its answer may change; a decision kept that long
     * is simply made again.
     */
    static final Duration STEADY_LOOK = Duration.ofHours(12);

    private AccessPolicy() {
    }

    /**
     * Decides whether {@code who} may use {@code console} at {@code now}. {@code rules} may contain
     * rules for other consoles and subjects; they are ignored. {@code approved} are the requester's
     * approved requests (those for other consoles are ignored).
     */
    public static Decision decide(Requester who, String console, Collection<AccessRule> rules,
                                  Collection<ApprovedWindow> approved, Instant now) {
        Objects.requireNonNull(who, "who");
        Objects.requireNonNull(console, "console");
        Objects.requireNonNull(now, "now");
        List<AccessRule> applicable = new ArrayList<>();
        for (AccessRule rule : rules) {
            if (rule.appliesTo(who, console)) {
                applicable.add(rule);
            }
        }
        List<ApprovedWindow> forConsole = new ArrayList<>();
        for (ApprovedWindow window : approved) {
            if (window.console().equals(console)) {
                forConsole.add(window);
            }
        }
        return decideApplicable(applicable, forConsole, now);
    }

    /**
     * One decision per console the requester has a rule (of any effect) or an approved request for,
     * keyed and sorted by console name; the rules are grouped in one pass ({@link RuleSet#of}), so a dashboard with
     * thousands of rules costs one scan plus one small decision per console.
     */
    public static Map<String, Decision> decideAll(Requester who, Collection<AccessRule> rules,
                                                  Collection<ApprovedWindow> approved, Instant now) {
        Objects.requireNonNull(who, "who");
        return decideAll(RuleSet.of(who, rules), approved, now);
    }

    /**
     * {@link #decideAll(Requester, Collection, Collection, Instant)} for rules already grouped: each console's
     * decision reads only that console's rules and approved requests, so no rule is looked at twice.
     */
    public static Map<String, Decision> decideAll(RuleSet rules, Collection<ApprovedWindow> approved, Instant now) {
        return decideAll(rules, approved, now, (index, consoleRules, at) -> decideApplicable(consoleRules, List.of(), at));
    }

    /** How a console with no approved request is decided: its place in the set's (sorted) consoles, and its rules. */
    @FunctionalInterface
    interface WithoutApproved {
        Decision decide(int index, List<AccessRule> rules, Instant now);
    }

    /**
     * The one implementation of {@link #decideAll(RuleSet, Collection, Instant)}: consoles with an approved request are
     * decided here from their rules and requests, the others by {@code withoutApproved} (which may answer a decision it
     * kept, see {@link SteadyDecisions}); consoles with an approved request but no rule are decided from the requests.
     */
    static Map<String, Decision> decideAll(RuleSet rules, Collection<ApprovedWindow> approved, Instant now,
                                           WithoutApproved withoutApproved) {
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(now, "now");
        Map<String, List<ApprovedWindow>> approvedByConsole = new HashMap<>();
        for (ApprovedWindow window : approved) {
            approvedByConsole.computeIfAbsent(window.console(), c -> new ArrayList<>()).add(window);
        }
        // byConsole is sorted, so this map is too until a console without rules joins
        Map<String, Decision> decisions = new LinkedHashMap<>();
        int index = 0;
        for (Map.Entry<String, List<AccessRule>> entry : rules.byConsole().entrySet()) {
            List<ApprovedWindow> forConsole = approvedByConsole.remove(entry.getKey());
            decisions.put(entry.getKey(), forConsole == null ? withoutApproved.decide(index, entry.getValue(), now)
                    : decideApplicable(entry.getValue(), forConsole, now));
            index++;
        }
        if (approvedByConsole.isEmpty()) {
            return decisions;
        }
        Map<String, Decision> sorted = new TreeMap<>(decisions);
        approvedByConsole.forEach((console, windows) -> sorted.put(console, decideApplicable(List.of(), windows, now)));
        return sorted;
    }

    /**
     * A decision with no approved request, and the instants {@code [from, until)} in which it is the answer: {@link
     * #decide} with the same rules and no approved request answers the same at every instant of that span.
     */
    public record Steady(Decision decision, Instant from, Instant until) {

        public boolean holdsAt(Instant t) {
            return !t.isBefore(from) && t.isBefore(until);
        }
    }

    /**
     * The decision at {@code now} from one console's rules that apply to the requester, with no approved request,
     * and how long it stands. A decision reads only the instants where a rule's windows open or close, where a rule
     * becomes valid or stops being valid (approvers count only then), and {@code now} against the horizon. So it
     * stands until the first such instant after {@code now}, or until one comes into sight at the horizon's far end
     * (a stretch end or a next start found there changes "no end in sight" into a time), and at most {@link
     * #STEADY_LOOK}. Per-rule instants are used, not merged stretches: a second rule's window starting inside a
     * stretch changes its max minutes.
     */
    public static Steady decideSteady(List<AccessRule> rules, Instant now) {
        Objects.requireNonNull(now, "now");
        return new Steady(decideApplicable(rules, List.of(), now), now, steadyUntil(rules, now));
    }

    static Instant steadyUntil(List<AccessRule> rules, Instant now) {
        Instant until = now.plus(STEADY_LOOK);
        Instant far = now.plus(HORIZON);
        for (AccessRule rule : rules) {
            until = firstChange(rule, now, until);
        }
        // a change at the far end at f is seen from f - HORIZON on (strictly after it: the look is half-open)
        Instant farUntil = far.plus(Duration.between(now, until));
        for (AccessRule rule : rules) {
            farUntil = firstChange(rule, far, farUntil);
        }
        Instant seenAt = farUntil.minus(HORIZON);
        return seenAt.isBefore(until) ? seenAt : until;
    }

    /** The first instant in {@code (after, before)} where {@code rule} opens, closes or starts/stops being valid; else {@code before}. */
    private static Instant firstChange(AccessRule rule, Instant after, Instant before) {
        Instant first = earlier(before, after, rule.validFrom());
        first = earlier(first, after, rule.validUntil());
        List<Interval> found = new ArrayList<>();
        addOccurrences(rule, after, first, found);
        for (Interval occurrence : found) {
            first = earlier(first, after, occurrence.start());
            first = earlier(first, after, occurrence.end());
        }
        return first;
    }

    /** {@code t} if it lies in {@code (after, first)}, else {@code first}. */
    private static Instant earlier(Instant first, Instant after, Instant t) {
        return t != null && t.isAfter(after) && t.isBefore(first) ? t : first;
    }

    /**
     * The intervals {@code [start, end)} in which {@code rule}'s windows hold and that intersect
     * {@code [from, to)}, sorted, with overlapping or touching occurrences merged, clipped to the
     * rule's validity but NOT to {@code [from, to)} (a week view shows that Sunday's overnight window
     * started before Monday). Works for DENY rules too.
     */
    public static List<Interval> occurrences(AccessRule rule, Instant from, Instant to) {
        Objects.requireNonNull(rule, "rule");
        if (!from.isBefore(to)) {
            return List.of();
        }
        List<Interval> found = new ArrayList<>();
        addOccurrences(rule, from, to, found);
        return List.copyOf(Intervals.merge(found));
    }

    /**
     * What {@link #decide} would answer at every instant of {@code [from, to)}, as stretches: the requester's ALLOW
     * windows with the DENY windows cut out ({@code open}), the DENY windows ({@code denied}), the approved requests
     * with the DENY windows cut out ({@code approved}), and their union ({@code allowed}: an instant in it is
     * ALLOWED, any other is not). Merged and sorted, not clipped to {@code [from, to)}.
     */
    public static Stretches stretches(Requester who, String console, Collection<AccessRule> rules,
                                      Collection<ApprovedWindow> approved, Instant from, Instant to) {
        Objects.requireNonNull(who, "who");
        Objects.requireNonNull(console, "console");
        List<Interval> allow = new ArrayList<>();
        List<Interval> deny = new ArrayList<>();
        for (AccessRule rule : rules) {
            if (rule.appliesTo(who, console) && from.isBefore(to)) {
                addOccurrences(rule, from, to, rule.effect() == Effect.DENY ? deny : allow);
            }
        }
        List<Interval> slots = new ArrayList<>();
        for (ApprovedWindow window : approved) {
            if (window.console().equals(console) && window.interval().overlaps(from, to)) {
                slots.add(window.interval());
            }
        }
        List<Interval> denied = Intervals.merge(deny);
        List<Interval> open = Intervals.subtract(Intervals.merge(allow), denied);
        List<Interval> approvedOpen = Intervals.subtract(Intervals.merge(slots), denied);
        List<Interval> both = new ArrayList<>(open);
        both.addAll(approvedOpen);
        return new Stretches(List.copyOf(open), List.copyOf(denied), List.copyOf(approvedOpen),
                List.copyOf(Intervals.merge(both)));
    }

    /** The answer of {@link #stretches}: where windows, DENY windows and approved requests hold, and where access is allowed. */
    public record Stretches(List<Interval> open, List<Interval> denied, List<Interval> approved, List<Interval> allowed) {

        /** Whether {@link #decide} answers ALLOWED at {@code t}. */
        public boolean allowedAt(Instant t) {
            return Intervals.containing(allowed, t) != null;
        }
    }

    /** The decision once the rules and approved windows are known to be this requester's, for this console. */
    static Decision decideApplicable(List<AccessRule> rules, List<ApprovedWindow> approved, Instant now) {
        Instant horizon = now.plus(HORIZON);
        Decision quick = decideLookingUntil(rules, approved, now, now.plus(FIRST_LOOK), horizon);
        return quick != null ? quick : decideLookingUntil(rules, approved, now, horizon, horizon);
    }

    /**
     * The decision from the occurrences intersecting {@code [now, lookEnd)}, or null if looking
     * further could change it. Whether an instant before {@code lookEnd} is allowed is exact, since
     * occurrences not enumerated start at or after {@code lookEnd}; so a stretch end, or a stretch
     * start, found before {@code lookEnd} is final.
     */
    private static Decision decideLookingUntil(List<AccessRule> rules, List<ApprovedWindow> approved, Instant now,
                                               Instant lookEnd, Instant horizon) {
        boolean lookedToHorizon = !lookEnd.isBefore(horizon);
        List<Interval> allowOccurrences = new ArrayList<>();
        List<Interval> denyOccurrences = new ArrayList<>();
        boolean windowAllowsNow = false;
        boolean unlimited = false;
        int maxMinutes = 0;
        boolean mayAsk = false;
        for (AccessRule rule : rules) {
            if (rule.effect() == Effect.DENY) {
                addOccurrences(rule, now, lookEnd, denyOccurrences);
                continue;
            }
            int firstOfRule = allowOccurrences.size();
            addOccurrences(rule, now, lookEnd, allowOccurrences);
            // approvers only count while the rule itself is valid: a rule not yet (or no longer) valid does not apply
            mayAsk |= rule.hasApprovers() && rule.validAt(now);
            if (anyContains(allowOccurrences, firstOfRule, now)) {
                // session length: the most generous of the rules that allow now; any unlimited one wins
                windowAllowsNow = true;
                if (rule.maxMinutes() == null) {
                    unlimited = true;
                } else {
                    maxMinutes = Math.max(maxMinutes, rule.maxMinutes());
                }
            }
        }
        List<Interval> denied = Intervals.merge(denyOccurrences);
        List<Interval> windows = Intervals.merge(allowOccurrences);
        // stretches allowed by windows alone (no approved requests): what nextWindowStart is about
        List<Interval> open = Intervals.subtract(windows, denied);

        // 1. a DENY window beats everything, approved requests included
        if (Intervals.containing(denied, now) != null) {
            Instant next = nextStart(open, now, lookEnd);
            return next == null && !lookedToHorizon ? null : new Decision(Verdict.DENIED, null, next, null, null);
        }
        // 2. an ALLOW window or an approved request holds now
        ApprovedWindow approvedNow = approvedHolding(approved, now);
        if (windowAllowsNow || approvedNow != null) {
            // the stretch: windows and approved requests together, touching ones merged
            List<Interval> allowing = new ArrayList<>(windows);
            for (ApprovedWindow window : approved) {
                if (window.end().isAfter(now) && window.start().isBefore(lookEnd)) {
                    allowing.add(window.interval());
                }
            }
            if (allowing.size() > windows.size()) {
                allowing = Intervals.merge(allowing);
            }
            Instant end = Intervals.containing(allowing, now).end();
            // no DENY holds now, and every DENY occurrence found ends after now: the first one is the next one
            if (!denied.isEmpty() && denied.get(0).start().isBefore(end)) {
                end = denied.get(0).start();
            }
            if (!end.isBefore(lookEnd) && !lookedToHorizon) {
                return null;
            }
            // a stretch reaching the horizon has no end in sight
            Instant until = end.isBefore(horizon) ? end : null;
            Instant next = until == null ? null : nextStart(open, until, lookEnd);
            if (until != null && next == null && !lookedToHorizon) {
                return null;
            }
            return windowAllowsNow
                    ? new Decision(Verdict.ALLOWED, until, next, unlimited ? null : maxMinutes, null)
                    // the approved request's own end bounds the session, so no minutes limit
                    : new Decision(Verdict.ALLOWED, until, next, null, approvedNow.requestId());
        }
        // 3. nothing allows now: the user may ask if someone can approve
        Instant next = nextStart(open, now, lookEnd);
        if (next == null && !lookedToHorizon) {
            return null;
        }
        return new Decision(mayAsk ? Verdict.NEEDS_APPROVAL : Verdict.DENIED, null, next, null, null);
    }

    /**
     * Adds the occurrences of {@code rule}'s windows intersecting {@code [from, to)}, clipped to the
     * rule's validity, unsorted and unmerged.
     */
    static void addOccurrences(AccessRule rule, Instant from, Instant to, List<Interval> sink) {
        Instant validFrom = rule.validFrom();
        Instant validUntil = rule.validUntil();
        Instant lo = validFrom != null && validFrom.isAfter(from) ? validFrom : from;
        Instant hi = validUntil != null && validUntil.isBefore(to) ? validUntil : to;
        if (rule.windows().isEmpty() || !lo.isBefore(hi)) {
            return;
        }
        LocalInstants zone = LocalInstants.around(rule.zone().getRules(), lo, hi);
        // a window that opened on an earlier day (overnight, whole day) may still hold at lo: one day
        // back is enough for windows of at most 24 local hours; the second is DST slack
        LocalDate day = LocalDate.ofInstant(lo, rule.zone()).minusDays(2);
        LocalDate last = LocalDate.ofInstant(hi, rule.zone());
        for (; !day.isAfter(last); day = day.plusDays(1)) {
            DayOfWeek dayOfWeek = day.getDayOfWeek();
            for (WeeklyWindow window : rule.windows()) {
                if (!window.opensOn(dayOfWeek)) {
                    continue;
                }
                Interval occurrence = window.occurrenceOpeningOn(day, zone);
                if (occurrence != null && occurrence.overlaps(lo, hi)) {
                    sink.add(clipToValidity(occurrence, validFrom, validUntil));
                }
            }
        }
    }

    private static Interval clipToValidity(Interval occurrence, Instant validFrom, Instant validUntil) {
        boolean clipStart = validFrom != null && validFrom.isAfter(occurrence.start());
        boolean clipEnd = validUntil != null && validUntil.isBefore(occurrence.end());
        if (!clipStart && !clipEnd) {
            return occurrence;
        }
        return new Interval(clipStart ? validFrom : occurrence.start(), clipEnd ? validUntil : occurrence.end());
    }

    private static boolean anyContains(List<Interval> intervals, int fromIndex, Instant t) {
        for (int i = fromIndex; i < intervals.size(); i++) {
            if (intervals.get(i).contains(t)) {
                return true;
            }
        }
        return false;
    }

    /** Of several approved requests holding now, the one lasting longest (then the lowest id) is reported. */
    private static ApprovedWindow approvedHolding(List<ApprovedWindow> approved, Instant now) {
        ApprovedWindow best = null;
        for (ApprovedWindow window : approved) {
            if (window.holds(now) && (best == null || window.end().isAfter(best.end())
                    || (window.end().equals(best.end()) && window.requestId() < best.requestId()))) {
                best = window;
            }
        }
        return best;
    }

    /**
     * The start of the first open stretch strictly after {@code after} and before {@code limit}.
     * {@code open} is merged and has DENY cut out, so consecutive stretches are separated by a gap:
     * each start is an instant that is allowed while the instant just before it is not.
     */
    private static Instant nextStart(List<Interval> open, Instant after, Instant limit) {
        for (Interval stretch : open) {
            if (stretch.start().isAfter(after)) {
                return stretch.start().isBefore(limit) ? stretch.start() : null;
            }
        }
        return null;
    }
}
