package io.spicegate.users;

import io.spicegate.shared.SpicegateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The lockout's counter, kept in PostgreSQL so it holds across threads and replicas: a login reserves a slot
 * (a pending {@link LoginFailure} row, committed) before its password is checked, under a per-account advisory
 * lock; a wrong password turns it into a failure, a right one gives it back.
 */
@ApplicationScoped
public class LoginAttempts {

    /**
     * A reserved slot ({@code failureId}); or none, because the account is locked until {@code lockedUntil}, or
     * because as many checks as the account may still fail are running right now ({@code busy}: wait and ask again).
     */
    record Slot(Long failureId, Instant lockedUntil, boolean busy) {
        boolean locked() {
            return failureId == null && !busy;
        }
    }

    @Inject EntityManager em;
    @Inject SpicegateConfig config;

    /**
     * Counts the account's failures and the checks running within the lockout period and, while together they are
     * fewer than the maximum, takes the next slot (pending). Commits at once, so every other login of the account,
     * on any replica, counts it: however many calls arrive at once, at most the maximum of wrong passwords is checked.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    Slot reserve(String username, Instant now) {
        lock(username);
        int max = config.login().maxFailures();
        // one statement, one snapshot: a check settling its slot meanwhile (fail(), not under the lock) moves a row
        // from pending to failed, and two separate counts could miss it in both
        Object[] counts = (Object[]) em.createNativeQuery("select count(*) filter (where not pending), "
                        + "count(*) filter (where pending), max(at) filter (where not pending) "
                        + "from login_failure where username = ?1 and at > ?2")
                .setParameter(1, username).setParameter(2, now.minus(period())).getSingleResult();
        long failures = ((Number) counts[0]).longValue();
        long running = ((Number) counts[1]).longValue();
        if (failures >= max) {
            return new Slot(null, toInstant(counts[2]).plus(period()), false);
        }
        if (failures + running >= max) {
            return new Slot(null, null, true);
        }
        LoginFailure f = new LoginFailure();
        f.username = username;
        f.at = now;
        f.pending = true;
        f.persist();
        return new Slot(f.id, null, false);
    }

    /**
     * The password of this slot was wrong: the slot becomes a failure. Answers when the account is locked now, if
     * this failure was the one that filled the period.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    Optional<Instant> fail(Slot slot, String username, Instant now) {
        lock(username); // two checks settling at once would each count the other's failure as still running
        LoginFailure.update("pending = false where id = ?1", slot.failureId());
        long failures = LoginFailure.count("username = ?1 and at > ?2 and pending = false", username, now.minus(period()));
        return failures >= config.login().maxFailures() ? Optional.of(now.plus(period())) : Optional.empty();
    }

    /** A check that broke off: its slot, if still pending, counts as a failure; never throws (logs instead). */
    void abandon(Slot slot, String username, Instant now) {
        try {
            fail(slot, username, now);
        } catch (RuntimeException e) {
            io.quarkus.logging.Log.warnf("could not settle the lockout slot of a login of %s that broke off: %s",
                    username, e.getMessage());
        }
    }

    /**
     * Gives a slot back after a right password. Earlier failures stay until they leave the lockout period: a
     * right password among many parallel wrong ones must not open more slots for them.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    void release(Slot slot) {
        if (slot.failureId() != null) {
            LoginFailure.deleteById(slot.failureId());
        }
    }

    /** Serialises the counting of one account name (known or not) across connections and replicas. */
    private void lock(String username) {
        em.createNativeQuery("select 1 from pg_advisory_xact_lock(hashtextextended(?1, 0))")
                .setParameter(1, "spicegate-login:" + username).getSingleResult();
    }

    private static Instant toInstant(Object value) {
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof java.time.OffsetDateTime o) {
            return o.toInstant();
        }
        return ((java.sql.Timestamp) value).toInstant();
    }

    private Duration period() {
        return Duration.ofMinutes(config.login().lockoutMinutes());
    }
}
