/**
 * The wire between the portal and the agents: the records of {@code /api/agent/v1} and their JSON form
 * ({@link io.spicegate.protocol.ProtocolJson}, the Jackson mix-ins both sides register), and how the plain-Java
 * clients reach the portal ({@link io.spicegate.protocol.PortalHttp}, for the agents and the {@code spicegate}
 * command). java.*, javax.net.ssl and Jackson only; it names nothing else of ours, so the portal, the agent jar and
 * the command share it without pulling each other in.
 */
package io.spicegate.protocol;
