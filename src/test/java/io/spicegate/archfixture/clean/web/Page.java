package io.spicegate.archfixture.clean.web;

import io.spicegate.archfixture.clean.sessions.Session;

/** ArchitectureTest fixture: a page that calls a service and does no persistence. */
public class Page {

    public String render(Session session) {
        return String.valueOf(session.users);
    }
}
