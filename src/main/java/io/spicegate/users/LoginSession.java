package io.spicegate.users;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

import java.time.Instant;

/** A browser's login, kept on the server so that logout and deactivation end it at once. */
@Entity
@Table(name = "login_session")
public class LoginSession extends PanacheEntityBase {

    /** SHA-256 (hex) of the random token in the cookie; the token itself is never stored. */
    @Id
    public String tokenHash;

    @ManyToOne(optional = false)
    public User user;

    public String csrfToken;

    public Instant createdAt;

    public Instant lastSeenAt;

    public Instant expiresAt;
}
