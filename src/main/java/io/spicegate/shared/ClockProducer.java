package io.spicegate.shared;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;

/** The one source of "now": rules read the injected {@link Clock} once per operation and pass the instant down. */
public class ClockProducer {

    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return new MicrosClock(Clock.systemUTC());
    }

    /**
     * A clock that reads in whole microseconds: what PostgreSQL keeps, so an instant reads back equal to what was
     * written. Not {@code Clock.tick(…, 1 µs)}: that clock's {@code millis()} divides by zero for ticks under a
     * millisecond, which broke every caller of {@code millis()} in the packaged portal (and only there, because the
     * tests swap the clock).
     */
    static final class MicrosClock extends Clock {
        private final Clock base;

        MicrosClock(Clock base) {
            this.base = base;
        }

        @Override
        public Instant instant() {
            return base.instant().truncatedTo(ChronoUnit.MICROS);
        }

        @Override
        public long millis() {
            return base.millis();
        }

        @Override
        public ZoneId getZone() {
            return base.getZone();
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return new MicrosClock(base.withZone(zone));
        }

        @Override
        public String toString() {
            return "MicrosClock[" + base + "]";
        }
    }
}
