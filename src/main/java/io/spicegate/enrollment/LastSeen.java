package io.spicegate.enrollment;

import io.spicegate.shared.Touches;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;

/**
 * When each agent last called this replica, written to {@code last_seen_at} of its workstation or host in batches
 * ({@link Touches}: one statement per kind every {@code spicegate.agent.last-seen-flush-seconds} and at shutdown),
 * instead of a row write per poll.
 */
@ApplicationScoped
public class LastSeen {

    @Inject Touches touches;

    /** The agent called in at {@code now}. */
    public void seen(AgentKey agent, Instant now) {
        touches.touch(agent.kind().lastSeen, agent.id(), now);
    }

    /** How many agents wait to be written. */
    public int pending() {
        int n = 0;
        for (AgentKind kind : AgentKind.values()) {
            n += touches.pending(kind.lastSeen);
        }
        return n;
    }

    /** Writes what is pending (agents' and everything else batched alike); returns the statements run. */
    public int flush() {
        return touches.flush();
    }
}
