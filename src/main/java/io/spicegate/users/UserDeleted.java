package io.spicegate.users;

/**
 * A user is about to be deleted (fired in the admin's transaction, before his row goes): his live console
 * sessions end with {@link #reason()}; the rows that keep his name lose their link to the account.
 */
public record UserDeleted(long userId, String admin) {

    public String reason() {
        return "account deleted";
    }
}
