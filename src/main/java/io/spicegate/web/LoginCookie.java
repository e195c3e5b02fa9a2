package io.spicegate.web;

import io.spicegate.shared.SpicegateConfig;
import io.spicegate.users.AuthFilter;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

import java.net.URI;

/** The login cookie, set by a local or a single sign-on login and cleared by logout. */
@ApplicationScoped
public class LoginCookie {

    @Inject SpicegateConfig config;

    /** A successful login: the browser goes on to {@code target} holding the login session's token. */
    Response open(String target, String token, HttpServerRequest request) {
        return Response.seeOther(URI.create(target)).cookie(builder(request).value(token).build()).build();
    }

    /** The cookie that makes the browser forget the login token. */
    NewCookie cleared(HttpServerRequest request) {
        return builder(request).value("").maxAge(0).build();
    }

    private NewCookie.Builder builder(HttpServerRequest request) {
        return new NewCookie.Builder(AuthFilter.COOKIE).path("/").httpOnly(true).secure(secure(request))
                .sameSite(NewCookie.SameSite.LAX);
    }

    /**
     * Cookies are {@code Secure} when configured so, and whenever the request came over TLS (directly, or through a
     * trusted proxy's X-Forwarded-Proto): a browser then never sends the login token over plain http.
     */
    private boolean secure(HttpServerRequest request) {
        return config.session().cookieSecure() || "https".equalsIgnoreCase(request.scheme());
    }
}
