package io.spicegate.users;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.JoinTable;
import jakarta.persistence.ManyToMany;
import jakarta.persistence.Table;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/** A named set of users that rules and approver lists can refer to. */
@Entity
@Table(name = "user_group")
public class Group extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String name;

    /**
     * "local" (members set by admins), or a directory group whose members the directories set by name: "directory"
     * (declared ahead by an admin), "oidc"/"ldap" (created by the first login of a member).
     */
    public String source = "local";

    /** For a local group: the directory ("oidc"/"ldap") that also sent a group of this name, which was not applied. */
    public String directoryClash;

    @ManyToMany
    @JoinTable(name = "group_member",
            joinColumns = @JoinColumn(name = "group_id"),
            inverseJoinColumns = @JoinColumn(name = "user_id"))
    public Set<User> members = new HashSet<>();

    /** Members come from the directories (LDAP groupOfNames cn / OIDC groups claim, matched by name). */
    public boolean fromDirectory() {
        return !"local".equals(source);
    }

    public static Optional<Group> findByName(String name) {
        return find("name", name).firstResultOptional();
    }

    public void addMember(User user) {
        members.add(user);
        user.groups.add(this);
    }

    public void removeMember(User user) {
        members.remove(user);
        user.groups.remove(this);
    }
}
