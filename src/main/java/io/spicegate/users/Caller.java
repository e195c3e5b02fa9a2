package io.spicegate.users;

import io.spicegate.shared.Problem;
import io.spicegate.shared.Secrets;
import jakarta.enterprise.context.RequestScoped;

import java.util.Set;

/** Who is making the current request, as established by {@link AuthFilter}; empty for anonymous requests. */
@RequestScoped
public class Caller {

    /** How the caller proved who he is. */
    public enum Via { COOKIE, BASIC, TOKEN }

    private Long userId;
    private String username;
    private boolean approver;
    private boolean admin;
    private Via via;
    private String csrfToken;
    private String loginTokenHash;

    void set(User user, Via via, String csrfToken, String loginTokenHash) {
        this.userId = user.id;
        this.username = user.username;
        this.approver = user.approver;
        this.admin = user.admin;
        this.via = via;
        this.csrfToken = csrfToken;
        this.loginTokenHash = loginTokenHash;
    }

    public boolean isLoggedIn() {
        return userId != null;
    }

    /** The caller's user id; 401 when nobody is logged in. */
    public long requireUserId() {
        if (userId == null) {
            throw Problem.notLoggedIn();
        }
        return userId;
    }

    public User requireUser() {
        User u = User.findById(requireUserId());
        if (u == null || !u.active) {
            throw Problem.notLoggedIn();
        }
        return u;
    }

    public void requireAdmin() {
        requireUserId();
        if (!admin) {
            throw Problem.forbidden("Only administrators may do this.");
        }
    }

    public String username() {
        return username;
    }

    public boolean isAdmin() {
        return admin;
    }

    public boolean isApprover() {
        return approver;
    }

    public Via via() {
        return via;
    }

    /**
     * The session's CSRF token as this response should carry it: masked afresh on every call (see
     * {@link Secrets#masked}), so the compressed pages that carry it do not leak it. Any masking of it is accepted.
     */
    public String csrfToken() {
        return csrfToken == null ? null : Secrets.masked(csrfToken);
    }

    String loginTokenHash() {
        return loginTokenHash;
    }

    /** Forms posted with the login cookie must carry the session's CSRF token. */
    public void checkCsrf(String token) {
        requireUserId();
        if (via == Via.COOKIE && !csrfMatches(token)) {
            throw Problem.forbidden("This form has expired or did not come from Spicegate: reload the page and try again.");
        }
    }

    /** True when {@code token} is a masking of this cookie session's CSRF token. */
    boolean csrfMatches(String token) {
        return Secrets.unmasks(token, csrfToken);
    }

    public Set<String> roles() {
        if (!isLoggedIn()) {
            return Set.of();
        }
        return admin && approver ? Set.of("user", "approver", "admin")
                : admin ? Set.of("user", "admin") : approver ? Set.of("user", "approver") : Set.of("user");
    }
}
