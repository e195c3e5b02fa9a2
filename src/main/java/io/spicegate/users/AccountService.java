package io.spicegate.users;

import io.spicegate.shared.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

/** My account as its page shows it: read for the logged-in user, in one transaction. */
@ApplicationScoped
public class AccountService {

    /** What My account shows: the name to greet, e-mail ("" when none), Unix username and roles ("user, admin"). */
    public record Account(String displayName, String email, String unixUsername, String roles) { }

    /** The account of an active user; 401 when it is gone or deactivated. */
    @Transactional
    public Account of(long userId) {
        User u = User.findById(userId);
        if (u == null || !u.active) {
            throw Problem.notLoggedIn();
        }
        return new Account(u.displayNameOrUsername(), u.email == null ? "" : u.email, u.unixUsername,
                String.join(", ", u.roles()));
    }
}
