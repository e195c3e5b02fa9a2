package io.spicegate.sessions;

import io.spicegate.enrollment.AgentKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * The version skeleton under grants and tickets: each enrolled machine has a version that bumps, with targeted SQL,
 * on any change of what its agent must do; a bump wakes the agent's long-poll on every replica when it commits.
 */
@ApplicationScoped
public class AgentVersions {

    @Inject EntityManager em;

    /** Marks the agent's work changed, in the caller's transaction, and returns the new version. */
    public long bump(AgentKey agent) {
        String column = agent.kind().versionColumn;
        Number v = (Number) em.createNativeQuery("update " + agent.kind().table + " set " + column + " = " + column
                        + " + 1 where id = ?1 returning " + column)
                .setParameter(1, agent.id()).getSingleResult();
        em.createNativeQuery("select pg_notify('" + GrantNotifier.CHANNEL + "', ?1)")
                .setParameter(1, agent.payload()).getSingleResult();
        return v.longValue();
    }

    /** The agent's current version. */
    @Transactional
    public long version(AgentKey agent) {
        Number v = (Number) em.createNativeQuery("select " + agent.kind().versionColumn + " from " + agent.kind().table
                        + " where id = ?1")
                .setParameter(1, agent.id()).getSingleResult();
        return v.longValue();
    }
}
