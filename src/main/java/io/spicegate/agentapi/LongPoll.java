package io.spicegate.agentapi;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.spicegate.enrollment.AgentKey;
import io.spicegate.sessions.AgentVersions;
import io.spicegate.sessions.GrantNotifier;
import io.spicegate.shared.Problem;
import io.spicegate.shared.SpicegateConfig;
import io.vertx.core.Context;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The agents' long-poll, for grants and tickets alike: answers at once when the agent's version differs from
 * {@code after}, else at the next change or after the poll time. It holds no thread while it waits: it parks on a
 * future that {@link GrantNotifier} completes.
 */
@ApplicationScoped
public class LongPoll {

    @Inject GrantNotifier notifier;
    @Inject AgentVersions versions;
    @Inject SpicegateConfig config;

    private final Counter reads;
    private final Counter unchangedAnswers;

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
     * Answers {@code read} of the agent now or at its next change. A poll that ends with no change answers
     * {@code unchanged} of the agent and its version (still {@code after}: any change would have woken it) when that is
     * not null, with no database work.
     * <p>
     * The renewal of an idle agent this replica remembers (its bearer and its version, {@code remembered} answering
     * from memory) parks at once on the calling thread, the event loop; anything else authenticates and reads on a
     * worker thread ({@code authenticate} may ask the database).
     */
    public <T> Uni<T> answer(Supplier<AgentKey> remembered, Supplier<AgentKey> authenticate, Supplier<AgentKey> again,
                             Long after, Integer wait, Function<AgentKey, T> read, BiFunction<AgentKey, Long, T> unchanged) {
        Duration held = held(wait);
        AgentKey known = after == null ? null : remembered.get();
        if (known != null) {
            // registered before the version is looked at: a bump in between completes it
            CompletableFuture<Void> change = notifier.next(known);
            Long version = versions.remembered(known);
            if (version != null && version.longValue() == after) {
                return parked(known, change, after, held, again, read, unchanged);
            }
            notifier.forget(known, change);
        }
        return Uni.createFrom().item(authenticate)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onItem().transformToUni(agent -> {
                    CompletableFuture<Void> change = notifier.next(agent);
                    if (after == null || versions.version(agent) != after) {
                        notifier.forget(agent, change);
                        return Uni.createFrom().item(() -> {
                            reads.increment();
                            return read.apply(agent);
                        });
                    }
                    return parked(agent, change, after, held, again, read, unchanged);
                });
    }

    /**
     * Waits for {@code change} at most {@code held}. A wake-up arrives on the notification thread, and is answered on
     * a worker thread (it reads the database). A poll that ran out is answered where its timer fired, a worker
     * thread, without another hop: mostly from memory.
     */
    private <T> Uni<T> parked(AgentKey agent, CompletableFuture<Void> change, long after, Duration held,
                              Supplier<AgentKey> again, Function<AgentKey, T> read, BiFunction<AgentKey, Long, T> unchanged) {
        return Uni.createFrom().completionStage(change)
                .ifNoItem().after(held).recoverWithItem((Void) null)
                .onItem().transformToUni(x -> {
                    // the poll time ran out: Mutiny cancelled the future, which is no change (a wake completes it
                    // normally; one racing the cancel finds the agent forgotten, and reads)
                    boolean woken = change.isDone() && !change.isCancelled();
                    Uni<T> answer = Uni.createFrom().item(() -> finish(agent, change, after, woken, again, read, unchanged));
                    return woken || Context.isOnEventLoopThread()
                            ? answer.runSubscriptionOn(Infrastructure.getDefaultWorkerPool()) : answer;
                });
    }

    private <T> T finish(AgentKey agent, CompletableFuture<Void> change, long after, boolean woken,
                         Supplier<AgentKey> again, Function<AgentKey, T> read, BiFunction<AgentKey, Long, T> unchanged) {
        notifier.forget(agent, change);
        if (notifier.stopping()) {
            // this replica is going away: the agent polls again (another replica, or this one restarted)
            throw Problem.notReady("This portal is restarting: poll again.", 1);
        }
        T same = woken ? null : unchanged.apply(agent, after);
        if (same != null) {
            unchangedAnswers.increment();
            return same;
        }
        // a wake may be the change that revoked, re-enrolled or removed this agent: its bearer is asked of the
        // database before anything is read for it (401 when revoked)
        if (!agent.equals(again.get())) {
            throw new Problem(401, "This agent's credentials changed: enroll again.");
        }
        reads.increment();
        return read.apply(agent);
    }
}
