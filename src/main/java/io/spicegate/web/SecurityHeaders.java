package io.spicegate.web;

import io.spicegate.shared.AnswerHeaders;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/** Browser hardening on every answer: no framing, no sniffing, no inline scripts, no caching of personal pages. */
public class SecurityHeaders {

    @ServerResponseFilter
    public void headers(ContainerRequestContext request, ContainerResponseContext response) {
        var h = response.getHeaders();
        // X-Content-Type-Options and X-Frame-Options come from quarkus.http.header.* (application.properties), which
        // also reach static files and /q/: set here as well, they would be sent twice
        if (!request.getUriInfo().getPath().startsWith("/q/")) {
            AnswerHeaders.apply(h::putSingle, h.containsKey("Cache-Control"));
        } else {
            h.putSingle("Referrer-Policy", "same-origin");
        }
        if ("https".equalsIgnoreCase(request.getUriInfo().getRequestUri().getScheme())) {
            h.putSingle("Strict-Transport-Security", "max-age=31536000");
        }
    }
}
