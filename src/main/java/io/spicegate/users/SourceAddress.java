package io.spicegate.users;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/** The address a request came from (after Quarkus' trusted-proxy handling of X-Forwarded-For, when enabled). */
public final class SourceAddress {

    private SourceAddress() {
    }

    public static String of(HttpServerRequest request) {
        SocketAddress remote = request.remoteAddress();
        if (remote == null || remote.hostAddress() == null) {
            return "unknown";
        }
        String a = remote.hostAddress();
        // Vert.x may render IPv6 with brackets or a zone id
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        int zone = a.indexOf('%');
        return zone >= 0 ? a.substring(0, zone) : a;
    }
}
