package io.spicegate.archfixture.dirty.cli;

import jakarta.ws.rs.core.Response;

/** ArchitectureTest fixture: a command-line class that names a portal framework. */
public class Reply {

    public Response answer;
}
