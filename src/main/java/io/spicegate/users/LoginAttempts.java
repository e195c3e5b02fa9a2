package io.spicegate.users;

import io.spicegate.shared.SpicegateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The lockout's counter, kept in PostgreSQL so it holds across threads and replicas: a login reserves a slot
 * (a {@link LoginFailure} row, committed) before its password is checked, under a per-account advisory lock.
 */
@ApplicationScoped
public class LoginAttempts {

    /** A reserved slot ({@code failureId}), or none because the account is locked until {@code lockedUntil}. */
    record Slot(Long failureId, boolean last, Instant lockedUntil) {
        boolean locked() {
            return failureId == null;
        }
    }

    @Inject
    EntityManager em;

    @Inject
    SpicegateConfig config;

    /**
     * Counts the account's failures (and slots in use) within the lockout period and, while fewer than the
     * maximum, takes the next slot; {@code last} when it is the one that locks the account if its password is wrong.
     * Commits at once, so every other login of the account, on any replica, counts it.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    Slot reserve(String username, Instant now) {
        // serialises the count-and-insert of one account name (known or not) across connections and replicas
        em.createNativeQuery("select count(*) from (select pg_advisory_xact_lock(hashtextextended(?1, 0))) l")
                .setParameter(1, "spicegate-login:" + username).getSingleResult();
        int max = config.login().maxFailures();
        Duration period = Duration.ofMinutes(config.login().lockoutMinutes());
        List<LoginFailure> recent = LoginFailure.find("username = ?1 and at > ?2 order by at desc", username,
                now.minus(period)).page(0, max).list();
        if (recent.size() >= max) {
            return new Slot(null, true, recent.get(0).at.plus(period));
        }
        LoginFailure f = new LoginFailure();
        f.username = username;
        f.at = now;
        f.persist();
        return new Slot(f.id, recent.size() + 1 >= max, now.plus(period));
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
}
