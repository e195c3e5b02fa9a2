package io.spicegate.agent;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * An agent of one kind as a process: its {@link PollLoop} is started once, stopped by SIGTERM, and tells the exit
 * code; the subclass is the loop's {@link PollLoop.Workload}.
 */
abstract class PollingAgent<S> implements PollLoop.Workload<S> {

    /** The loop that drives this agent. */
    final PollLoop<S> loop;

    PollingAgent(AgentConfig config, StateDir state, PollLoop.Kind<S> kind, Duration tickInterval) {
        this.loop = new PollLoop<>(config, state, kind, this, tickInterval);
    }

    /** Closes what the agent guards (from what state.dir kept) before anything else, then starts polling and the timer. */
    public void start() throws IOException {
        loop.start();
    }

    /** Stops polling and leaves the closed state. Safe to call twice. */
    public void stop() {
        loop.stop();
    }

    /** Completes with the process exit code: 0 after {@link #stop()}, {@link Agent#EXIT_CONFIG} when enrollment is impossible. */
    public CompletableFuture<Integer> exitCode() {
        return loop.exitCode();
    }
}
