package io.spicegate.access;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A {@link RuleSet}'s decisions, each kept for as long as it stands ({@link AccessPolicy#decideSteady}): a dashboard
 * asked again before any of its consoles' windows opens or closes costs one look-up per console instead of a
 * decision each. A console with an approved request running or ahead is decided afresh every time (approved
 * requests are a per-call fact). Answers exactly what {@link AccessPolicy#decideAll(RuleSet, Collection, Instant)}
 * answers, at any instant, also one earlier than a kept decision (a clock set back decides again).
 * <p>
 * Safe for concurrent callers: a kept entry is immutable and is the answer at every instant of its span, so two
 * callers replacing one another's entries only repeat work.
 */
public final class SteadyDecisions {

    private final RuleSet rules;
    private final AtomicReferenceArray<AccessPolicy.Steady> kept;
    private final AtomicLong made = new AtomicLong();

    public SteadyDecisions(RuleSet rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.kept = new AtomicReferenceArray<>(rules.byConsole().size());
    }

    public RuleSet rules() {
        return rules;
    }

    /** How many decisions were made rather than found kept (tests, and whoever wants to know the hit rate). */
    public long made() {
        return made.get();
    }

    /** The decision for every console of the set and every console with an approved request, sorted by name. */
    public Map<String, Decision> decideAll(Collection<ApprovedWindow> approved, Instant now) {
        return AccessPolicy.decideAll(rules, approved, now, this::steady);
    }

    /** The kept decision of the set's {@code i}-th console, or a new one kept in its place. */
    private Decision steady(int i, List<AccessRule> consoleRules, Instant now) {
        AccessPolicy.Steady s = kept.get(i);
        if (s == null || !s.holdsAt(now)) {
            made.incrementAndGet();
            s = AccessPolicy.decideSteady(consoleRules, now);
            kept.set(i, s);
        }
        return s.decision();
    }
}
