package io.spicegate.workstations;

import io.spicegate.audit.AuditLog;
import io.spicegate.protocol.EnrollResponse;
import io.spicegate.sessions.TicketService;
import io.spicegate.shared.Problem;
import io.spicegate.shared.Secrets;
import io.spicegate.shared.SpicegateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Agent credentials: a one-time enrollment token (shown once to the admin) is traded for a long-lived secret
 * (shown once to the agent). Both are kept only as SHA-256 hashes; they are long random strings, so a plain
 * hash is as strong as a password hash here and cheap enough for every poll.
 */
@ApplicationScoped
public class AgentCredentials {

    /** The answer to an enrollment token that does not work, whatever the reason. */
    public static final String TOKEN_REFUSED = "This enrollment token is unknown, used or expired: ask the administrator for a new one.";

    @Inject
    Clock clock;

    @Inject
    AuditLog audit;

    @Inject
    SpicegateConfig config;

    @Inject
    TicketService tickets;

    /** A fresh enrollment token for the workstation; any earlier token and the enrolled agent's secret stop working. */
    @Transactional
    public String newEnrollmentToken(Workstation ws, String actor) {
        String token = Secrets.token("sgw_");
        ws.enrollmentTokenHash = sha256(token);
        ws.enrollmentExpiresAt = clock.instant().plus(Duration.ofHours(config.agent().enrollmentHours()));
        audit.append(AuditLog.event("ENROLLMENT_TOKEN_ISSUED").actor(actor).workstation(ws.name)
                .detail("valid until " + ws.enrollmentExpiresAt), clock.instant());
        return token;
    }

    /** Trades a valid token for a secret; the token is used up, once whatever the concurrency. A refusal writes nothing. */
    @Transactional(dontRollbackOn = Problem.class)
    public EnrollResponse enroll(String token, String hostname, String source) {
        Instant now = clock.instant();
        if (token == null || token.isBlank() || token.length() > 200) {
            throw new Problem(401, TOKEN_REFUSED);
        }
        // locked: of parallel calls with one token, the first uses it up and the others no longer find it
        Workstation ws = Workstation.<Workstation>find("enrollmentTokenHash", sha256(token.strip()))
                .withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
        if (ws == null || ws.enrollmentExpiresAt == null || !ws.enrollmentExpiresAt.isAfter(now) || !ws.active) {
            throw new Problem(401, TOKEN_REFUSED); // audited, and throttled, by the enroll endpoint
        }
        String secret = Secrets.token("sga_");
        ws.secretHash = sha256(secret);
        ws.enrollmentTokenHash = null;
        ws.enrollmentExpiresAt = null;
        ws.enrolledAt = now;
        ws.lastSeenAt = now;
        ws.agentHostname = hostname == null ? null : hostname.substring(0, Math.min(hostname.length(), 255)).replace('\u0000', '?');
        audit.append(AuditLog.event("AGENT_ENROLLED").actor(ws.name).workstation(ws.name).source(source)
                .detail("hostname " + ws.agentHostname), now);
        tickets.bumpAll(); // an enrolled workstation may now reach the guarded console ports
        return new EnrollResponse(secret, ws.name, "workstation");
    }

    /** The active workstation whose agent holds this bearer secret; 401 otherwise (removed, disabled, wrong). */
    @Transactional
    public long authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new Problem(401, "Agents authenticate with 'Authorization: Bearer <secret>': enroll first.");
        }
        String secret = authorization.substring(7).strip();
        Workstation ws = secret.isEmpty() || secret.length() > 200 ? null
                : Workstation.<Workstation>find("secretHash", sha256(secret)).firstResult();
        if (ws == null || !ws.active) {
            throw new Problem(401, "This agent is not enrolled here, or its workstation was removed or disabled: drop every grant.");
        }
        Instant now = clock.instant();
        if (ws.lastSeenAt == null || Duration.between(ws.lastSeenAt, now).toSeconds() >= 10) {
            ws.lastSeenAt = now;
        }
        return ws.id;
    }

    private static String sha256(String s) {
        return Secrets.sha256(s);
    }
}
