package io.spicegate.users;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToMany;
import jakarta.persistence.Table;
import org.hibernate.annotations.DynamicUpdate;

import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * A person who logs in: a portal account bound to a Unix username on the workstations. An update writes only the
 * columns it changed: a login that refreshes the directory's details must never write back the {@code active} flag
 * (or password) it read before an administrator changed them (a stale full-row update re-activated a user once).
 */
@Entity
@Table(name = "app_user")
@DynamicUpdate
public class User extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String username;

    public String passwordHash;

    public String displayName;

    public String email;

    public String unixUsername;

    @Column(name = "is_approver")
    public boolean approver;

    @Column(name = "is_admin")
    public boolean admin;

    public boolean active = true;

    /** Where the account comes from: "local" (password here), "oidc" or "ldap" (created at first login). */
    public String source = "local";

    /** When the directory last set this user's memberships of directory-sourced groups. */
    public Instant groupsSyncedAt;

    public Instant createdAt;

    @ManyToMany(mappedBy = "members")
    public Set<Group> groups = new HashSet<>();

    public static Optional<User> findByUsername(String username) {
        return find("username", username).firstResultOptional();
    }

    /** Role names as the API shows them: every account is a "user"; some are also approvers or admins. */
    public Set<String> roles() {
        Set<String> roles = new LinkedHashSet<>();
        roles.add("user");
        if (approver) {
            roles.add("approver");
        }
        if (admin) {
            roles.add("admin");
        }
        return roles;
    }

    public Set<String> groupNames() {
        Set<String> names = new HashSet<>();
        for (Group g : groups) {
            names.add(g.name);
        }
        return names;
    }

    public String displayNameOrUsername() {
        return displayName == null || displayName.isBlank() ? username : displayName;
    }
}
