package io.spicegate.web;

import io.quarkus.logging.Log;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.spicegate.shared.ErrorPage;
import io.spicegate.users.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The error page in the portal's layout: a logged-in caller keeps the navigation and Log out; anonymous callers,
 * and any failure while the navigation is built (the database being the problem), get the bare layout.
 */
@ApplicationScoped
public class ErrorPages implements ErrorPage {

    @Inject
    @Location("error.html")
    Template errorPage;

    @Inject
    Caller caller;

    @Override
    public String render(int status, String message) {
        String title = status + " " + heading(status);
        if (status <= 500) { // a 503 is the database or the pool: the navigation's counts would fail too
            try {
                if (caller.isLoggedIn()) {
                    return page(Page.of(caller, title, ""), status, message);
                }
            } catch (RuntimeException e) {
                Log.debugf("error page %d without navigation: %s", status, e.getMessage());
            }
        }
        return page(Page.anonymous(title), status, message);
    }

    private String page(Page page, int status, String message) {
        return errorPage.data("page", page).data("status", status).data("heading", heading(status))
                .data("message", message).render();
    }

    /** The page's heading: what happened, in a person's words. */
    static String heading(int status) {
        return switch (status) {
            case 403 -> "Not allowed";
            case 404 -> "Not found";
            case 409 -> "Not now";
            case 410 -> "Used up";
            case 429 -> "Locked for a while";
            case 500 -> "Something went wrong";
            case 503 -> "Not available right now";
            default -> "That did not work";
        };
    }
}
