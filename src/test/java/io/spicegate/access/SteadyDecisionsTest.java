package io.spicegate.access;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A decision kept while it stands ({@link AccessPolicy#decideSteady}, {@link SteadyDecisions}) is the decision made
 * afresh: at random instants of its span, at the span's last nanosecond, and as time walks on, over seeded random
 * rule sets ({@link RandomRules}: zones with DST changes, overnight and whole-day windows, DENY, validity, approvers,
 * max minutes) and random approved requests.
 */
class SteadyDecisionsTest {

    private static final Requester CHARLIE = RandomRules.CHARLIE;
    /** What the random cases covered, so that a degenerate generator (or a span that never lasts) cannot pass. */
    private static final Set<String> SEEN = new TreeSet<>();

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
            26, 27, 28, 29, 30})
    void aKeptDecisionIsTheAnswerAtEveryInstantOfItsSpan(long seed) {
        Random random = new Random(seed);
        List<AccessRule> rules = RandomRules.rules(random, "charlie", true);
        for (int i = 0; i < 40; i++) {
            Instant now = RandomRules.instant(random);
            AccessPolicy.Steady steady = AccessPolicy.decideSteady(rules, now);
            assertEquals(decide(rules, now), steady.decision(), "the kept decision is the one made at its start");
            assertTrue(steady.until().isAfter(now), "a span holds its start");
            assertTrue(!steady.until().isAfter(now.plus(AccessPolicy.STEADY_LOOK)), "a span lasts at most the look");
            Duration span = Duration.between(now, steady.until());
            SEEN.add(span.equals(AccessPolicy.STEADY_LOOK) ? "full look" : span.compareTo(Duration.ofMinutes(1)) < 0
                    ? "under a minute" : "cut by a change");
            List<Instant> probes = new ArrayList<>(List.of(steady.until().minusNanos(1)));
            for (int k = 0; k < 25; k++) {
                probes.add(now.plusNanos((long) (random.nextDouble() * span.toNanos())));
            }
            for (Instant t : probes) {
                assertEquals(steady.decision(), decide(rules, t), "kept from " + now + " until " + steady.until()
                        + ", asked at " + t);
            }
            // the span is cut at a real change, not anywhere: most cuts are where the answer changes
            if (!steady.decision().equals(decide(rules, steady.until()))) {
                SEEN.add("answer changes at the cut");
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {101, 102, 103, 104, 105, 106, 107, 108, 109, 110})
    void keptDecisionsAnswerAsDecideAllAsTimeWalksOnAndBack(long seed) {
        Random random = new Random(seed);
        List<AccessRule> rules = new ArrayList<>();
        for (int c = 0; c < 12; c++) {
            for (AccessRule r : RandomRules.rules(random, "charlie", true)) {
                rules.add(new AccessRule(rules.size(), "c-" + c, r.subject(), r.effect(), r.zone(), r.windows(),
                        r.hasApprovers(), r.maxMinutes(), r.validFrom(), r.validUntil()));
            }
        }
        RuleSet set = RuleSet.of(CHARLIE, rules);
        SteadyDecisions kept = new SteadyDecisions(set);
        Instant t = RandomRules.instant(random);
        int calls = 0;
        for (int step = 0; step < 300; step++) {
            // mostly small steps forward (a dashboard refreshed), now and then hours on, and a clock set back
            t = switch (random.nextInt(10)) {
                case 0 -> t.minusSeconds(random.nextInt(6 * 3600));
                case 1, 2 -> t.plusSeconds(random.nextInt(30 * 3600));
                default -> t.plusSeconds(random.nextInt(600)).plusMillis(random.nextInt(1000));
            };
            List<ApprovedWindow> approved = new ArrayList<>();
            if (random.nextInt(4) == 0) {
                Instant start = t.plusSeconds(random.nextInt(7200) - 3600);
                // some for consoles without any rule (c-12 and on): decided from the request alone
                approved.add(new ApprovedWindow(step, "c-" + random.nextInt(14), start,
                        start.plusSeconds(60 + random.nextInt(7200))));
            }
            Map<String, Decision> fresh = AccessPolicy.decideAll(set, approved, t);
            Map<String, Decision> fromKept = kept.decideAll(approved, t);
            assertEquals(fresh, fromKept, "at " + t + " with " + approved);
            assertEquals(List.copyOf(fresh.keySet()), List.copyOf(fromKept.keySet()), "sorted by console name");
            calls++;
        }
        long consoles = set.byConsole().size();
        assertTrue(kept.made() < calls * consoles / 2, "kept decisions are used: " + kept.made() + " made for "
                + calls + " calls over " + consoles + " consoles");
        SEEN.add("kept decisions used");
    }

    @Test
    void aDecisionAtTheHorizonsEdgeIsNotKeptPastIt() {
        // allowed all day every day, until a validity end 35 days and 2 hours ahead: the stretch has no end in sight
        // until that end comes within the horizon, 2 hours from now
        Instant now = Instant.parse("2026-06-01T00:00:00Z");
        AccessRule rule = RuleBuilder.allow("charlie", "debianx").zone("UTC").always()
                .validUntil(now.plus(AccessPolicy.HORIZON).plus(Duration.ofHours(2)).toString()).build();
        AccessPolicy.Steady steady = AccessPolicy.decideSteady(List.of(rule), now);
        assertEquals(null, steady.decision().until(), "no end in sight yet");
        assertEquals(now.plus(Duration.ofHours(2)), steady.until(), "kept only until the end comes into sight");
        Instant later = steady.until().plusSeconds(1);
        assertEquals(now.plus(AccessPolicy.HORIZON).plus(Duration.ofHours(2)), decide(List.of(rule), later).until());
    }

    @AfterAll
    static void everyKindOfSpanWasChecked() {
        assertTrue(SEEN.containsAll(Set.of("full look", "cut by a change", "answer changes at the cut",
                "kept decisions used")), "covered: " + SEEN);
    }

    private static Decision decide(List<AccessRule> rules, Instant now) {
        return AccessPolicy.decide(CHARLIE, "debianx", rules, List.of(), now);
    }
}
