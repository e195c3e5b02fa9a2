package io.spicegate.consoles;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.DynamicUpdate;

import java.util.Optional;

/**
 * A KVM/QEMU server whose VMs offer SPICE consoles.
 * Dynamic updates: the ticket version is bumped with targeted SQL while an agent's poll
 * touches {@code lastSeenAt} through the entity: only changed columns are written, so a version never goes back.
 */
@Entity
@DynamicUpdate
@Table(name = "kvm_host")
public class KvmHost extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String name;

    /** Address remote-viewer connects to (IP or DNS name). */
    public String address;

    /** The CA that signed the host's SPICE TLS certificate, PEM. */
    @Column(name = "ca_pem")
    public String caPem;

    /** SHA-256 of the host agent's one-time enrollment token (null once used). */
    @Column(name = "enrollment_token_hash")
    public String enrollmentTokenHash;

    @Column(name = "enrollment_expires_at")
    public java.time.Instant enrollmentExpiresAt;

    /** SHA-256 of the host agent's secret; null while no agent is enrolled. */
    @Column(name = "secret_hash")
    public String secretHash;

    @Column(name = "enrolled_at")
    public java.time.Instant enrolledAt;

    @Column(name = "agent_hostname")
    public String agentHostname;

    /** Bumps on every change of what this host's agent must do; it long-polls for a newer one. */
    @Column(name = "ticket_version")
    public long ticketVersion = 1;

    @Column(name = "acked_version")
    public Long ackedVersion;

    @Column(name = "last_seen_at")
    public java.time.Instant lastSeenAt;

    /** Whether a host agent is enrolled: it sets one-time passwords and guards the console ports. */
    public boolean hasAgent() {
        return secretHash != null;
    }

    public static Optional<KvmHost> findByName(String name) {
        return find("name", name).firstResultOptional();
    }
}
