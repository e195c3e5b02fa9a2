package io.spicegate.users;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * A personal API token: a user's own bearer secret for {@code /api/v1}, acting as that user with his roles. Only the
 * SHA-256 of the secret is kept; expiry is required; revocation is final (also in SQL, V18).
 */
@Entity
@Table(name = "api_token")
public class ApiToken extends PanacheEntityBase {

    /** What a token's state is at an instant: usable, past its expiry, or revoked. */
    public enum State { ACTIVE, EXPIRED, REVOKED }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @ManyToOne(optional = false, fetch = FetchType.LAZY)
    public User user;

    public String name;

    public String tokenHash;

    public Instant createdAt;

    public Instant expiresAt;

    public Instant lastUsedAt;

    public Instant revokedAt;

    /** Who revoked it (the owner, an administrator, or the deactivation of the account). */
    public String revokedBy;

    public State stateAt(Instant now) {
        return revokedAt != null ? State.REVOKED : expiresAt.isAfter(now) ? State.ACTIVE : State.EXPIRED;
    }
}
