package io.spicegate.consoles;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The SPICE console of one VM on a KVM host. */
@Entity
@Table(name = "console")
public class Console extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String name;

    @ManyToOne(optional = false)
    public KvmHost host;

    public Integer tlsPort;

    /** Plain (unencrypted) SPICE port; used only when the console has no TLS port. */
    public Integer port;

    public String hostSubject;

    /** Static SPICE password; stored, never logged, never shown back. */
    public String password;

    public String description;

    public static Optional<Console> findByName(String name) {
        return find("name", name).firstResultOptional();
    }

    public boolean usesTls() {
        return tlsPort != null;
    }

    /** The destination ports a workstation must open for this console. */
    public List<Integer> ports() {
        List<Integer> ports = new ArrayList<>(2);
        if (tlsPort != null) {
            ports.add(tlsPort);
        }
        if (port != null) {
            ports.add(port);
        }
        return ports;
    }

    @Override
    public String toString() {
        // never include the password
        return "Console[" + name + "]";
    }
}
