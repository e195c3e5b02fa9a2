package io.spicegate.rules;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.panache.common.Parameters;
import io.spicegate.access.AccessRule;
import io.spicegate.access.Effect;
import io.spicegate.access.Subject;
import io.spicegate.consoles.Console;
import io.spicegate.users.Group;
import io.spicegate.users.User;
import jakarta.persistence.CollectionTable;
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

/**
 * A stored access rule (DESIGN.md rule 1); {@link #toAccessRule()} hands it to the pure decision core. Its named
 * finders hold the two questions other features ask of rules, each written once: which rules cover a user
 * ({@link #covers}) and who may approve for him ({@link #approves}).
 */
@Entity
@Table(name = "access_rule")
public class Rule extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @ManyToOne(optional = false)
    public Console console;

    @ManyToOne
    public User subjectUser;

    @ManyToOne
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
    public Group approverGroup;

    public Integer maxMinutes;

    public Instant validFrom;

    public Instant validUntil;

    // ------------------------------------------------------------------------------------------ finders

    /** The rules covering the user on one console, in the order they were made. */
    public static List<Rule> covering(long userId, long consoleId) {
        return Rule.list("from Rule r where r.console.id = :console and " + covers("r", ":user") + " order by r.id",
                Parameters.with("console", consoleId).and("user", userId));
    }

    /** Whether any rule names the user an approver (directly or through the approver group), for anyone. */
    public static boolean approvableBy(long userId) {
        return Rule.count("from Rule r where " + namesApprover("r", ":user"), Parameters.with("user", userId)) > 0;
    }

    /**
     * The active people who may decide a request of {@code requester} for the console at {@code at}, by
     * {@link #approves}: never the requester himself; by username.
     */
    public static List<User> approversOf(long requesterId, long consoleId, Instant at) {
        return User.list("from User u where u.active and u.id <> :requester and "
                        + approves("u.id", ":requester", ":console", ":at") + " order by u.username",
                Parameters.with("requester", requesterId).and("console", consoleId).and("at", at));
    }

    /**
     * JPQL condition, the one definition of "who decides": an ALLOW rule of console {@code console} that is valid
     * at {@code at}, covers {@code requester} (directly or through a group) and names {@code approver} an approver
     * (directly or through the approver group). Each argument is a JPQL expression of the caller's query: a path
     * ({@code q.user.id}) or a named parameter ({@code :me}).
     */
    public static String approves(String approver, String requester, String console, String at) {
        return "exists (select ar.id from Rule ar where ar.console.id = " + console
                + " and ar.effect = io.spicegate.access.Effect.ALLOW"
                + " and (ar.validFrom is null or ar.validFrom <= " + at + ")"
                + " and (ar.validUntil is null or ar.validUntil > " + at + ")"
                + " and " + covers("ar", requester) + " and " + namesApprover("ar", approver) + ")";
    }

    /** JPQL condition, the one definition of "covered by": rule {@code rule} names {@code user} or one of his groups. */
    /**
     * JPQL subquery: the ids of the consoles some rule names {@code user} (a parameter) or one of his groups for, of
     * any effect; what My consoles lists, as one cacheable query instead of a list of thousands of ids.
     */
    public static String consolesCovering(String user) {
        return "select cr.console.id from Rule cr where " + covers("cr", user);
    }

    private static String covers(String rule, String user) {
        return "(" + rule + ".subjectUser.id = " + user + " or " + rule + ".subjectGroup.id in (select " + rule
                + "sg.id from Group " + rule + "sg join " + rule + "sg.members " + rule + "sm where " + rule + "sm.id = "
                + user + "))";
    }

    /** JPQL condition: rule {@code rule} names {@code user} an approver, directly or through its approver group. */
    private static String namesApprover(String rule, String user) {
        return "(exists (select " + rule + "a.id from " + rule + ".approvers " + rule + "a where " + rule + "a.id = "
                + user + ") or " + rule + ".approverGroup.id in (select " + rule + "ag.id from Group " + rule + "ag join "
                + rule + "ag.members " + rule + "am where " + rule + "am.id = " + user + "))";
    }

    // ------------------------------------------------------------------------------------------ the core's view

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
