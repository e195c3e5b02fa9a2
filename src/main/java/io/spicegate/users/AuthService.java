package io.spicegate.users;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.narayana.jta.QuarkusTransactionException;
import io.spicegate.audit.AuditLog;
import io.spicegate.audit.RepeatedEvents;
import io.spicegate.shared.Secrets;
import io.spicegate.shared.SpicegateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Logins: password checks with a per-account lockout, server-side login sessions behind a random cookie
 * token, HTTP Basic for scripts, logout and password changes. Everything is audited; no secret is.
 */
@ApplicationScoped
public class AuthService {

    @Inject Clock clock;
    @Inject AuditLog audit;
    @Inject SpicegateConfig config;
    @Inject LdapDirectory ldap;
    @Inject DirectoryAccounts accounts;
    @Inject MeterRegistry metrics;
    @Inject LoginAttempts attempts;
    @Inject RepeatedEvents repeated;

    /** The outcome of a password check. */
    public sealed interface Outcome {
        /** Logged in; {@code token} goes into the cookie (null for Basic). */
        record Ok(User user, String token, String csrf) implements Outcome { }
        record Failed() implements Outcome { }
        /** A directory login that may not go on, with a sentence for the person. */
        record Refused(String message) implements Outcome { }
        /** As many checks of this account as it may still fail are running right now: try again in a moment. */
        record Busy() implements Outcome {
            public String message() {
                return "Too many logins of this account are being checked at this moment: try again in a second.";
            }
        }
        record Locked(long secondsLeft) implements Outcome {
            public String message() {
                long minutes = Math.max(1, (secondsLeft + 59) / 60);
                return "Too many failed logins for this account: it is locked for " + minutes
                        + (minutes == 1 ? " minute" : " minutes") + ", even with the right password. Try again later.";
            }
        }
    }

    /**
     * Form login: on success opens a new login session (a new id at every login). Not one transaction: the lockout
     * slot is committed before the password is checked, and no database connection is held during the check.
     */
    public Outcome login(String username, String password, String source) {
        Instant now = clock.instant();
        Outcome outcome = check(username, password, source, now, "form");
        if (outcome instanceof Outcome.Ok ok) {
            long userId = ok.user().id;
            String checkedHash = ok.user().passwordHash;
            return QuarkusTransaction.requiringNew().call(() -> {
                // a deactivation or password reset ends the sessions it sees: under the account lock, with the account
                // read afresh, this one either exists before it (and is ended) or sees the change and is not opened
                User user = UserLocks.acting(userId);
                if (user == null || !user.active || !Objects.equals(user.passwordHash, checkedHash)) {
                    audit.append(AuditLog.event("LOGIN_FAILED").actor(ok.user().username).user(ok.user().username)
                            .source(source).detail("account deactivated or password changed while the login was checked (form)"),
                            now);
                    return new Outcome.Failed();
                }
                audit.append(AuditLog.event("LOGIN_OK").actor(user.username).user(user.username).source(source)
                        .detail(via(user)), now);
                return openSession(user, now);
            });
        }
        return outcome;
    }

    /** How a successful login was checked, for its audit row. */
    private String via(User user) {
        return "ldap".equals(user.source) && ldap.enabled() ? "ldap " + ldap.url() : "local account";
    }

    private Outcome.Ok openSession(User user, Instant now) {
        String token = randomToken();
        LoginSession s = new LoginSession();
        s.tokenHash = sha256(token);
        s.user = user;
        s.csrfToken = randomToken();
        s.createdAt = now;
        s.lastSeenAt = now;
        s.expiresAt = now.plus(idle());
        s.persist();
        return new Outcome.Ok(user, token, s.csrfToken);
    }

    /**
     * The end of an OIDC login (the provider has vouched for {@code id}): creates or updates the user and his
     * directory groups, then opens Spicegate's own login session. A user disabled here stays out.
     */
    @Transactional
    public Outcome oidcLogin(DirectoryIdentity id, String issuer, String source) {
        Instant now = clock.instant();
        String username = normalise(id.username());
        User user;
        try {
            user = accounts.upsert(id, now);
        } catch (DirectoryAccounts.Refused e) {
            audit.append(AuditLog.event("LOGIN_FAILED").actor(username).user(username).source(source)
                    .detail(e.getMessage() + " (oidc " + issuer + ")"), now);
            return new Outcome.Refused(e.getMessage());
        }
        if (!user.active) {
            audit.append(AuditLog.event("LOGIN_FAILED").actor(username).user(username).source(source)
                    .detail("account deactivated (oidc " + issuer + ")"), now);
            return new Outcome.Refused("Your account is deactivated in Spicegate, so your single sign-on login "
                    + "cannot be used here: ask your Spicegate administrator.");
        }
        audit.append(AuditLog.event("LOGIN_OK").actor(username).user(username).source(source).detail("oidc " + issuer), now);
        return openSession(user, now);
    }

    /** HTTP Basic: the same password check and lockout, no login session. */
    public Outcome basic(String username, String password, String source) {
        return check(username, password, source, clock.instant(), "basic");
    }

    /**
     * A slot, waiting (up to {@link #BUSY_WAIT}) while the slots the account may still fail are all taken by checks
     * running right now: parallel logins with the right password queue for a moment instead of being refused.
     */
    private LoginAttempts.Slot reserveWaiting(String username, Instant now) {
        long deadline = System.nanoTime() + BUSY_WAIT.toNanos();
        LoginAttempts.Slot slot = attempts.reserve(username, now);
        while (slot.busy() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10 + java.util.concurrent.ThreadLocalRandom.current().nextInt(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return slot;
            }
            slot = attempts.reserve(username, now);
        }
        return slot;
    }

    /** How long a login waits for a free slot before it is answered "busy, try again". */
    static final Duration BUSY_WAIT = Duration.ofSeconds(10);

    /**
     * One password check under the lockout (form, Basic, LDAP alike). A slot is first reserved in PostgreSQL
     * ({@link LoginAttempts#reserve}): only then is the password checked, so however many calls arrive at once, at
     * most {@code spicegate.login.max-failures} wrong passwords are checked per lockout period. A wrong password
     * keeps its slot as the failure; a right one gives its slot back.
     */
    private Outcome check(String rawUsername, String password, String source, Instant now, String method) {
        String username = normalise(rawUsername);
        if (username.isEmpty() || password == null) {
            return new Outcome.Failed();
        }
        if (username.length() > 64) {
            // no account has a longer name (the columns hold 64): audited, clipped; nothing to lock or count
            String clipped = username.substring(0, 63) + "…";
            repeat(AuditLog.event("LOGIN_FAILED").actor(clipped).user(clipped).source(source)
                    .detail("unknown account, name longer than 64 characters (" + method + ")"),
                    "LOGIN_FAILED", clipped, source, "login(s) with a name longer than 64 characters from this address", now);
            return new Outcome.Failed();
        }
        // Order: an account of this name that is not from LDAP answers alone (local: its password; oidc: none);
        // otherwise LDAP, when configured.
        Optional<User> found = QuarkusTransaction.requiringNew().call(() -> User.findByUsername(username));
        boolean local = found.isPresent() && !"ldap".equals(found.get().source) || !ldap.enabled();
        if (local && Passwords.tooLong(password)) {
            // bcrypt would compare only the first 72 bytes: no local password is longer, so nothing is checked
            repeat(AuditLog.event("LOGIN_FAILED").actor(username).user(username).source(source)
                    .detail("password longer than " + Passwords.MAX_BYTES + " bytes, not checked (" + method + ")"),
                    "LOGIN_FAILED", username, source, "login(s) with a password longer than " + Passwords.MAX_BYTES
                            + " bytes from this address, not checked", now);
            return new Outcome.Refused("This password is longer than " + Passwords.MAX_BYTES + " bytes, and no "
                    + "Spicegate password is: check what you typed.");
        }
        LoginAttempts.Slot slot = reserveWaiting(username, now);
        if (slot.busy()) {
            return new Outcome.Busy();
        }
        if (slot.locked()) {
            repeat(AuditLog.event("LOGIN_LOCKED").actor(username).user(username).source(source)
                    .detail("refused while locked (" + method + "); more from this address are counted and audited together"),
                    "LOGIN_LOCKED", username, source, "login(s) refused while locked from this address", now);
            return new Outcome.Locked(Duration.between(now, slot.lockedUntil()).toSeconds());
        }
        try {
            boolean ok;
            String via = "local account";
            if (local) {
                ok = Passwords.matches(password, found.map(u -> u.passwordHash).orElse(null));
            } else {
                via = "ldap " + ldap.url();
                Optional<DirectoryIdentity> id;
                try {
                    id = ldap.authenticate(username, password);
                } catch (LdapDirectory.Unavailable e) {
                    io.quarkus.logging.Log.warnf("LDAP login of %s: the directory is not answering (%s)", username, e.getMessage());
                    id = Optional.empty();
                }
                ok = id.isPresent() && username.equals(normalise(id.get().username()));
                if (ok) {
                    DirectoryIdentity identity = id.get();
                    String ldapVia = via;
                    try {
                        found = Optional.of(QuarkusTransaction.requiringNew().call(() -> accounts.upsert(identity, now)));
                    } catch (QuarkusTransactionException wrapped) {
                        if (!(wrapped.getCause() instanceof DirectoryAccounts.Refused e)) {
                            throw wrapped;
                        }
                        attempts.release(slot);
                        audit(AuditLog.event("LOGIN_FAILED").actor(username).user(username).source(source)
                                .detail(e.getMessage() + " (" + method + ", " + ldapVia + ")"), now);
                        return new Outcome.Refused(e.getMessage());
                    }
                }
            }
            if (ok && found.get().active) {
                attempts.release(slot);
                return new Outcome.Ok(found.get(), null, null); // a form login audits LOGIN_OK with its session
            }
            String why = found.isEmpty() ? "unknown account" : !ok ? "wrong password" : "account deactivated";
            audit(AuditLog.event("LOGIN_FAILED").actor(username).user(username).source(source)
                    .detail(why + " (" + method + ", " + via + ")"), now);
            metrics.counter("spicegate_logins_failed", "method", method).increment();
            Optional<Instant> lockedUntil = attempts.fail(slot, username, now);
            if (lockedUntil.isPresent()) {
                return new Outcome.Locked(Duration.between(now, lockedUntil.get()).toSeconds());
            }
            return new Outcome.Failed();
        } catch (RuntimeException e) {
            // a check that broke off (the directory, the database) must not keep its slot pending for the whole
            // lockout period: it counts as a failed attempt
            attempts.abandon(slot, username, now);
            throw e;
        }
    }

    /**
     * Logins that check no password (locked, or input no account can have) may come in floods: the first per account,
     * address and minute is audited at once, the rest in one summary row ({@link RepeatedEvents}).
     */
    private void repeat(AuditLog.Entry first, String action, String username, String source, String what, Instant now) {
        QuarkusTransaction.requiringNew().run(() -> repeated.occurred(new RepeatedEvents.Key(action, source, username),
                first, what, REPEAT_WINDOW, now));
    }

    private static final Duration REPEAT_WINDOW = Duration.ofMinutes(1);

    private void audit(AuditLog.Entry entry, Instant now) {
        QuarkusTransaction.requiringNew().run(() -> audit.append(entry, now));
    }

    /** The login session behind a cookie token, if it is still valid; slides its idle expiry. */
    @Transactional
    public Optional<LoginSession> session(String token) {
        if (token == null || token.isBlank() || token.length() > 100) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        LoginSession s = LoginSession.findById(sha256(token));
        if (s == null) {
            return Optional.empty();
        }
        if (!s.expiresAt.isAfter(now) || !s.user.active) {
            s.delete();
            return Optional.empty();
        }
        if (Duration.between(s.lastSeenAt, now).toSeconds() >= 60) {
            s.lastSeenAt = now;
            s.expiresAt = now.plus(idle());
        }
        return Optional.of(s);
    }

    @Transactional
    public void logout(String tokenHash, String source) {
        if (tokenHash == null) {
            return;
        }
        LoginSession s = LoginSession.findById(tokenHash);
        if (s != null) {
            audit.append(AuditLog.event("LOGOUT").actor(s.user.username).user(s.user.username).source(source), clock.instant());
            s.delete();
        }
    }

    /** Ends every login session of a user (deactivation, password reset). */
    @Transactional
    public long endLoginSessions(long userId) {
        return LoginSession.delete("user.id", userId);
    }

    /**
     * Changes the caller's own password after checking the current one; other login sessions of the user
     * end, the current one stays. Returns a sentence describing the problem, or null on success.
     */
    @Transactional
    public String changePassword(long userId, String current, String next, String keepTokenHash, String source) {
        User u = UserLocks.acting(userId); // an administrator's reset or deactivation goes first or waits for this change
        Instant now = clock.instant();
        if (u == null || current == null || !Passwords.matches(current, u.passwordHash)) {
            return "Your current password is not right: type it again.";
        }
        String weakness = Passwords.weakness(next);
        if (weakness != null) {
            return weakness;
        }
        if (next.equals(current)) {
            return "The new password is the same as the current one: choose another.";
        }
        u.passwordHash = Passwords.hash(next);
        LoginSession.delete("user.id = ?1 and tokenHash <> ?2", userId, keepTokenHash == null ? "" : keepTokenHash);
        audit.append(AuditLog.event("PASSWORD_CHANGED").actor(u.username).user(u.username).source(source), now);
        return null;
    }

    public static String normalise(String username) {
        return username == null ? "" : username.strip().toLowerCase(Locale.ROOT);
    }

    private Duration idle() {
        return Duration.ofMinutes(config.session().idleMinutes());
    }

    static String randomToken() {
        return Secrets.token("");
    }

    public static String sha256(String s) {
        return Secrets.sha256(s);
    }
}
