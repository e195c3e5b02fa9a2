package io.spicegate.enrollment;

import io.spicegate.audit.AuditLog;

import java.util.Locale;

/**
 * The two kinds of enrolled agent: a workstation's (grants, DESIGN.md rule 3) and a KVM host's (one-time passwords).
 * Everything that differs between them on the portal side is named here once.
 */
public enum AgentKind {

    WORKSTATION("Workstation", "workstation", "grant_version", "sgw_", "sga_", "", "",
            "This agent is not enrolled here, or its workstation was removed or disabled: drop every grant."),
    HOST("KvmHost", "kvm_host", "ticket_version", "sgh_", "sgk_", "h", "HOST_",
            "This agent is not enrolled here as a KVM host agent, or its host was removed or re-enrolled: let nobody in.");

    /** The JPA entity name of the machines of this kind. */
    final String entity;
    /** The table and version column that the version skeleton bumps with targeted SQL. */
    public final String table;
    public final String versionColumn;
    /** Where a call of an agent of this kind is noted (in batches). */
    final io.spicegate.shared.Touches.Column lastSeen;
    /** How an enrollment token and an agent secret of this kind start; the token prefix picks the kind on enroll. */
    public final String tokenPrefix;
    final String secretPrefix;
    /** How a wake-up payload names a machine of this kind: {@code <prefix><id>}. */
    final String keyPrefix;
    private final String auditPrefix;
    final String notEnrolled;

    AgentKind(String entity, String table, String versionColumn, String tokenPrefix, String secretPrefix,
              String keyPrefix, String auditPrefix, String notEnrolled) {
        this.entity = entity;
        this.table = table;
        this.versionColumn = versionColumn;
        this.lastSeen = new io.spicegate.shared.Touches.Column(table, "last_seen_at");
        this.tokenPrefix = tokenPrefix;
        this.secretPrefix = secretPrefix;
        this.keyPrefix = keyPrefix;
        this.auditPrefix = auditPrefix;
        this.notEnrolled = notEnrolled;
    }

    /** The kind an enrollment token is for: host tokens say so, anything else is tried as a workstation's. */
    static AgentKind ofToken(String token) {
        return token != null && token.strip().startsWith(HOST.tokenPrefix) ? HOST : WORKSTATION;
    }

    /** The mode an enrolled agent is told: {@code workstation} or {@code host}. */
    String mode() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** An audit row about the machine {@code name}: a workstation's names it, a host's says so in the detail. */
    AuditLog.Entry event(String action, String name, String detail) {
        AuditLog.Entry e = AuditLog.event(auditPrefix + action);
        return this == HOST ? e.detail("host " + name + ", " + detail) : e.workstation(name).detail(detail);
    }
}
