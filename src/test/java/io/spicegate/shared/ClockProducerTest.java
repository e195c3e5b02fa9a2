package io.spicegate.shared;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The production clock, as the packaged portal uses it (the {@code @QuarkusTest}s swap it for a test clock). */
class ClockProducerTest {

    private final Clock clock = new ClockProducer().clock();

    @Test
    void millisWorks() {
        // Clock.tick(…, 1 µs).millis() threw ArithmeticException: / by zero (issue 13, point 12)
        long before = System.currentTimeMillis();
        long millis = clock.millis();
        assertTrue(millis >= before && millis <= System.currentTimeMillis() + 1, "millis() " + millis);
    }

    @Test
    void instantsAreWholeMicroseconds() {
        Instant now = clock.instant();
        assertEquals(now.truncatedTo(ChronoUnit.MICROS), now);
        assertEquals(ZoneOffset.UTC, clock.getZone());
    }

    @Test
    void aZonedCopyKeepsMicroseconds() {
        Clock berlin = clock.withZone(java.time.ZoneId.of("Europe/Berlin"));
        assertEquals(java.time.ZoneId.of("Europe/Berlin"), berlin.getZone());
        Instant now = berlin.instant();
        assertEquals(now.truncatedTo(ChronoUnit.MICROS), now);
        berlin.millis();
    }
}
