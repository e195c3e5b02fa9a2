package io.spicegate.access;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded random rule sets ({@link RandomRules}) checked for self-consistency: {@code until} is where ALLOWED stops,
 * {@code nextWindowStart} is where it starts again and nothing is allowed in between.
 */
class ConsistencyTest {

    private static final Requester CHARLIE = RandomRules.CHARLIE;
    private static final Duration TICK = Duration.ofNanos(1);
    /** What the random cases covered, so that a degenerate generator cannot pass silently. */
    private static final Set<String> SEEN = new java.util.TreeSet<>();

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void decisionsAgreeWithThemselves(long seed) {
        Random random = new Random(seed);
        List<AccessRule> rules = RandomRules.rules(random, "charlie", false);
        for (int i = 0; i < 40; i++) {
            Instant now = RandomRules.instant(random);
            Decision decision = decide(rules, now);
            SEEN.add(decision.verdict() + (decision.until() != null ? " until" : "") + (decision.nextWindowStart() != null ? " next" : ""));
            assertEquals(decision, AccessPolicy.decideAll(CHARLIE, rules, List.of(), now).get("debianx"), "decideAll differs");

            Instant quietFrom = now;
            if (decision.verdict() == Verdict.ALLOWED) {
                if (decision.until() == null) {
                    assertEquals(null, decision.nextWindowStart());
                    continue;
                }
                assertTrue(decision.until().isAfter(now));
                assertEquals(Verdict.ALLOWED, decide(rules, decision.until().minus(TICK)).verdict(), "just before until");
                assertNotEquals(Verdict.ALLOWED, decide(rules, decision.until()).verdict(), "at until " + decision);
                quietFrom = decision.until();
            }
            Instant next = decision.nextWindowStart();
            Instant quietTo = next != null ? next : now.plus(AccessPolicy.HORIZON);
            if (next != null) {
                assertTrue(next.isAfter(quietFrom), "next after now/until");
                assertEquals(Verdict.ALLOWED, decide(rules, next).verdict(), "at next " + decision);
                assertNotEquals(Verdict.ALLOWED, decide(rules, next.minus(TICK)).verdict(), "just before next");
            }
            // nothing is allowed between now (or until) and the next start
            long span = Duration.between(quietFrom, quietTo).toSeconds();
            for (int k = 0; k < 20 && span > 1; k++) {
                Instant probe = quietFrom.plusSeconds(1 + (long) (random.nextDouble() * (span - 1)));
                assertNotEquals(Verdict.ALLOWED, decide(rules, probe).verdict(), "allowed at " + probe + " inside a quiet span of " + decision);
            }
        }
    }

    @AfterAll
    static void everyKindOfAnswerWasChecked() {
        assertTrue(SEEN.containsAll(Set.of("ALLOWED", "ALLOWED until next", "DENIED", "DENIED next",
                "NEEDS_APPROVAL next")), "covered: " + SEEN);
    }

    private static Decision decide(List<AccessRule> rules, Instant now) {
        return AccessPolicy.decide(CHARLIE, "debianx", rules, List.of(), now);
    }
}
