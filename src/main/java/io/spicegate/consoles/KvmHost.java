package io.spicegate.consoles;

import io.spicegate.enrollment.AgentHost;
import io.spicegate.enrollment.AgentKind;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import org.hibernate.annotations.DynamicUpdate;

import java.util.Optional;

/**
 * A KVM/QEMU server whose VMs offer SPICE consoles, and that may run a host agent.
 * Dynamic updates: the ticket version is bumped with targeted SQL while an agent's poll
 * touches {@code lastSeenAt} through the entity: only changed columns are written, so a version never goes back.
 */
@Entity
@DynamicUpdate
@Table(name = "kvm_host")
public class KvmHost extends AgentHost {

    /** Address remote-viewer connects to (IP or DNS name). */
    public String address;

    /** The CA that signed the host's SPICE TLS certificate, PEM. */
    public String caPem;

    /** Bumps on every change of what this host's agent must do; it long-polls for a newer one. */
    public long ticketVersion = 1;

    @Override
    public AgentKind kind() {
        return AgentKind.HOST;
    }

    public static Optional<KvmHost> findByName(String name) {
        return find("name", name).firstResultOptional();
    }
}
