package io.spicegate.consoles;

import io.spicegate.audit.AuditLog;
import io.spicegate.protocol.EnrollResponse;
import io.spicegate.shared.Problem;
import io.spicegate.shared.SpicegateConfig;
import io.spicegate.workstations.AgentCredentials;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Host agent credentials, like a workstation agent's: a one-time enrollment token ({@code sgh_...}, shown once
 * to the admin) is traded for a long-lived secret ({@code sgk_...}); both kept only as SHA-256 hashes. The
 * prefixes let the one enroll endpoint tell host tokens from workstation tokens ({@code sgw_...}).
 */
@ApplicationScoped
public class HostCredentials {

    /** How a host enrollment token starts. */
    public static final String TOKEN_PREFIX = "sgh_";

    @Inject
    Clock clock;

    @Inject
    AuditLog audit;

    @Inject
    SpicegateConfig config;

    /** A fresh enrollment token for the host; any earlier token and the enrolled agent's secret stop working. */
    @Transactional
    public String newEnrollmentToken(KvmHost host, String actor) {
        String token = io.spicegate.shared.Secrets.token(TOKEN_PREFIX);
        host.enrollmentTokenHash = io.spicegate.shared.Secrets.sha256(token);
        host.enrollmentExpiresAt = clock.instant().plus(Duration.ofHours(config.agent().enrollmentHours()));
        host.secretHash = null;
        audit.append(AuditLog.event("HOST_ENROLLMENT_TOKEN_ISSUED").actor(actor)
                .detail("host " + host.name + ", valid until " + host.enrollmentExpiresAt), clock.instant());
        return token;
    }

    /** Trades a valid host token for a secret; the token is used up, once whatever the concurrency. A refusal writes nothing. */
    @Transactional(dontRollbackOn = Problem.class)
    public EnrollResponse enroll(String token, String hostname, String source) {
        Instant now = clock.instant();
        // locked: of parallel calls with one token, the first uses it up and the others no longer find it
        KvmHost host = token == null || token.length() > 200 ? null
                : KvmHost.<KvmHost>find("enrollmentTokenHash", io.spicegate.shared.Secrets.sha256(token.strip()))
                .withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
        if (host == null || host.enrollmentExpiresAt == null || !host.enrollmentExpiresAt.isAfter(now)) {
            throw new Problem(401, AgentCredentials.TOKEN_REFUSED); // audited, and throttled, by the enroll endpoint
        }
        String secret = io.spicegate.shared.Secrets.token("sgk_");
        host.secretHash = io.spicegate.shared.Secrets.sha256(secret);
        host.enrollmentTokenHash = null;
        host.enrollmentExpiresAt = null;
        host.enrolledAt = now;
        host.lastSeenAt = now;
        host.agentHostname = hostname == null ? null
                : hostname.substring(0, Math.min(hostname.length(), 255)).replace('\u0000', '?');
        audit.append(AuditLog.event("HOST_AGENT_ENROLLED").actor(host.name).source(source)
                .detail("host " + host.name + ", hostname " + host.agentHostname), now);
        return new EnrollResponse(secret, host.name, "host");
    }

    /** The host whose agent holds this bearer secret; 401 otherwise (removed, re-enrolled, wrong). */
    @Transactional
    public long authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new Problem(401, "Agents authenticate with 'Authorization: Bearer <secret>': enroll first.");
        }
        String secret = authorization.substring(7).strip();
        KvmHost host = secret.isEmpty() || secret.length() > 200 ? null
                : KvmHost.<KvmHost>find("secretHash", io.spicegate.shared.Secrets.sha256(secret)).firstResult();
        if (host == null) {
            throw new Problem(401, "This agent is not enrolled here as a KVM host agent, or its host was removed or "
                    + "re-enrolled: let nobody in.");
        }
        Instant now = clock.instant();
        if (host.lastSeenAt == null || Duration.between(host.lastSeenAt, now).toSeconds() >= 10) {
            host.lastSeenAt = now;
        }
        return host.id;
    }
}
