package io.spicegate.sessions;

import io.spicegate.audit.AuditLog;
import io.spicegate.shared.SpicegateConfig;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import java.time.Clock;

/**
 * What grants and tickets share: work for one kind of enrolled agent, versioned through {@link AgentVersions}
 * (a bump wakes the agent's long-poll), and acknowledged by the agent ({@code AgentHost.acked}) with an audit row
 * per change it confirms.
 */
abstract class AgentWork {

    @Inject Clock clock;
    @Inject EntityManager em;
    @Inject AuditLog audit;
    @Inject SpicegateConfig config;
    @Inject AgentVersions versions;
}
