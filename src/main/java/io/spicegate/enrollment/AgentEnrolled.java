package io.spicegate.enrollment;

/** CDI event, fired in the enrolling transaction: an agent traded its token for a secret. */
public record AgentEnrolled(AgentKey agent) {
}
