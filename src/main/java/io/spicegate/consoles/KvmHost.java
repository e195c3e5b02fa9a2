package io.spicegate.consoles;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.util.Optional;

/** A KVM/QEMU server whose VMs offer SPICE consoles. */
@Entity
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

    public static Optional<KvmHost> findByName(String name) {
        return find("name", name).firstResultOptional();
    }
}
