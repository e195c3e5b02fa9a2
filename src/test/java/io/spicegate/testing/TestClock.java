package io.spicegate.testing;

import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The portal's clock in tests: set to an instant, moved by hand. Replaces the system clock bean. */
@Singleton
public class TestClock extends Clock {

    public static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private volatile Instant now = Instant.parse("2026-11-23T09:00:00Z"); // Monday 10:00 in Berlin

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return Clock.fixed(now, zone);
    }

    @Override
    public Instant instant() {
        return now;
    }

    public void set(Instant instant) {
        this.now = instant;
    }

    /** Sets the clock to a local time in Berlin, e.g. {@code berlin("2026-11-23T10:00")}. */
    public void berlin(String localDateTime) {
        this.now = LocalDateTime.parse(localDateTime).atZone(BERLIN).toInstant();
    }

    public void advance(Duration d) {
        this.now = now.plus(d);
    }
}
