package io.spicegate.enrollment;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.spicegate.audit.AuditLog;
import io.spicegate.protocol.EnrollResponse;
import io.spicegate.shared.Problem;
import io.spicegate.shared.Secrets;
import io.spicegate.shared.SpicegateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Agent credentials of both kinds: a one-time enrollment token (shown once to the admin) is traded for a long-lived
 * secret (shown once to the agent). Both are kept only as SHA-256 hashes; they are long random strings, so a plain
 * hash is as strong as a password hash here and cheap enough for every poll. The token's prefix ({@code sgw_},
 * {@code sgh_}) tells the one enroll endpoint a workstation's token from a KVM host's.
 */
@ApplicationScoped
public class AgentCredentials {

    /** The answer to an enrollment token that does not work, whatever the reason. */
    public static final String TOKEN_REFUSED = "This enrollment token is unknown, used or expired: ask the administrator for a new one.";

    @Inject Clock clock;
    @Inject EntityManager em;
    @Inject AuditLog audit;
    @Inject SpicegateConfig config;
    @Inject Event<AgentEnrolled> enrolled;
    @Inject AgentMemory memory;
    @Inject LastSeen lastSeen;

    /** A fresh enrollment token for the machine; any earlier token and the enrolled agent's secret stop working. */
    @Transactional
    public String newEnrollmentToken(AgentHost machine, String actor) {
        AgentKind kind = machine.kind();
        Instant now = clock.instant();
        String token = Secrets.token(kind.tokenPrefix);
        machine.enrollmentTokenHash = Secrets.sha256(token);
        machine.enrollmentExpiresAt = now.plus(Duration.ofHours(config.agent().enrollmentHours()));
        machine.secretHash = null;
        signal(machine.key());
        audit.append(kind.event("ENROLLMENT_TOKEN_ISSUED", machine.name, "valid until " + machine.enrollmentExpiresAt)
                .actor(actor), now);
        return token;
    }

    /**
     * Trades a valid token for a secret; the token is used up, once whatever the concurrency. A refusal writes
     * nothing (it is audited, and throttled, by the enroll endpoint). Fires {@link AgentEnrolled} in the transaction.
     */
    @Transactional(dontRollbackOn = Problem.class)
    public EnrollResponse enroll(String token, String hostname, String source) {
        Instant now = clock.instant();
        if (token == null || token.isBlank() || token.length() > 200) {
            throw new Problem(401, TOKEN_REFUSED);
        }
        AgentKind kind = AgentKind.ofToken(token);
        // locked: of parallel calls with one token, the first uses it up and the others no longer find it
        AgentHost machine = first(kind, "enrollmentTokenHash", Secrets.sha256(token.strip()), LockModeType.PESSIMISTIC_WRITE);
        if (machine == null || machine.enrollmentExpiresAt == null || !machine.enrollmentExpiresAt.isAfter(now)
                || !machine.admitted()) {
            throw new Problem(401, TOKEN_REFUSED);
        }
        String secret = Secrets.token(kind.secretPrefix);
        machine.secretHash = Secrets.sha256(secret);
        machine.enrollmentTokenHash = null;
        machine.enrollmentExpiresAt = null;
        machine.enrolledAt = now;
        machine.lastSeenAt = now;
        machine.agentHostname = hostname == null ? null
                : hostname.substring(0, Math.min(hostname.length(), 255)).replace('\u0000', '?');
        audit.append(kind.event("AGENT_ENROLLED", machine.name, "hostname " + machine.agentHostname)
                .actor(machine.name).source(source), now);
        enrolled.fire(new AgentEnrolled(machine.key()));
        return new EnrollResponse(secret, machine.name, kind.mode());
    }

    /**
     * The admitted machine of {@code kind} whose agent holds this bearer secret; 401 otherwise (removed, disabled,
     * wrong). A bearer this replica already admitted is answered from {@link AgentMemory} without a database round
     * trip: every re-enrollment, disabling or removal notifies all replicas ({@link #signal}), which forget it at once.
     * The call is noted in {@link LastSeen}, written in batches.
     */
    public AgentKey authenticate(AgentKind kind, String authorization) {
        String hash = bearerHash(kind, authorization);
        AgentKey agent = memory.bearer(kind, hash);
        if (agent == null) {
            long since = memory.generation();
            boolean committed = !QuarkusTransaction.isActive(); // inside a transaction it may read its own changes
            agent = fromDatabase(kind, hash);
            if (agent == null) {
                throw new Problem(401, kind.notEnrolled);
            }
            if (committed) {
                memory.rememberBearer(hash, agent, since);
            }
        }
        lastSeen.seen(agent, clock.instant());
        return agent;
    }

    /**
     * The agent of {@code kind} this bearer names, asked of the database whatever this replica remembers: before a
     * parked poll that woke reads (the wake may be the very change that revoked the bearer, arriving before the memory
     * forgets it). 401 when it no longer names an admitted agent.
     */
    public AgentKey authenticateAgain(AgentKind kind, String authorization) {
        AgentKey agent = fromDatabase(kind, bearerHash(kind, authorization));
        if (agent == null) {
            throw new Problem(401, kind.notEnrolled);
        }
        return agent;
    }

    /**
     * The agent of {@code kind} this bearer names when this replica remembers it, else null (then {@link #authenticate}
     * asks the database): memory only, so any thread may ask, the event loop too. A malformed header is a 401.
     */
    public AgentKey remembered(AgentKind kind, String authorization) {
        AgentKey agent = memory.bearer(kind, bearerHash(kind, authorization));
        if (agent != null) {
            lastSeen.seen(agent, clock.instant());
        }
        return agent;
    }

    /** The admitted agent of {@code kind} whose secret hashes to {@code hash}, read from the database; or null. */
    private AgentKey fromDatabase(AgentKind kind, String hash) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            AgentHost machine = first(kind, "secretHash", hash, LockModeType.NONE);
            return machine == null || !machine.admitted() ? null : machine.key();
        });
    }

    /** The SHA-256 of the bearer secret in {@code authorization}; 401 when there is none. */
    private static String bearerHash(AgentKind kind, String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new Problem(401, "Agents authenticate with 'Authorization: Bearer <secret>': enroll first.");
        }
        String secret = authorization.substring(7).strip();
        if (secret.isEmpty() || secret.length() > 200) {
            throw new Problem(401, kind.notEnrolled);
        }
        return Secrets.sha256(secret);
    }

    /**
     * In the caller's transaction: tells every replica, when it commits, that this agent's credentials or work
     * changed, so that none answers from what it remembers of it (and its parked poll wakes).
     */
    public void signal(AgentKey agent) {
        em.createNativeQuery("select pg_notify('" + AgentKey.CHANNEL + "', ?1)").setParameter(1, agent.payload())
                .getSingleResult();
    }

    /** The machine of {@code kind} whose {@code field} holds {@code hash}, or null. */
    private AgentHost first(AgentKind kind, String field, String hash, LockModeType lock) {
        List<?> found = em.createQuery("from " + kind.entity + " where " + field + " = ?1")
                .setParameter(1, hash).setLockMode(lock).setMaxResults(1).getResultList();
        return found.isEmpty() ? null : (AgentHost) found.get(0);
    }
}
