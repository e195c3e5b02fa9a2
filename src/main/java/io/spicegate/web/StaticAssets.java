package io.spicegate.web;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Named;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Content-versioned URLs of the static files ({@code {inject:assets.url('style.css')}} in base.html →
 * {@code /style.css?v=<first 12 hex digits of its SHA-256>}) and their caching: the versioned URL is cached for a year
 * as {@code immutable}, since a changed file gets a new URL; the plain URL (and an outdated version) must be
 * revalidated on every use, so an upgrade reaches every browser at once.
 */
@Named("assets")
@ApplicationScoped
public class StaticAssets {

    /** Where Quarkus serves static files from, on the class path. */
    static final String ROOT = "META-INF/resources/";
    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    static final String REVALIDATE = "no-cache";
    /** A static file's path: segments of safe characters, the last with an extension; never "..". */
    private static final Pattern FILE = Pattern.compile("(?:[A-Za-z0-9_-][A-Za-z0-9_.-]*/){0,4}[A-Za-z0-9_-][A-Za-z0-9_.-]*\\.[A-Za-z0-9]{1,8}");

    /** The versions of the files asked for so far: only files that exist are kept, so the map stays as small as the folder. */
    private final ConcurrentHashMap<String, String> versions = new ConcurrentHashMap<>();

    /** The URL to put in a page for the static file {@code path} (relative, e.g. {@code js/focus.js}). */
    public String url(String path) {
        return "/" + path + "?v=" + version(path).orElseThrow(() -> new IllegalArgumentException(
                "there is no static file " + path + " under src/main/resources/" + ROOT));
    }

    /** The current version of a static file, or empty when there is no such file. */
    Optional<String> version(String path) {
        String known = versions.get(path);
        if (known != null) {
            return Optional.of(known);
        }
        if (!FILE.matcher(path).matches() || path.contains("..")) {
            return Optional.empty();
        }
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(ROOT + path)) {
            if (in == null) {
                return Optional.empty();
            }
            String v = version(in.readAllBytes());
            versions.put(path, v);
            return Optional.of(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The version of a file's content: the first 12 hex digits of its SHA-256 (48 bits: no two releases collide). */
    static String version(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Cache-Control a static file's answer gets: immutable only under its current version. */
    static String cacheControl(String currentVersion, String askedVersion) {
        return currentVersion.equals(askedVersion) ? IMMUTABLE : REVALIDATE;
    }

    /** Replaces the static handler's own Cache-Control (a day, {@code immutable}, under a name that never changes). */
    void caching(@Observes Filters filters) {
        filters.register(this::cacheHeaders, 50);
    }

    /** The {@code v} the URL names, or null (none, or a query with a broken %-escape: the file is still served). */
    private static String askedVersion(RoutingContext rc) {
        try {
            return rc.request().getParam("v");
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void cacheHeaders(RoutingContext rc) {
        HttpMethod method = rc.request().method();
        String path = rc.normalizedPath();
        if ((method == HttpMethod.GET || method == HttpMethod.HEAD) && path.length() > 1 && !path.startsWith("/q/")
                && !path.startsWith("/api/")) {
            version(path.substring(1)).ifPresent(current -> {
                String asked = askedVersion(rc);
                rc.addHeadersEndHandler(v -> {
                    if (rc.response().getStatusCode() < 400) {
                        rc.response().headers().set("Cache-Control", cacheControl(current, asked));
                    }
                });
            });
        }
        rc.next();
    }
}
