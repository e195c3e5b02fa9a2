package io.spicegate.users;

import io.micrometer.core.instrument.MeterRegistry;
import io.spicegate.audit.AuditLog;
import io.spicegate.shared.Secrets;
import io.spicegate.shared.SpicegateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Logins: password checks with a per-account lockout, server-side login sessions behind a random cookie
 * token, HTTP Basic for scripts, logout and password changes. Everything is audited; no secret is.
 */
@ApplicationScoped
public class AuthService {

    @Inject
    Clock clock;

    @Inject
    AuditLog audit;

    @Inject
    SpicegateConfig config;

    @Inject
    LdapDirectory ldap;

    @Inject
    DirectoryAccounts accounts;

    @Inject
    MeterRegistry metrics;

    /** The outcome of a password check. */
    public sealed interface Outcome {
        /** Logged in; {@code token} goes into the cookie (null for Basic). */
        record Ok(User user, String token, String csrf) implements Outcome { }
        record Failed() implements Outcome { }
        /** A directory login that may not go on, with a sentence for the person. */
        record Refused(String message) implements Outcome { }
        record Locked(long secondsLeft) implements Outcome {
            public String message() {
                long minutes = Math.max(1, (secondsLeft + 59) / 60);
                return "Too many failed logins for this account: it is locked for " + minutes
                        + (minutes == 1 ? " minute" : " minutes") + ", even with the right password. Try again later.";
            }
        }
    }

    /** Form login: on success opens a new login session (a new id at every login). */
    @Transactional
    public Outcome login(String username, String password, String source) {
        Instant now = clock.instant();
        Outcome outcome = check(username, password, source, now, "form");
        if (outcome instanceof Outcome.Ok ok) {
            return openSession(ok.user(), now);
        }
        return outcome;
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
    @Transactional
    public Outcome basic(String username, String password, String source) {
        return check(username, password, source, clock.instant(), "basic");
    }

    private Outcome check(String rawUsername, String password, String source, Instant now, String method) {
        String username = normalise(rawUsername);
        if (username.isEmpty() || password == null) {
            return new Outcome.Failed();
        }
        if (username.length() > 64) {
            // no account has a longer name (the columns hold 64): audited, clipped; nothing to lock or count
            String clipped = username.substring(0, 63) + "…";
            audit.append(AuditLog.event("LOGIN_FAILED").actor(clipped).user(clipped).source(source)
                    .detail("unknown account, name longer than 64 characters (" + method + ")"), now);
            return new Outcome.Failed();
        }
        Optional<Instant> lockedUntil = lockedUntil(username, now);
        if (lockedUntil.isPresent()) {
            audit.append(AuditLog.event("LOGIN_LOCKED").actor(username).user(username).source(source)
                    .detail("refused while locked (" + method + ")"), now);
            return new Outcome.Locked(Duration.between(now, lockedUntil.get()).toSeconds());
        }
        // Order: an account of this name that is not from LDAP answers alone (local: its password; oidc: none);
        // otherwise LDAP, when configured.
        Optional<User> found = User.findByUsername(username);
        boolean ok;
        String via = "local account";
        if (found.isPresent() && !"ldap".equals(found.get().source) || !ldap.enabled()) {
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
                try {
                    found = Optional.of(accounts.upsert(id.get(), now));
                } catch (DirectoryAccounts.Refused e) {
                    audit.append(AuditLog.event("LOGIN_FAILED").actor(username).user(username).source(source)
                            .detail(e.getMessage() + " (" + method + ", " + via + ")"), now);
                    return new Outcome.Refused(e.getMessage());
                }
            }
        }
        if (ok && found.get().active) {
            LoginFailure.delete("username", username);
            if ("form".equals(method)) {
                audit.append(AuditLog.event("LOGIN_OK").actor(username).user(username).source(source)
                        .detail(via), now);
            }
            return new Outcome.Ok(found.get(), null, null);
        }
        LoginFailure f = new LoginFailure();
        f.username = username;
        f.at = now;
        f.persist();
        String why = found.isEmpty() ? "unknown account" : !ok ? "wrong password" : "account deactivated";
        audit.append(AuditLog.event("LOGIN_FAILED").actor(username).user(username).source(source)
                .detail(why + " (" + method + ", " + via + ")"), now);
        metrics.counter("spicegate_logins_failed", "method", method).increment();
        Optional<Instant> nowLocked = lockedUntil(username, now);
        if (nowLocked.isPresent()) {
            return new Outcome.Locked(Duration.between(now, nowLocked.get()).toSeconds());
        }
        return new Outcome.Failed();
    }

    /** Locked when the last N failures all fall within the lockout period; the lock lasts that long from the last one. */
    Optional<Instant> lockedUntil(String username, Instant now) {
        int max = config.login().maxFailures();
        Duration period = Duration.ofMinutes(config.login().lockoutMinutes());
        List<LoginFailure> recent = LoginFailure.find("username = ?1 and at > ?2 order by at desc", username,
                now.minus(period)).page(0, max).list();
        if (recent.size() < max) {
            return Optional.empty();
        }
        Instant until = recent.get(0).at.plus(period);
        return until.isAfter(now) ? Optional.of(until) : Optional.empty();
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
        User u = User.findById(userId);
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
