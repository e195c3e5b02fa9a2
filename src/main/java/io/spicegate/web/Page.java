package io.spicegate.web;

import io.spicegate.users.Caller;

/** What every page's layout needs: who is logged in and the form token. */
public record Page(String title, String username, String csrf, boolean admin, boolean approver, String active,
                   String zone) {

    public static Page of(Caller caller, String title, String active) {
        return new Page(title, caller.username(), caller.csrfToken(), caller.isAdmin(), caller.isApprover(), active,
                displayZone());
    }

    static Page anonymous(String title) {
        return new Page(title, null, null, false, false, "", displayZone());
    }

    /** The office's zone for times on pages that are not tied to one rule (spicegate.display-zone). */
    static String displayZone() {
        return org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("spicegate.display-zone", String.class).orElse("Europe/Berlin");
    }

    public boolean loggedIn() {
        return username != null;
    }
}
