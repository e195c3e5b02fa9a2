package io.spicegate.sessions;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.spicegate.enrollment.AgentCredentials;
import io.spicegate.enrollment.AgentKey;
import io.spicegate.enrollment.AgentMemory;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.hibernate.query.NativeQuery;

/**
 * The version skeleton under grants and tickets: each enrolled machine has a version that bumps, with targeted SQL,
 * on any change of what its agent must do; a bump wakes the agent's long-poll on every replica when it commits.
 */
@ApplicationScoped
public class AgentVersions {

    @Inject EntityManager em;
    @Inject AgentCredentials credentials;
    @Inject AgentMemory memory;

    private AgentMemory.Memo<Long> remembered;

    @PostConstruct
    void init() {
        remembered = memory.memo();
    }

    /** Marks the agent's work changed, in the caller's transaction, and returns the new version. */
    public long bump(AgentKey agent) {
        String column = agent.kind().versionColumn;
        Number v = (Number) em.createNativeQuery("update " + agent.kind().table + " set " + column + " = " + column
                        + " + 1 where id = ?1 returning " + column)
                .setParameter(1, agent.id())
                // it writes that one table: only pending changes to it are flushed first, not the whole session
                .unwrap(NativeQuery.class).addSynchronizedQuerySpace(agent.kind().table).getSingleResult();
        credentials.signal(agent);
        return v.longValue();
    }

    /** The agent's version when this replica remembers it, else null: memory only, any thread (the event loop too). */
    public Long remembered(AgentKey agent) {
        return remembered.get(agent);
    }

    /**
     * The agent's current version: remembered between its polls (a parked poll's renewal reads no row), forgotten on
     * every replica when a bump's notification arrives.
     */
    public long version(AgentKey agent) {
        Long known = remembered.get(agent);
        if (known != null) {
            return known;
        }
        long since = memory.generation();
        // a version read inside a transaction may be that transaction's own uncommitted bump: never remembered
        boolean committed = !QuarkusTransaction.isActive();
        long v = QuarkusTransaction.joiningExisting().call(() -> ((Number) em.createNativeQuery("select "
                        + agent.kind().versionColumn + " from " + agent.kind().table + " where id = ?1")
                .setParameter(1, agent.id()).getSingleResult()).longValue());
        if (committed) {
            remembered.put(agent, v, since);
        }
        return v;
    }
}
