package io.spicegate.web;

import io.spicegate.requests.RequestInbox;
import io.spicegate.users.Caller;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.util.Set;

/**
 * The request counts of the navigation bar, for every page ({@code {inject:requestNav.unseen}} in
 * base.html): "Approvals (2)" for an approver with two requests to decide, "My requests (1)" for a
 * requester with one decision not yet seen. Looked up once per page, only when the page shows the nav.
 */
@Named("requestNav")
@RequestScoped
public class RequestNav {

    @Inject Caller caller;
    @Inject RequestInbox requests;

    private RequestInbox.Nav nav;

    private RequestInbox.Nav nav() {
        if (nav == null) {
            nav = caller.isLoggedIn() ? requests.nav(caller.requireUserId()) : RequestInbox.Nav.NONE;
        }
        return nav;
    }

    /** Pending requests the caller may decide. */
    public long toDecide() {
        return nav().toDecide();
    }

    /** The caller's decided requests he has not looked at yet. */
    public long unseen() {
        return nav().unseen();
    }

    /** Show "Approvals": an approver by role, named in a rule, or with something to decide. */
    public boolean showApprovals() {
        return caller.isApprover() || nav().approver();
    }

    /** The change stamp of My requests and Approvals, for js/live.js to compare with the pulse (empty when logged out). */
    public String stamp() {
        return caller.isLoggedIn() ? requests.pulse(caller.requireUserId()).stamp() : "";
    }

    /** Consoles the caller has a pending request for (My consoles says so instead of offering to ask again). */
    public Set<String> pendingConsoles() {
        return nav().pendingConsoles();
    }
}
