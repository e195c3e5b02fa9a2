package io.spicegate.shared;

/** Renders the HTML error page for a failed page request; implemented where the layout and the caller are known. */
public interface ErrorPage {

    /** The whole page for this status and sentence. */
    String render(int status, String message);
}
