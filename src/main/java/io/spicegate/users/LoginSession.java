package io.spicegate.users;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

import java.time.Instant;

/** A browser's login, kept on the server so that logout and deactivation end it at once. */
@Entity
@Table(name = "login_session")
public class LoginSession extends PanacheEntityBase {

    /** SHA-256 (hex) of the random token in the cookie; the token itself is never stored. */
    @Id
    @Column(name = "token_hash")
    public String tokenHash;

    @ManyToOne(optional = false)
    @JoinColumn(name = "user_id")
    public User user;

    @Column(name = "csrf_token")
    public String csrfToken;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "last_seen_at")
    public Instant lastSeenAt;

    @Column(name = "expires_at")
    public Instant expiresAt;
}
