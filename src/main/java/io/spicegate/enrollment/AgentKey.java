package io.spicegate.enrollment;

/**
 * Names one enrolled machine's agent: what a long-poll waits on and what a change wakes. Its NOTIFY payload is
 * {@code <id>} for a workstation and {@code h<id>} for a KVM host, as replicas of every version read it.
 */
public record AgentKey(AgentKind kind, long id) {

    /** The NOTIFY channel that names agents whose work or credentials changed. */
    public static final String CHANNEL = "spicegate_grants";

    public static AgentKey workstation(long id) {
        return new AgentKey(AgentKind.WORKSTATION, id);
    }

    public static AgentKey host(long id) {
        return new AgentKey(AgentKind.HOST, id);
    }

    /** The NOTIFY payload naming this agent. */
    public String payload() {
        return kind.keyPrefix + id;
    }

    /** The agent a NOTIFY payload names; {@link NumberFormatException} when it names none. */
    public static AgentKey parse(String payload) {
        return payload.startsWith(AgentKind.HOST.keyPrefix)
                ? host(Long.parseLong(payload.substring(AgentKind.HOST.keyPrefix.length())))
                : workstation(Long.parseLong(payload));
    }
}
