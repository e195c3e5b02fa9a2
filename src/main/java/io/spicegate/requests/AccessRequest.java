package io.spicegate.requests;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.spicegate.consoles.Console;
import io.spicegate.users.User;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
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
    @JoinColumn(name = "user_id")
    public User user;

    @ManyToOne
    @JoinColumn(name = "console_id")
    public Console console;

    /** Copies, so the request reads the same after deletes. */
    public String username;

    @Column(name = "console_name")
    public String consoleName;

    /** The zone of the rule that made the console NEEDS_APPROVAL; times of this request are shown in it. */
    public String zone;

    @Column(name = "wanted_start")
    public Instant wantedStart;

    public int minutes;

    public String reason;

    @Enumerated(EnumType.STRING)
    public RequestState state;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "decided_by")
    public String decidedBy;

    @Column(name = "decided_at")
    public Instant decidedAt;

    public String note;

    @Column(name = "approved_start")
    public Instant approvedStart;

    @Column(name = "approved_end")
    public Instant approvedEnd;

    @Column(name = "seen_at")
    public Instant seenAt;

    public ZoneId zoneId() {
        return ZoneId.of(zone);
    }

    public boolean isOf(long userId) {
        return user != null && user.id == userId;
    }
}
