package io.spicegate.shared;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;

/** The one source of "now": rules read the injected {@link Clock} once per operation and pass the instant down. */
public class ClockProducer {

    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        // microseconds: what PostgreSQL keeps, so an instant reads back equal to what was written
        return Clock.tick(Clock.systemUTC(), Duration.ofNanos(1000));
    }
}
