package io.spicegate.access;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
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
 * Seeded random rule sets (several zones, DST change days, overnight and whole-day windows, DENY,
 * validity ranges) checked for self-consistency: {@code until} is where ALLOWED stops,
 * {@code nextWindowStart} is where it starts again and nothing is allowed in between.
 */
class ConsistencyTest {

    private static final List<String> ZONES = List.of("Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe");
    private static final Instant YEAR_START = Instant.parse("2026-01-01T00:00:00Z");
    private static final Requester CHARLIE = Requester.of("charlie", "accounting");
    private static final Duration TICK = Duration.ofNanos(1);
    /** What the random cases covered, so that a degenerate generator cannot pass silently. */
    private static final Set<String> SEEN = new java.util.TreeSet<>();

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void decisionsAgreeWithThemselves(long seed) {
        Random random = new Random(seed);
        List<AccessRule> rules = randomRules(random);
        for (int i = 0; i < 40; i++) {
            Instant now = randomInstant(random);
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

    private static Instant randomInstant(Random random) {
        // a third on DST change days of the zones used, the rest anywhere in 2026, at odd seconds too
        String[] changeDays = {"2026-03-08", "2026-03-29", "2026-04-05", "2026-10-04", "2026-10-25", "2026-11-01"};
        if (random.nextInt(3) == 0) {
            Instant day = Instant.parse(changeDays[random.nextInt(changeDays.length)] + "T00:00:00Z").minus(Duration.ofHours(12));
            return day.plusSeconds(random.nextInt(36 * 3600));
        }
        return YEAR_START.plusSeconds(random.nextInt(365 * 24 * 3600)).plusMillis(random.nextInt(1000));
    }

    private static List<AccessRule> randomRules(Random random) {
        List<AccessRule> rules = new ArrayList<>();
        int count = 1 + random.nextInt(6);
        for (int i = 0; i < count; i++) {
            List<WeeklyWindow> windows = new ArrayList<>();
            int windowCount = random.nextInt(3) + (i == 0 ? 1 : 0);
            for (int w = 0; w < windowCount; w++) {
                Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
                int dayCount = 1 + random.nextInt(7);
                while (days.size() < dayCount) {
                    days.add(DayOfWeek.of(1 + random.nextInt(7)));
                }
                windows.add(new WeeklyWindow(days, randomTime(random), randomTime(random)));
            }
            Effect effect = random.nextInt(4) == 0 ? Effect.DENY : Effect.ALLOW;
            Subject subject = random.nextBoolean() ? Subject.user("charlie") : Subject.group("accounting");
            Instant validFrom = random.nextInt(4) == 0 ? randomInstant(random) : null;
            Instant validUntil = random.nextInt(4) == 0 ? randomInstant(random) : null;
            if (validFrom != null && validUntil != null && !validFrom.isBefore(validUntil)) {
                validUntil = null;
            }
            rules.add(new AccessRule(i, "debianx", subject, effect, ZoneId.of(ZONES.get(random.nextInt(ZONES.size()))),
                    windows, random.nextBoolean(), null, validFrom, validUntil));
        }
        return rules;
    }

    /** Mostly round times, some in the small hours where DST changes happen. */
    private static LocalTime randomTime(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> LocalTime.of(random.nextInt(24), 0);
            case 1 -> LocalTime.of(random.nextInt(4), 30 * random.nextInt(2));
            default -> LocalTime.of(random.nextInt(24), random.nextInt(60));
        };
    }
}
