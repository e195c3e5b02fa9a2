package io.spicegate.enrollment;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;

import java.time.Instant;

/**
 * A machine that may run an enrolled agent (a workstation or a KVM host): the agent link columns both tables share.
 * A mapped superclass rather than an embeddable, so that the subclasses' {@code @DynamicUpdate} still writes only
 * the columns that changed: an ack touching {@code lastSeenAt} never writes back a re-enrollment's secret.
 */
@MappedSuperclass
public abstract class AgentHost extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String name;

    /** SHA-256 of the one-time enrollment token (null once used). */
    public String enrollmentTokenHash;

    public Instant enrollmentExpiresAt;

    /** SHA-256 of the agent's secret; null while no agent is enrolled. */
    public String secretHash;

    public Instant enrolledAt;

    public String agentHostname;

    /** The last version the agent acknowledged having applied. */
    public Long ackedVersion;

    public Instant lastSeenAt;

    /** Which kind of agent this machine runs. */
    public abstract AgentKind kind();

    /** Whether the machine may enroll and authenticate its agent now (a disabled workstation may not). */
    public boolean admitted() {
        return true;
    }

    /** Whether an agent is enrolled. */
    public boolean hasAgent() {
        return secretHash != null;
    }

    /** Whether the agent acknowledged {@code version} or a later one. */
    public boolean hasAcked(long version) {
        return ackedVersion != null && ackedVersion >= version;
    }

    /**
     * The agent applied {@code version}: it was seen now. An ack of an older version than one already acknowledged
     * (late, or replayed) does not move the acknowledged version back.
     */
    public void acked(long version, Instant now) {
        lastSeenAt = now;
        ackedVersion = ackedVersion == null ? version : Math.max(ackedVersion, version);
    }

    /** The wake-up key of this machine's agent. */
    public AgentKey key() {
        return new AgentKey(kind(), id);
    }
}
