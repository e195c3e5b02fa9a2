package io.spicegate.agent;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A monotonic clock moved by hand; starts far from zero so that differences, not values, matter. */
final class FakeTicker implements Ticker {

    private final AtomicLong nanos = new AtomicLong(7_000_000_000_000L);

    @Override
    public long nanos() {
        return nanos.get();
    }

    void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }
}
