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

/**
 * Seeded random rule sets for console "debianx": several zones (one with a half-hour DST change), DST change days,
 * overnight and whole-day windows, DENY, validity ranges, approvers; subjects the user or group "accounting".
 */
final class RandomRules {

    static final Requester CHARLIE = Requester.of("charlie", "accounting");
    private static final List<String> ZONES = List.of("Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe");
    private static final Instant YEAR_START = Instant.parse("2026-01-01T00:00:00Z");

    private RandomRules() {
    }

    static Instant instant(Random random) {
        // a third on DST change days of the zones used, the rest anywhere in 2026, at odd seconds too
        String[] changeDays = {"2026-03-08", "2026-03-29", "2026-04-05", "2026-10-04", "2026-10-25", "2026-11-01"};
        if (random.nextInt(3) == 0) {
            Instant day = Instant.parse(changeDays[random.nextInt(changeDays.length)] + "T00:00:00Z").minus(Duration.ofHours(12));
            return day.plusSeconds(random.nextInt(36 * 3600));
        }
        return YEAR_START.plusSeconds(random.nextInt(365 * 24 * 3600)).plusMillis(random.nextInt(1000));
    }

    static List<AccessRule> rules(Random random, String user, boolean withMaxMinutes) {
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
                windows.add(new WeeklyWindow(days, time(random), time(random)));
            }
            Effect effect = random.nextInt(4) == 0 ? Effect.DENY : Effect.ALLOW;
            Subject subject = random.nextBoolean() ? Subject.user(user) : Subject.group("accounting");
            Instant validFrom = random.nextInt(4) == 0 ? instant(random) : null;
            Instant validUntil = random.nextInt(4) == 0 ? instant(random) : null;
            if (validFrom != null && validUntil != null && !validFrom.isBefore(validUntil)) {
                validUntil = null;
            }
            rules.add(new AccessRule(i, "debianx", subject, effect, ZoneId.of(ZONES.get(random.nextInt(ZONES.size()))),
                    windows, random.nextBoolean(), withMaxMinutes && random.nextBoolean() ? 15 * (1 + random.nextInt(16)) : null,
                    validFrom, validUntil));
        }
        return rules;
    }

    /** Mostly round times, some in the small hours where DST changes happen. */
    static LocalTime time(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> LocalTime.of(random.nextInt(24), 0);
            case 1 -> LocalTime.of(random.nextInt(4), 30 * random.nextInt(2));
            default -> LocalTime.of(random.nextInt(24), random.nextInt(60));
        };
    }
}
