package io.spicegate.rules;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.spicegate.access.AccessRule;
import io.spicegate.access.Effect;
import io.spicegate.access.Subject;
import io.spicegate.consoles.Console;
import io.spicegate.users.Group;
import io.spicegate.users.User;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.JoinTable;
import jakarta.persistence.ManyToMany;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.OrderColumn;
import jakarta.persistence.Table;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A stored access rule (DESIGN.md rule 1); {@link #toAccessRule()} hands it to the pure decision core. */
@Entity
@Table(name = "access_rule")
public class Rule extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @ManyToOne(optional = false)
    @JoinColumn(name = "console_id")
    public Console console;

    @ManyToOne
    @JoinColumn(name = "subject_user_id")
    public User subjectUser;

    @ManyToOne
    @JoinColumn(name = "subject_group_id")
    public Group subjectGroup;

    @Enumerated(EnumType.STRING)
    public Effect effect;

    /** IANA zone id the windows are read in, e.g. Europe/Berlin. */
    public String zone;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "rule_window", joinColumns = @JoinColumn(name = "rule_id"))
    @OrderColumn(name = "position")
    public List<RuleWindow> windows = new ArrayList<>();

    @ManyToMany(fetch = FetchType.EAGER)
    @JoinTable(name = "rule_approver",
            joinColumns = @JoinColumn(name = "rule_id"),
            inverseJoinColumns = @JoinColumn(name = "user_id"))
    public Set<User> approvers = new HashSet<>();

    @ManyToOne
    @JoinColumn(name = "approver_group_id")
    public Group approverGroup;

    @Column(name = "max_minutes")
    public Integer maxMinutes;

    @Column(name = "valid_from")
    public Instant validFrom;

    @Column(name = "valid_until")
    public Instant validUntil;

    public boolean hasApprovers() {
        return !approvers.isEmpty() || approverGroup != null;
    }

    public AccessRule toAccessRule() {
        Subject subject = subjectUser != null ? Subject.user(subjectUser.username) : Subject.group(subjectGroup.name);
        return new AccessRule(id, console.name, subject, effect, ZoneId.of(zone),
                windows.stream().map(RuleWindow::toWeeklyWindow).toList(),
                hasApprovers(), maxMinutes, validFrom, validUntil);
    }
}
