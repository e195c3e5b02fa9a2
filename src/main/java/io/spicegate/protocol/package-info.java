/**
 * The wire between the portal and the agents: the records of {@code /api/agent/v1} and their JSON form
 * ({@link io.spicegate.protocol.ProtocolJson}, the Jackson mix-ins both sides register). java.* and Jackson only;
 * it names nothing else of ours, so the portal and the agent jar share it without pulling each other in.
 */
package io.spicegate.protocol;
