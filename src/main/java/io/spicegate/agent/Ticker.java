package io.spicegate.agent;

/** A monotonic clock in nanoseconds (System.nanoTime in production, moved by hand in tests). */
@FunctionalInterface
public interface Ticker {

    /** The system's monotonic clock: immune to wall-clock steps and to skew against the portal. */
    Ticker SYSTEM = System::nanoTime;

    /** Nanoseconds since an arbitrary origin; only differences mean anything. */
    long nanos();
}
