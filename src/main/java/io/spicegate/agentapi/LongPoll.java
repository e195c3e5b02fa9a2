package io.spicegate.agentapi;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.spicegate.enrollment.AgentCredentials;
import io.spicegate.enrollment.AgentKey;
import io.spicegate.enrollment.AgentKind;
import io.spicegate.sessions.AgentVersions;
import io.spicegate.sessions.GrantNotifier;
import io.spicegate.shared.Problem;
import io.spicegate.shared.SpicegateConfig;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The agents' long-poll, for grants and tickets alike: answers at once when the agent's version differs from
 * {@code after}, else at the next change or after the poll time. It holds no thread while it waits: it parks on a
 * future that {@link GrantNotifier} completes.
 */
@ApplicationScoped
public class LongPoll {

    @Inject GrantNotifier notifier;
    @Inject AgentVersions versions;
    @Inject AgentCredentials credentials;
    @Inject SpicegateConfig config;
    @Inject Vertx vertx;

    private final Counter reads;
    private final Counter unchangedAnswers;

    /**
     * What an agent of {@code kind} polls for: {@code read} of the agent reads it (the database), {@code unchanged} of
     * the agent and the version it has answers it from memory after a wait with no change, or null when it cannot.
     */
    public record Work<T>(AgentKind kind, Function<AgentKey, T> read, BiFunction<AgentKey, Long, T> unchanged) {
    }

    @Inject
    LongPoll(MeterRegistry metrics) {
        // Prometheus: spicegate_agent_poll_answers_total{answer="read"|"unchanged"}
        reads = Counter.builder("spicegate_agent_poll_answers").tag("answer", "read")
                .description("agent polls answered by reading the agent's work from the database").register(metrics);
        unchangedAnswers = Counter.builder("spicegate_agent_poll_answers").tag("answer", "unchanged")
                .description("agent polls that ended with no change, answered from this replica's memory").register(metrics);
    }

    /**
     * How long a poll is held: what the agent says it waits ({@code wait}, seconds), at most the poll setting; an
     * agent that does not say is an older one, which gives up after 35 s.
     */
    Duration held(Integer wait) {
        int max = config.agent().pollSeconds();
        if (wait == null) {
            return Duration.ofSeconds(Math.min(SpicegateConfig.Agent.LEGACY_POLL_SECONDS, max));
        }
        if (wait < 1) {
            throw Problem.badRequest("wait is how many seconds the agent waits for an answer: send a whole number of "
                    + "at least 1 (or leave it out).");
        }
        return Duration.ofSeconds(Math.min(wait, max));
    }

    /**
     * Answers the agent's {@code work} now or at its next change, on a worker thread (it authenticates the bearer in
     * {@code authorization}, which may ask the database). A poll that ends with no change is answered from memory
     * where it can ({@link Work#unchanged}).
     */
    public <T> Uni<T> answer(Work<T> work, String authorization, Long after, Integer wait) {
        Duration held = held(wait);
        if (notifier.stopping()) {
            throw restarting();
        }
        return Uni.createFrom().item(() -> credentials.authenticate(work.kind(), authorization))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onItem().transformToUni(agent -> {
                    CompletableFuture<Void> change = notifier.next(agent);
                    if (after == null || versions.version(agent) != after) {
                        notifier.forget(agent, change);
                        return Uni.createFrom().item(() -> {
                            reads.increment();
                            return work.read().apply(agent);
                        });
                    }
                    return Uni.createFrom().completionStage(parked(work, authorization, agent, change, after, held));
                });
    }

    /**
     * The renewal of an idle agent this replica remembers (its bearer and its version {@code after}), parked at once
     * from memory on the calling thread, the event loop: the answer at its next change or after {@code held}. Null
     * when this replica does not remember the agent at that version, or is stopping: then {@link #answer} it. A malformed
     * {@code authorization} is a {@link Problem}.
     */
    public <T> CompletableFuture<T> renewal(Work<T> work, String authorization, long after, Duration held) {
        AgentKey known = notifier.stopping() ? null : credentials.remembered(work.kind(), authorization);
        if (known == null) {
            return null;
        }
        // registered before the version is looked at: a bump in between completes it
        CompletableFuture<Void> change = notifier.next(known);
        Long version = versions.remembered(known);
        if (version == null || version.longValue() != after) {
            notifier.forget(known, change);
            return null;
        }
        return parked(work, authorization, known, change, after, held);
    }

    /**
     * Waits for {@code change} at most {@code held}. A wake-up is answered on a worker thread (it reads the database);
     * a poll that ran out is answered where its timer fired, from memory, or on a worker thread when memory cannot.
     */
    private <T> CompletableFuture<T> parked(Work<T> work, String authorization, AgentKey agent,
                                            CompletableFuture<Void> change, long after, Duration held) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        long timer = vertx.setTimer(Math.max(1, held.toMillis()), id -> {
            // exactly one of the wake and the time-out wins the future
            if (change.cancel(false) && ended(answer, agent, change)) {
                T same;
                try {
                    same = unchanged(work, agent, after);
                } catch (RuntimeException broken) {
                    answer.completeExceptionally(broken);
                    return;
                }
                if (same != null) {
                    answer.complete(same);
                } else {
                    onWorker(answer, () -> read(work, authorization, agent));
                }
            }
        });
        change.whenComplete((x, cancelled) -> {
            if (cancelled == null) {
                vertx.cancelTimer(timer);
                if (ended(answer, agent, change)) {
                    onWorker(answer, () -> read(work, authorization, agent));
                }
            }
        });
        return answer;
    }

    private static <T> void onWorker(CompletableFuture<T> answer, java.util.concurrent.Callable<T> work) {
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            try {
                answer.complete(work.call());
            } catch (Throwable t) {
                answer.completeExceptionally(t);
            }
        });
    }

    /**
     * A parked poll ends, where it woke or ran out (memory only): the notifier forgets it. While this replica stops,
     * {@code answer} is the 503 at once, before the HTTP server closes, and false is returned.
     */
    private boolean ended(CompletableFuture<?> answer, AgentKey agent, CompletableFuture<Void> change) {
        notifier.forget(agent, change);
        if (notifier.stopping()) {
            answer.completeExceptionally(restarting());
            return false;
        }
        return true;
    }

    /** This replica is going away: the agent polls again (another replica, or this one restarted). */
    private static Problem restarting() {
        return Problem.notReady("This portal is restarting: poll again.", 1);
    }

    /** The answer to a poll that ran out with no change, from memory (no database work); null when memory cannot. */
    private <T> T unchanged(Work<T> work, AgentKey agent, long after) {
        T same = work.unchanged().apply(agent, after);
        if (same != null) {
            unchangedAnswers.increment();
        }
        return same;
    }

    /**
     * Reads the agent's work after a wait. A wake may be the change that revoked, re-enrolled or removed this agent:
     * its bearer is asked of the database before anything is read for it (401 when revoked).
     */
    private <T> T read(Work<T> work, String authorization, AgentKey agent) {
        if (!agent.equals(credentials.authenticateAgain(work.kind(), authorization))) {
            throw new Problem(401, "This agent's credentials changed: enroll again.");
        }
        reads.increment();
        return work.read().apply(agent);
    }
}
