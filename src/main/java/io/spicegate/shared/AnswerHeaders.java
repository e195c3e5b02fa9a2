package io.spicegate.shared;

import java.util.function.BiConsumer;

/**
 * Browser hardening every answer of ours carries beside Quarkus' own (nosniff, DENY: {@code quarkus.http.header.*}):
 * the page filter ({@code web.SecurityHeaders}) and the agents' fast route alike.
 */
public final class AnswerHeaders {

    public static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private AnswerHeaders() {
    }

    /** Referrer-Policy and Content-Security-Policy, and no caching unless {@code cacheSet} (the answer chose its own). */
    public static void apply(BiConsumer<String, String> put, boolean cacheSet) {
        put.accept("Referrer-Policy", "same-origin");
        put.accept("Content-Security-Policy", CSP);
        if (!cacheSet) {
            put.accept("Cache-Control", "no-store");
        }
    }
}
