package io.spicegate.requests;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.spicegate.consoles.Console;
import io.spicegate.users.User;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

import java.time.Instant;
import java.time.ZoneId;

/**
 * An off-hours request: a user asks for {@code minutes} on a console from a wanted start, with a reason.
 * State changes go through {@link RequestService}'s guarded updates, never through these fields.
 */
@Entity
@Table(name = "access_request")
public class AccessRequest extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @ManyToOne
    public User user;

    @ManyToOne
    public Console console;

    /** Copies, so the request reads the same after deletes. */
    public String username;

    public String consoleName;

    /** The zone of the rule that made the console NEEDS_APPROVAL; times of this request are shown in it. */
    public String zone;

    public Instant wantedStart;

    public int minutes;

    public String reason;

    @Enumerated(EnumType.STRING)
    public RequestState state;

    public Instant createdAt;

    public Instant expiresAt;

    public String decidedBy;

    public Instant decidedAt;

    public String note;

    public Instant approvedStart;

    public Instant approvedEnd;

    public Instant seenAt;

    public ZoneId zoneId() {
        return ZoneId.of(zone);
    }

    public boolean isOf(long userId) {
        return user != null && user.id == userId;
    }
}
