package io.spicegate.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/** Browser hardening on every answer: no framing, no sniffing, no inline scripts, no caching of personal pages. */
public class SecurityHeaders {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    @ServerResponseFilter
    public void headers(ContainerRequestContext request, ContainerResponseContext response) {
        var h = response.getHeaders();
        // X-Content-Type-Options and X-Frame-Options come from quarkus.http.header.* (application.properties), which
        // also reach static files and /q/: set here as well, they would be sent twice
        h.putSingle("Referrer-Policy", "same-origin");
        if (!request.getUriInfo().getPath().startsWith("/q/")) {
            h.putSingle("Content-Security-Policy", CSP);
            if (!h.containsKey("Cache-Control")) {
                h.putSingle("Cache-Control", "no-store");
            }
        }
        if ("https".equalsIgnoreCase(request.getUriInfo().getRequestUri().getScheme())) {
            h.putSingle("Strict-Transport-Security", "max-age=31536000");
        }
    }
}
