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

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/** A Linux client workstation, known by the addresses its requests come from. */
@Entity
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
