package io.spicegate.archfixture.dirty.agent;

import jakarta.ws.rs.core.Response;

/** ArchitectureTest fixture: an agent class that names a portal framework. */
public class Daemon {

    public Response answer;
}
