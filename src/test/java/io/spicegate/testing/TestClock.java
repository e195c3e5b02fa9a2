package io.spicegate.testing;

import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The portal's clock in tests: set to an instant, moved by hand. Replaces the system clock bean. For tests with a
 * real agent, {@link #follow} makes it tick with the machine's clock plus an offset (a portal whose clock is off);
 * {@link #set} and {@link #berlin} make it fixed again.
 */
@Singleton
public class TestClock extends Clock {

    public static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final Clock SYSTEM = Clock.systemUTC();

    private volatile Instant now = Instant.parse("2026-11-23T09:00:00Z"); // Monday 10:00 in Berlin
    /** Null while fixed; else the clock reads the system clock plus this. */
    private volatile Duration offset;

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return Clock.fixed(instant(), zone);
    }

    @Override
    public Instant instant() {
        Duration ticking = offset;
        return ticking == null ? now : SYSTEM.instant().plus(ticking);
    }

    public void set(Instant instant) {
        this.now = instant;
        this.offset = null;
    }

    /** Sets the clock to a local time in Berlin, e.g. {@code berlin("2026-11-23T10:00")}. */
    public void berlin(String localDateTime) {
        set(LocalDateTime.parse(localDateTime).atZone(BERLIN).toInstant());
    }

    public void advance(Duration d) {
        Duration ticking = offset;
        if (ticking == null) {
            this.now = now.plus(d);
        } else {
            this.offset = ticking.plus(d);
        }
    }

    /** From now on the clock ticks with the system clock, {@code offset} ahead (negative: behind), until set again. */
    public void follow(Duration offset) {
        this.offset = offset;
    }

    /** True while {@link #follow} is in effect. */
    public boolean ticking() {
        return offset != null;
    }
}
