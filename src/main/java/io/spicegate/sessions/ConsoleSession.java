package io.spicegate.sessions;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.spicegate.consoles.Console;
import io.spicegate.users.User;
import io.spicegate.workstations.Workstation;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import org.hibernate.annotations.DynamicUpdate;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A console session: user + console + workstation + [start, end) (DESIGN.md rule 2). Names are copies.
 * Dynamic updates: the agents' acks update their own columns with targeted SQL while the
 * session is changed through the entity: only changed columns are written, so neither overwrites the other.
 */
@Entity
@DynamicUpdate
@Table(name = "console_session")
public class ConsoleSession extends PanacheEntityBase {

    @Id
    public UUID id;

    @ManyToOne
    public User user;

    @ManyToOne
    public Console console;

    @ManyToOne
    public Workstation workstation;

    public String username;

    public String unixUsername;

    public String consoleName;

    public String workstationName;

    public String sourceAddress;

    public Instant startsAt;

    public Instant endsAt;

    @Enumerated(EnumType.STRING)
    public SessionState state;

    public Instant endedAt;

    public String endedBy;

    public String endReason;

    public Long approvedRequestId;

    /** The zone of the rule that allowed the session: its times are shown in it (null: opened before V14). */
    public String zone;

    /** Changes at every (re-)open: a launch file can be fetched once per nonce. */
    public String vvNonce;

    public Instant vvFetchedAt;

    /** When the workstation's agent acknowledged the firewall rule for this session. */
    public Instant grantAppliedAt;

    /** When the agent acknowledged that the rule is gone again. */
    public Instant grantRemovedAt;

    /**
     * Strict workstations: the workstation's grant version that carries this session's current launch file (bumped
     * at every (re-)open). Until the agent has acked that version its file may be stale, so the session is not ready.
     */
    public Long launchVersion;

    /** Why the agent could not apply the rule (e.g. no such local user). */
    public String firewallError;

    /** The one-time SPICE password of the latest (re-)open; kept until its launch file is served. A secret. */
    public String ticketPassword;

    /** The host's ticket version that carries this password; null when the host has no agent (static password). */
    public Long ticketVersion;

    public Instant ticketIssuedAt;

    /** When the host's agent acknowledged that the VM accepts the password. */
    public Instant ticketAppliedAt;

    /** Why the host's agent could not set the password. */
    public String ticketError;

    /**
     * A new ACTIVE session of {@code user} on {@code console} from {@code workstation} over [start, end), with a fresh
     * launch file. The names are copied, so the session log survives deleting any of the three.
     */
    public static ConsoleSession open(User user, Console console, Workstation workstation, String source, Instant start,
                                      Instant end, Long approvedRequestId) {
        ConsoleSession s = new ConsoleSession();
        s.id = UUID.randomUUID();
        s.state = SessionState.ACTIVE;
        s.user = user;
        s.username = user.username;
        s.unixUsername = user.unixUsername;
        s.console = console;
        s.consoleName = console.name;
        s.workstation = workstation;
        s.workstationName = workstation.name;
        s.sourceAddress = source;
        s.startsAt = start;
        s.endsAt = end;
        s.approvedRequestId = approvedRequestId;
        s.renewLaunchFile();
        return s;
    }

    /** A (re-)open hands out a fresh launch file: a new nonce, not yet downloaded. */
    void renewLaunchFile() {
        vvNonce = io.spicegate.shared.Secrets.nonce();
        vvFetchedAt = null;
    }

    /**
     * The console's ACTIVE sessions, also those whose end has passed but not yet been recorded: a handful at most (one
     * viewer at a time, plus the user's own at another workstation). Open console reads them once, with the console
     * row locked, to find the caller's own session and another user's.
     */
    static List<ConsoleSession> activeOn(long consoleId) {
        return list("console.id = ?1 and state = ?2", consoleId, SessionState.ACTIVE);
    }

    /** Whether this session belongs to the user at that workstation. */
    boolean isOf(long userId, long workstationId) {
        return user != null && user.id == userId && workstation != null && workstation.id == workstationId;
    }

    /** Whether this session belongs to someone else than the user (a session of a deleted account belongs to no one). */
    boolean isOfAnotherThan(long userId) {
        return user != null && user.id != userId;
    }

    /** The sessions running at {@code now}, soonest end first. */
    static List<ConsoleSession> liveAt(Instant now) {
        return list("state = ?1 and endsAt > ?2 order by endsAt", SessionState.ACTIVE, now);
    }

    /** none (no host agent: the static password), pending, ready, or error. */
    public String ticketState() {
        if (ticketVersion == null) {
            return "none";
        }
        if (ticketError != null) {
            return "error";
        }
        return ticketAppliedAt != null ? "ready" : "pending";
    }

    /** none (no agent on the workstation), pending, ready, or error. */
    public String firewallState() {
        if (workstation == null || !workstation.hasAgent()) {
            return "none";
        }
        if (firewallError != null) {
            return "error";
        }
        boolean launchWritten = launchVersion == null || workstation.hasAcked(launchVersion);
        return grantAppliedAt != null && launchWritten ? "ready" : "pending";
    }

    /**
     * Whether the user can start remote-viewer now. On a strict workstation the agent's launch file is usable only
     * once both agents acked: the workstation's (rule and file) and, where the host has one, the host's (the
     * ticket); so there {@code firewall} reports both. Elsewhere the firewall alone.
     */
    public String launchState() {
        String firewall = firewallState();
        if (workstation == null || !workstation.strict) {
            return firewall;
        }
        String ticket = ticketState();
        if (firewall.equals("error") || ticket.equals("error")) {
            return "error";
        }
        return firewall.equals("pending") || ticket.equals("pending") ? "pending" : firewall;
    }

    /** Ends the session in a terminal state; throws if it already ended. */
    public void finish(SessionState how, Instant at, String by, String reason) {
        state = state.transitionTo(how);
        ticketPassword = null; // an ended session's password is of no use to anyone
        endedAt = at;
        endedBy = by;
        endReason = reason;
    }

    /** The zone its times are shown in: the allowing rule's, else {@code fallback} (sessions from before V14). */
    public java.time.ZoneId zoneOr(String fallback) {
        return java.time.ZoneId.of(zone != null ? zone : fallback);
    }

    public boolean isLiveAt(Instant now) {
        return state == SessionState.ACTIVE && endsAt.isAfter(now);
    }
}
