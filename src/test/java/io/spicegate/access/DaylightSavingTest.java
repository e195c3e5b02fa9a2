package io.spicegate.access;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.spicegate.access.TestData.at;
import static io.spicegate.access.TestData.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Both DST changes. Europe/Berlin 2026-03-29: 02:00 CET jumps to 03:00 CEST at 01:00Z;
 * 2026-10-25: 03:00 CEST falls back to 02:00 CET at 01:00Z. America/New_York 2026-03-08 and 2026-11-01.
 */
class DaylightSavingTest {

    @ParameterizedTest(name = "{0} {1} in {2} → {3}")
    @CsvSource(textBlock = """
            # a local time inside the spring-forward gap is the transition instant (not ZonedDateTime's 03:30 CEST)
            2026-03-29T02:30, Europe/Berlin,    2026-03-29T01:00:00Z
            2026-03-29T02:00, Europe/Berlin,    2026-03-29T01:00:00Z
            2026-03-29T02:59:59, Europe/Berlin, 2026-03-29T01:00:00Z
            2026-03-29T03:00, Europe/Berlin,    2026-03-29T01:00:00Z
            2026-03-29T01:59, Europe/Berlin,    2026-03-29T00:59:00Z
            2026-03-29T03:01, Europe/Berlin,    2026-03-29T01:01:00Z
            # a local time inside the fall-back overlap is read at the earlier offset (+02:00)
            2026-10-25T02:30, Europe/Berlin,    2026-10-25T00:30:00Z
            2026-10-25T02:00, Europe/Berlin,    2026-10-25T00:00:00Z
            2026-10-25T03:00, Europe/Berlin,    2026-10-25T02:00:00Z
            2026-10-25T01:59, Europe/Berlin,    2026-10-24T23:59:00Z
            2026-03-08T02:30, America/New_York, 2026-03-08T07:00:00Z
            2026-11-01T01:30, America/New_York, 2026-11-01T05:30:00Z
            2026-11-23T08:00, UTC,              2026-11-23T08:00:00Z
            2026-11-23T08:00, +05:30,           2026-11-23T02:30:00Z
            """)
    void localTimesResolveToInstants(String local, String zone, String expected) {
        LocalDateTime dateTime = LocalDateTime.parse(local);
        Instant actual = LocalInstants.resolve(dateTime.toLocalDate(), dateTime.toLocalTime(), ZoneId.of(zone).getRules());
        assertEquals(Instant.parse(expected), actual);
    }

    @ParameterizedTest(name = "Sun {0}–{1} {2} at {3}: {4}")
    @CsvSource(nullValues = "-", textBlock = """
            # from,  to,     zone,          now,                   verdict, until,                next
            # spring-forward: a window opening in the gap opens at the first instant after it
            02:30, 05:00, Europe/Berlin,    2026-03-29T00:59:59Z,  DENIED,  -,                    2026-03-29T01:00:00Z
            02:30, 05:00, Europe/Berlin,    2026-03-29T01:00:00Z,  ALLOWED, 2026-03-29T03:00:00Z, 2026-04-05T00:30:00Z
            02:30, 05:00, Europe/Berlin,    2026-03-29T02:59:59Z,  ALLOWED, 2026-03-29T03:00:00Z, 2026-04-05T00:30:00Z
            02:30, 05:00, Europe/Berlin,    2026-03-29T03:00:00Z,  DENIED,  -,                    2026-04-05T00:30:00Z
            02:30, 05:00, Europe/Berlin,    2026-03-22T01:00:00Z,  DENIED,  -,                    2026-03-22T01:30:00Z
            # ... and a window closing in the gap closes there
            00:00, 02:30, Europe/Berlin,    2026-03-29T00:59:59Z,  ALLOWED, 2026-03-29T01:00:00Z, 2026-04-04T22:00:00Z
            00:00, 02:30, Europe/Berlin,    2026-03-29T01:00:00Z,  DENIED,  -,                    2026-04-04T22:00:00Z
            # a window lying wholly in the gap does not happen that day
            02:00, 03:00, Europe/Berlin,    2026-03-29T00:00:00Z,  DENIED,  -,                    2026-04-05T00:00:00Z
            02:00, 03:00, Europe/Berlin,    2026-03-29T01:00:00Z,  DENIED,  -,                    2026-04-05T00:00:00Z
            # the whole day is 23 hours long
            00:00, 00:00, Europe/Berlin,    2026-03-29T21:59:59Z,  ALLOWED, 2026-03-29T22:00:00Z, 2026-04-04T22:00:00Z
            # fall-back: 02:30 is read at +02:00, the first time it happens
            02:30, 05:00, Europe/Berlin,    2026-10-25T00:29:59Z,  DENIED,  -,                    2026-10-25T00:30:00Z
            02:30, 05:00, Europe/Berlin,    2026-10-25T00:30:00Z,  ALLOWED, 2026-10-25T04:00:00Z, 2026-11-01T01:30:00Z
            02:30, 05:00, Europe/Berlin,    2026-10-25T01:30:00Z,  ALLOWED, 2026-10-25T04:00:00Z, 2026-11-01T01:30:00Z
            # a window closing at 02:30 closes at the first 02:30: the second 02:15 is outside
            00:00, 02:30, Europe/Berlin,    2026-10-25T00:29:59Z,  ALLOWED, 2026-10-25T00:30:00Z, 2026-10-31T23:00:00Z
            00:00, 02:30, Europe/Berlin,    2026-10-25T01:15:00Z,  DENIED,  -,                    2026-10-31T23:00:00Z
            # 02:00–03:00 lasts two hours that night
            02:00, 03:00, Europe/Berlin,    2026-10-25T01:59:59Z,  ALLOWED, 2026-10-25T02:00:00Z, 2026-11-01T01:00:00Z
            # the whole day is 25 hours long
            00:00, 00:00, Europe/Berlin,    2026-10-25T22:59:59Z,  ALLOWED, 2026-10-25T23:00:00Z, 2026-10-31T23:00:00Z
            # New York changes on other dates
            02:30, 04:00, America/New_York, 2026-03-08T07:00:00Z,  ALLOWED, 2026-03-08T08:00:00Z, 2026-03-15T06:30:00Z
            01:30, 03:00, America/New_York, 2026-11-01T05:29:59Z,  DENIED,  -,                    2026-11-01T05:30:00Z
            01:30, 03:00, America/New_York, 2026-11-01T05:30:00Z,  ALLOWED, 2026-11-01T08:00:00Z, 2026-11-08T06:30:00Z
            """)
    void sundayWindowOnChangeDays(String from, String to, String zone, String now, Verdict verdict, String until, String next) {
        AccessRule rule = RuleBuilder.allow("charlie", "debianx").zone(zone).window(DayOfWeek.SUNDAY, from, to).build();
        Decision decision = AccessPolicy.decide(user("charlie"), "debianx", List.of(rule), List.of(), at(now));
        Expect.decision(decision, verdict, until, next);
    }

    @ParameterizedTest(name = "Sat 22:00–06:00 at {0}: {1}")
    @CsvSource(nullValues = "-", textBlock = """
            # overnight across spring-forward: 22:00 CET to 06:00 CEST, 7 hours
            2026-03-28T20:59:59Z,  DENIED,  -,                    2026-03-28T21:00:00Z
            2026-03-28T21:00:00Z,  ALLOWED, 2026-03-29T04:00:00Z, 2026-04-04T20:00:00Z
            2026-03-29T03:59:59Z,  ALLOWED, 2026-03-29T04:00:00Z, 2026-04-04T20:00:00Z
            # overnight across fall-back: 22:00 CEST to 06:00 CET, 9 hours
            2026-10-24T20:00:00Z,  ALLOWED, 2026-10-25T05:00:00Z, 2026-10-31T21:00:00Z
            2026-10-25T04:59:59Z,  ALLOWED, 2026-10-25T05:00:00Z, 2026-10-31T21:00:00Z
            """)
    void overnightWindowAcrossChanges(String now, Verdict verdict, String until, String next) {
        AccessRule rule = RuleBuilder.allow("charlie", "debianx").window(DayOfWeek.SATURDAY, "22:00", "06:00").build();
        Decision decision = AccessPolicy.decide(user("charlie"), "debianx", List.of(rule), List.of(), at(now));
        Expect.decision(decision, verdict, until, next);
    }
}
