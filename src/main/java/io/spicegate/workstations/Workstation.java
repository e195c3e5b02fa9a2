package io.spicegate.workstations;

import io.spicegate.enrollment.AgentHost;
import io.spicegate.enrollment.AgentKind;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
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
public class Workstation extends AgentHost {

    public boolean active = true;

    /** IP addresses or CIDR blocks, e.g. {@code 10.0.0.5}, {@code 10.0.1.0/24}, {@code ::1}. */
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "workstation_address", joinColumns = @JoinColumn(name = "workstation_id"))
    @Column(name = "cidr")
    public Set<String> addresses = new LinkedHashSet<>();

    /** Bumps on every change of this workstation's grants; agents long-poll for a newer one. */
    public long grantVersion = 1;

    public String agentVersion;

    /** Strict mode: the agent writes the .vv and a sudo rule (seed strategy 3). */
    @Column(name = "strict_mode")
    public boolean strict;

    /** remote-viewer's owner:group mode as the agent last reported it. */
    public String remoteViewer;

    /** The agent's last drift warning, or null. */
    public String drift;

    @Override
    public AgentKind kind() {
        return AgentKind.WORKSTATION;
    }

    /** A disabled workstation's agent neither enrolls nor authenticates. */
    @Override
    public boolean admitted() {
        return active;
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
