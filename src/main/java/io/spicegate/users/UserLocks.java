package io.spicegate.users;

import io.quarkus.hibernate.orm.panache.Panache;

/**
 * Per-user transaction locks in PostgreSQL's lock manager (advisory, two-key space), held to commit. Unlike row locks
 * they queue fairly: a change of the account waits for the user's actions already under way (Open console, token
 * creation), and every action that arrives after it waits behind it and sees the account as changed, so however many
 * calls a user keeps in flight, an administrator's deactivation gets through within those few and nothing they made
 * outlives it (a {@code FOR SHARE} on the user's row, as before, let new opens join the lock ahead of a waiting
 * {@code FOR UPDATE} for as long as they kept coming).
 */
public final class UserLocks {

    /** The first key of the account lock (the user's actions share it; deactivation and deletion take it alone). */
    static final int ACCOUNT = 0x53470001;
    /** The first key of the lock serialising one user's token creations (counted against the limit). */
    static final int TOKENS = 0x53470002;

    private UserLocks() {
    }

    /**
     * An action of {@code userId}'s that a change of the account must not cross (an Open console, a token creation, a
     * login, an own password change): shared with his other actions, waits for (and holds off) a change of the account.
     * Returns the user as committed now, after the lock (the request may have read him before it); null when gone.
     */
    public static User acting(long userId) {
        lock("pg_advisory_xact_lock_shared", ACCOUNT, userId);
        User user = User.findById(userId);
        if (user != null) {
            User.getEntityManager().refresh(user);
        }
        return user;
    }

    /** A deactivation or deletion of the account: waits for the opens under way, holds off new ones. */
    static void changing(long userId) {
        lock("pg_advisory_xact_lock", ACCOUNT, userId);
    }

    /** A token creation of {@code userId}'s: one at a time, so the live-token limit holds under parallel calls. */
    static void creatingToken(long userId) {
        lock("pg_advisory_xact_lock", TOKENS, userId);
    }

    private static void lock(String function, int space, long userId) {
        // the second key is the user id's low 32 bits: ids are identity values far below 2^31, and a collision
        // would only make two users' locks wait for each other, never let one skip a check
        Panache.getEntityManager().createNativeQuery("select 1 from " + function + "(?1, ?2)")
                .setParameter(1, space).setParameter(2, (int) userId).getSingleResult();
    }
}
