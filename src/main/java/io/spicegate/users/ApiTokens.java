package io.spicegate.users;

import io.spicegate.audit.AuditLog;
import io.spicegate.shared.Problem;
import io.spicegate.shared.Secrets;
import io.spicegate.shared.SpicegateConfig;
import io.spicegate.shared.Touches;
import io.spicegate.shared.Validate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Personal API tokens (issue 18): a user creates, lists and revokes his own; an administrator lists and revokes
 * anyone's. The secret ({@code sgp_} + 256 random bits) is shown once, at creation, and stored only as its SHA-256.
 * Every call made with one checks, against the database, that it is neither revoked nor expired and that its user is
 * active, so revoking a token or deactivating its user stops it at the next call on every replica. Uses are noted in
 * {@link Touches} (written in batches, like the agents' last seen).
 */
@ApplicationScoped
public class ApiTokens {

    /** How a personal API token starts; the agents' bearers start otherwise, so neither is taken for the other. */
    public static final String PREFIX = "sgp_";
    static final Touches.Column LAST_USED = new Touches.Column("api_token", "last_used_at");

    @Inject Clock clock;
    @Inject AuditLog audit;
    @Inject Touches touches;
    @Inject SpicegateConfig config;

    /** A token as its owner (or an administrator) sees it: never the secret. */
    public record TokenView(long id, String name, String user, Instant createdAt, Instant expiresAt,
                            Instant lastUsedAt, Instant revokedAt, String revokedBy, String state) {

        static TokenView of(ApiToken t, Instant now) {
            return new TokenView(t.id, t.name, t.user.username, t.createdAt, t.expiresAt, t.lastUsedAt, t.revokedAt,
                    t.revokedBy, t.stateAt(now).name());
        }

        public boolean active() {
            return "ACTIVE".equals(state);
        }
    }

    /** The answer to a creation: the only time the secret is shown. */
    public record Created(long id, String name, Instant expiresAt, String token) { }

    /** Who a valid token acts as, and which token it was (for the audit). */
    public record Holder(User user, long tokenId, String name) {
        /** How audit rows of calls made with it name it. */
        public String credential() {
            return "API token #" + tokenId + " '" + name + "'";
        }
    }

    /** Creates a token for {@code userId} named {@code name} that expires in {@code days} (1 to the configured max). */
    @Transactional
    public Created create(long userId, String name, Integer days) {
        String n = Validate.text(name, "name", 64);
        if (n == null || n.isBlank()) {
            throw Problem.badRequest("Give the token a name that says where it is used, e.g. {\"name\": \"laptop\", \"days\": 30}.");
        }
        if (n.contains("\n") || n.contains("\t") || n.contains("\r")) {
            throw Problem.badRequest("A token's name is one line: remove the line break or tab.");
        }
        if (n.codePoints().anyMatch(c -> Character.getType(c) == Character.FORMAT)) {
            // a right-to-left override or a zero-width character makes a name read as something else on the pages
            throw Problem.badRequest("A token's name may not contain invisible formatting characters (such as a "
                    + "right-to-left override): type it again with letters, digits and punctuation.");
        }
        int max = config.token().maxDays();
        if (days == null) {
            throw Problem.badRequest("Say in how many days the token expires: \"days\" from 1 to " + max + ".");
        }
        if (days < 1 || days > max) {
            throw Problem.badRequest("A token expires in 1 to " + max + " days, not " + days + ": choose a number in that range.");
        }
        Instant now = clock.instant();
        // the account lock, shared with the user's other actions: a deactivation waits for this creation to commit and
        // so revokes the new token too, and a creation after it waits and sees the account inactive (UserLocks)
        User u = UserLocks.acting(userId);
        // then parallel creations count one after the other, never past the limit (a lock of their own: Open console
        // calls in flight never hold a creation up)
        UserLocks.creatingToken(userId);
        if (u == null || !u.active) {
            throw Problem.notLoggedIn();
        }
        long live = ApiToken.count("user.id = ?1 and revokedAt is null and expiresAt > ?2", userId, now);
        if (live >= config.token().maxLive()) {
            throw Problem.conflict("You already have " + live + " live API tokens, the most one may hold: revoke one you "
                    + "no longer use, then create this one.");
        }
        String secret = Secrets.token(PREFIX);
        ApiToken t = new ApiToken();
        t.user = u;
        t.name = n;
        t.tokenHash = Secrets.sha256(secret);
        t.createdAt = now;
        t.expiresAt = now.plus(Duration.ofDays(days));
        t.persist();
        audit.append(AuditLog.event("TOKEN_CREATED").actor(u.username).user(u.username)
                .detail("token #" + t.id + " '" + n + "', expires " + t.expiresAt), now);
        return new Created(t.id, t.name, t.expiresAt, secret);
    }

    /** The user's tokens, newest first, revoked and expired ones included. */
    @Transactional
    public List<TokenView> mine(long userId) {
        Instant now = clock.instant();
        return ApiToken.<ApiToken>list("user.id = ?1 order by id desc", userId).stream()
                .map(t -> TokenView.of(t, now)).toList();
    }

    /** One of the user's own tokens (another user's is "no such token"). */
    @Transactional
    public TokenView own(long userId, long id) {
        ApiToken t = ApiToken.find("select t from ApiToken t join fetch t.user where t.id = ?1", id).firstResult();
        if (t == null || !t.user.id.equals(userId)) {
            throw Problem.notFound("There is no API token #" + id + " of yours: GET /api/v1/tokens lists them.");
        }
        return TokenView.of(t, clock.instant());
    }

    /** Every user's tokens (or one user's: 404 when there is no such user), newest first: for administrators. */
    @Transactional
    public List<TokenView> all(String username) {
        Instant now = clock.instant();
        if (username != null && !username.isBlank() && User.findByUsername(username.strip()).isEmpty()) {
            throw Problem.notFound("There is no user '" + io.spicegate.shared.TimeText.clip(username.strip())
                    + "': GET /api/v1/admin/users lists them.");
        }
        List<ApiToken> rows = username == null || username.isBlank()
                ? ApiToken.list("select t from ApiToken t join fetch t.user order by t.id desc")
                : ApiToken.list("select t from ApiToken t join fetch t.user u where u.username = ?1 order by t.id desc",
                        username.strip());
        return rows.stream().map(t -> TokenView.of(t, now)).toList();
    }

    /**
     * Revokes the user's own token {@code id} (another user's is "no such token"). Revoking a revoked token changes
     * nothing and answers the same: however many calls race, one revokes and one audit row says so.
     */
    @Transactional
    public TokenView revokeOwn(long userId, long id) {
        ApiToken t = ApiToken.find("select t from ApiToken t join fetch t.user where t.id = ?1", id).firstResult();
        if (t == null || !t.user.id.equals(userId)) {
            throw Problem.notFound("There is no API token #" + id + " of yours: GET /api/v1/tokens lists them.");
        }
        return revoke(t, t.user.username, false);
    }

    /** Revokes anyone's token {@code id}: for administrators. */
    @Transactional
    public TokenView revokeAny(long id, String admin) {
        ApiToken t = ApiToken.find("select t from ApiToken t join fetch t.user where t.id = ?1", id).firstResult();
        if (t == null) {
            throw Problem.notFound("There is no API token #" + id + ": GET /api/v1/admin/tokens lists them.");
        }
        return revoke(t, admin, !admin.equals(t.user.username));
    }

    private TokenView revoke(ApiToken t, String by, boolean byAdmin) {
        Instant now = clock.instant();
        // one conditional UPDATE decides the race: only the call that moved the row from live to revoked audits it
        int changed = ApiToken.update("revokedAt = ?1, revokedBy = ?2 where id = ?3 and revokedAt is null", now, by, t.id);
        if (changed == 1) {
            audit.append(AuditLog.event("TOKEN_REVOKED").actor(by).user(t.user.username)
                    .detail("token #" + t.id + " '" + t.name + "'" + (byAdmin ? ", by an administrator" : "")), now);
        }
        ApiToken.getEntityManager().refresh(t);
        return TokenView.of(t, now);
    }

    /** Revokes every live token of a user being deactivated (in the admin's transaction); returns how many. */
    int revokeAll(User u, String admin, Instant now) {
        List<ApiToken> live = ApiToken.list("user.id = ?1 and revokedAt is null", u.id);
        int n = 0;
        for (ApiToken t : live) {
            if (ApiToken.update("revokedAt = ?1, revokedBy = ?2 where id = ?3 and revokedAt is null", now, admin, t.id) == 1) {
                audit.append(AuditLog.event("TOKEN_REVOKED").actor(admin).user(u.username)
                        .detail("token #" + t.id + " '" + t.name + "', account deactivated"), now);
                n++;
            }
        }
        return n;
    }

    /**
     * The user a bearer secret acts as, checked against the database now: 401 with a sentence when it is unknown,
     * expired or revoked, or its user is deactivated. The use is noted for {@code lastUsedAt}.
     */
    @Transactional
    public Holder authenticate(String secret) {
        Instant now = clock.instant();
        if (secret == null || !secret.startsWith(PREFIX) || secret.length() > 100) {
            throw new Problem(401, "This is not a Spicegate API token (they start with " + PREFIX
                    + "): create one on My account and send it as 'Authorization: Bearer " + PREFIX + "…'.");
        }
        ApiToken t = ApiToken.find("select t from ApiToken t join fetch t.user where t.tokenHash = ?1",
                Secrets.sha256(secret)).firstResult();
        if (t == null) {
            throw new Problem(401, "This API token is not known here: check that you copied all of it, or create a new one on My account.");
        }
        switch (t.stateAt(now)) {
            case REVOKED -> throw new Problem(401, "This API token was revoked at " + t.revokedAt
                    + ": create a new one on My account.");
            case EXPIRED -> throw new Problem(401, "This API token expired at " + t.expiresAt
                    + ": create a new one on My account.");
            case ACTIVE -> { }
        }
        if (!t.user.active) {
            throw new Problem(401, "The account of this API token is deactivated: ask an administrator.");
        }
        touches.touch(LAST_USED, t.id, now);
        return new Holder(t.user, t.id, t.name);
    }
}
