package io.spicegate.workstations;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.Table;
import org.hibernate.annotations.DynamicUpdate;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * A Linux client workstation, known by the addresses its requests come from.
 * Dynamic updates: the grant version is bumped with targeted SQL while an agent's poll
 * or ack changes other columns through the entity: only changed columns are written, so a version never goes back.
 */
@Entity
@DynamicUpdate
@Table(name = "workstation")
public class Workstation extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String name;

    public boolean active = true;

    /** IP addresses or CIDR blocks, e.g. {@code 10.0.0.5}, {@code 10.0.1.0/24}, {@code ::1}. */
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "workstation_address", joinColumns = @JoinColumn(name = "workstation_id"))
    @Column(name = "cidr")
    public Set<String> addresses = new LinkedHashSet<>();

    /** SHA-256 of the one-time enrollment token (null once used). */
    @Column(name = "enrollment_token_hash")
    public String enrollmentTokenHash;

    @Column(name = "enrollment_expires_at")
    public java.time.Instant enrollmentExpiresAt;

    /** SHA-256 of the agent's secret; null while no agent is enrolled. */
    @Column(name = "secret_hash")
    public String secretHash;

    @Column(name = "enrolled_at")
    public java.time.Instant enrolledAt;

    @Column(name = "agent_hostname")
    public String agentHostname;

    /** Bumps on every change of this workstation's grants; agents long-poll for a newer one. */
    @Column(name = "grant_version")
    public long grantVersion = 1;

    @Column(name = "acked_version")
    public Long ackedVersion;

    @Column(name = "last_seen_at")
    public java.time.Instant lastSeenAt;

    @Column(name = "agent_version")
    public String agentVersion;

    /** Strict mode: the agent writes the .vv and a sudo rule (seed strategy 3). */
    @Column(name = "strict_mode")
    public boolean strict;

    /** remote-viewer's owner:group mode as the agent last reported it. */
    @Column(name = "remote_viewer")
    public String remoteViewer;

    /** The agent's last drift warning, or null. */
    public String drift;

    public boolean hasAgent() {
        return secretHash != null;
    }

    public static Optional<Workstation> findByName(String name) {
        return find("name", name).firstResultOptional();
    }

    /** Whether a request from this address comes from this workstation. */
    public boolean matches(java.net.InetAddress source) {
        for (String a : addresses) {
            if (Cidr.parse(a).contains(source)) {
                return true;
            }
        }
        return false;
    }
}
