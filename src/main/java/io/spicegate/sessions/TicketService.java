package io.spicegate.sessions;

import io.spicegate.audit.AuditLog;
import io.spicegate.consoles.Console;
import io.spicegate.consoles.KvmHost;
import io.spicegate.enrollment.AgentEnrolled;
import io.spicegate.enrollment.AgentKey;
import io.spicegate.enrollment.AgentKind;
import io.spicegate.protocol.GrantError;
import io.spicegate.protocol.TicketAck;
import io.spicegate.protocol.TicketJob;
import io.spicegate.protocol.TicketSet;
import io.spicegate.workstations.Workstation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * One-time SPICE passwords ("tickets", DESIGN.md host agent): where a console's KVM host has an agent, every
 * (re-)open of a session gets a fresh random password that the agent sets on the VM with a short expiry, so a
 * password seen once is useless a minute later. Also what the host agent guards: its consoles' ports, reachable
 * only from enrolled, active workstations. Each host has a version that bumps on any change, like a
 * workstation's grants; agents polling any replica wake through {@link GrantNotifier}.
 */
@ApplicationScoped
public class TicketService extends AgentWork {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();
    /** SPICE takes at most 60 characters; 24 of 57 symbols are 140 bits. */
    static final int PASSWORD_LENGTH = 24;
    /**
     * Session ?2, on a console of host ?3, whose ticket is still pending and covered by the acked version ?4: the
     * "acked at least the version it was issued at" check of a ticket.
     */
    private static final String PENDING_AND_COVERED = "from console c where s.id = ?2 and s.console_id = c.id "
            + "and c.host_id = ?3 and s.ticket_version <= ?4 and s.ticket_applied_at is null and s.ticket_error is null";

    /** Marks the host's tickets changed and returns its new version; its agent wakes when the transaction commits. */
    public long bump(long hostId) {
        return versions.bump(AgentKey.host(hostId));
    }

    /** The enrolled workstations or the consoles changed: every host agent fetches its set again. */
    public void bumpAll() {
        @SuppressWarnings("unchecked")
        List<Number> hosts = em.createNativeQuery("select id from kvm_host where secret_hash is not null order by id")
                .getResultList();
        for (Number id : hosts) {
            bump(id.longValue());
        }
    }

    /** An enrolled workstation may now reach the guarded console ports. */
    void enrolled(@Observes AgentEnrolled event) {
        if (event.agent().kind() == AgentKind.WORKSTATION) {
            bumpAll();
        }
    }

    /**
     * Gives the session a fresh one-time password when its console's host has an agent (in the caller's
     * transaction, on open and on every re-open: a fresh launch file needs a fresh ticket); else the session
     * keeps the console's static password.
     */
    public void issue(ConsoleSession s, Instant now) {
        if (s.console == null || s.console.host == null || !s.console.host.hasAgent()) {
            s.ticketPassword = null;
            s.ticketVersion = null;
            s.ticketIssuedAt = null;
            s.ticketAppliedAt = null;
            s.ticketError = null;
            return;
        }
        s.ticketPassword = password();
        s.ticketIssuedAt = now;
        s.ticketAppliedAt = null;
        s.ticketError = null;
        s.ticketVersion = bump(s.console.host.id);
    }

    /** What the host's agent must do now. */
    @Transactional
    public TicketSet tickets(long hostId) {
        Instant now = clock.instant();
        KvmHost host = KvmHost.findById(hostId);
        List<ConsoleSession> open = ConsoleSession.list("select s from ConsoleSession s join fetch s.console c "
                        + "where c.host.id = ?1 and s.state = ?2 and s.endsAt > ?3 and s.ticketPassword is not null "
                        + "and s.ticketAppliedAt is null and s.ticketError is null order by s.ticketIssuedAt",
                hostId, SessionState.ACTIVE, now);
        List<TicketJob> jobs = new ArrayList<>(open.size());
        for (ConsoleSession s : open) {
            jobs.add(new TicketJob(s.id.toString(), s.consoleName, s.ticketPassword,
                    Math.max(1, Duration.between(now, s.endsAt).toSeconds())));
        }
        Set<Integer> ports = new TreeSet<>();
        for (Console c : Console.<Console>list("host.id", hostId)) {
            ports.addAll(c.ports());
        }
        Set<String> allowed = new LinkedHashSet<>();
        for (Workstation w : Workstation.<Workstation>list("active = true and secretHash is not null order by name")) {
            allowed.addAll(w.addresses);
        }
        return new TicketSet(host.ticketVersion, config.agent().leaseSeconds(), List.copyOf(allowed),
                List.copyOf(ports), jobs);
    }

    /**
     * The host's agent set (or failed to set) passwords. Only the ticket the agent was given counts: a re-open
     * after its poll carries a newer version, which an older ack does not cover. Targeted updates, so an ack
     * racing a re-open never writes back a stale row.
     */
    @Transactional
    public void ack(long hostId, TicketAck ack) {
        Instant now = clock.instant();
        KvmHost host = KvmHost.findById(hostId);
        host.acked(ack.version(), now);
        for (UUID id : Acks.sessions(ack.applied(), new LinkedHashSet<>())) {
            int n = em.createNativeQuery("update console_session s set ticket_applied_at = ?1 " + PENDING_AND_COVERED
                            + " and s.ticket_password is not null")
                    .setParameter(1, now).setParameter(2, id).setParameter(3, hostId).setParameter(4, ack.version())
                    .executeUpdate();
            if (n == 1) {
                ConsoleSession s = ConsoleSession.findById(id);
                audit.append(AuditLog.event("TICKET_SET").actor(host.name).user(s.username).console(s.consoleName)
                        .workstation(s.workstationName).session(s.id)
                        .detail("one-time password set on host " + host.name + ", acked version " + ack.version()), now);
            }
        }
        for (GrantError e : ack.errors() == null ? List.<GrantError>of() : ack.errors()) {
            UUID id = Acks.session(e.session()).orElse(null);
            if (id == null) {
                continue;
            }
            ConsoleSession pending = ConsoleSession.findById(id);
            String error = e.error() == null ? "unknown error" : e.error();
            if (pending != null && pending.ticketPassword != null) {
                error = error.replace(pending.ticketPassword, "***"); // an agent's error must never carry the password on
            }
            error = Acks.clip(error, 500);
            int n = em.createNativeQuery("update console_session s set ticket_error = ?1 " + PENDING_AND_COVERED)
                    .setParameter(1, error).setParameter(2, id).setParameter(3, hostId).setParameter(4, ack.version())
                    .executeUpdate();
            if (n == 1) {
                audit.append(AuditLog.event("TICKET_FAILED").actor(host.name).user(pending.username).console(pending.consoleName)
                        .workstation(pending.workstationName).session(pending.id).detail(error), now);
            }
        }
    }

    /** Forgets passwords that nobody fetched in time; their launch file then asks for a fresh open. */
    public int forgetStale(Instant now) {
        return em.createNativeQuery("update console_session set ticket_password = null "
                        + "where ticket_password is not null and (state <> 'ACTIVE' or ticket_issued_at < ?1)")
                .setParameter(1, now.minusSeconds(config.agent().ticketKeepSeconds())).executeUpdate();
    }

    static String password() {
        char[] out = new char[PASSWORD_LENGTH];
        for (int i = 0; i < out.length; i++) {
            out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }
}
