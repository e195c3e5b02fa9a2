package io.spicegate.shared;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.quarkus.logging.Log;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Turns every failure into an answer a person can act on: {@code {"error": ...}} under /api, an error
 * page elsewhere (a login redirect for 401). Never a stack trace; unexpected failures are logged with an id
 * the person can quote.
 */
public class ErrorMappers {

    @Inject
    ErrorPage errorPage;

    @ServerExceptionMapper
    public Response problem(Problem p, UriInfo uri) {
        return respond(uri, p.status(), p.getMessage(), p.retryAfterSeconds());
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, UriInfo uri) {
        String fraction = fractionField(e);
        if (fraction != null) {
            return respond(uri, 400, "'" + fraction + "' has the wrong type: send " + WHOLE_NUMBER + ".", null);
        }
        return respond(uri, 400, "The request body is not valid JSON for this call: "
                + firstLine(e.getOriginalMessage()) + ".", null);
    }

    public static final String WHOLE_NUMBER = "a whole number (no fraction, e.g. 60)";
    /** Jackson's refusal of a fraction for an integer field, as the body reader passes it on ({@code "minutes": Cannot coerce ...}). */
    private static final java.util.regex.Pattern FRACTION =
            java.util.regex.Pattern.compile("(?:\\\\?\"([A-Za-z0-9_.\\[\\]-]{1,64})\\\\?\": )?Cannot coerce Floating-point value");

    /** The field a fraction was sent for where a whole number is expected, or null when that is not the problem. */
    private static String fractionField(JsonProcessingException e) {
        java.util.regex.Matcher m = FRACTION.matcher(e.getOriginalMessage() == null ? "" : e.getOriginalMessage());
        if (!m.find()) {
            return null;
        }
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException jm && !jm.getPath().isEmpty()
                && jm.getPath().get(jm.getPath().size() - 1).getFieldName() != null) {
            return jm.getPath().get(jm.getPath().size() - 1).getFieldName();
        }
        return m.group(1) != null ? m.group(1) : "a number";
    }

    /** Wrong types ("minutes": "sixty") and unknown shapes: Quarkus' own mapper would answer without a sentence. */
    @ServerExceptionMapper(priority = 1)
    public Response mismatch(com.fasterxml.jackson.databind.exc.MismatchedInputException e, UriInfo uri) {
        String field = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .reduce((a, b) -> a + "." + b).orElse(null);
        String what = e.getTargetType() == null ? "another type" : describe(e.getTargetType());
        return respond(uri, 400, field == null
                ? "The request body does not have the shape this call takes: check the API documentation at /q/openapi."
                : "'" + field + "' has the wrong type: send " + what + ".", null);
    }

    private static String describe(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class) {
            return WHOLE_NUMBER;
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == java.time.Instant.class) {
            return "an ISO-8601 instant such as 2026-11-26T17:00:00Z";
        }
        return "an object";
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        if (status == 400 && e.getCause() instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m) {
            return mismatch(m, uri); // the body reader wraps a wrong type ("minutes": 1.9): the same sentence
        }
        String message = switch (status) {
            case 400 -> e.getCause() instanceof JsonProcessingException j && fractionField(j) != null
                    ? "'" + fractionField(j) + "' has the wrong type: send " + WHOLE_NUMBER + "."
                    : e.getCause() instanceof JsonProcessingException j
                    ? "The request body is not valid JSON for this call: " + firstLine(j.getOriginalMessage()) + "."
                    : "The request is malformed: check the parameters and the body.";
            case 404 -> "There is no such page or API call: check the address.";
            case 405 -> "This address does not accept " + "that method: check the API documentation at /q/openapi.";
            case 406 -> "This address cannot answer in the format asked for (Accept header).";
            case 415 -> "This call takes a different content type: send JSON (Content-Type: application/json).";
            case 413 -> "The request is too large: shorten what you typed (a field holds at most 64 KB).";
            default -> status >= 500 ? "Something went wrong on our side." : "The request could not be handled.";
        };
        return respond(uri, status, message, null);
    }

    @ServerExceptionMapper(priority = 10_000)
    public Response unexpected(Throwable t, UriInfo uri) {
        Failure f = Failure.of(t, uri.getPath());
        return respond(uri, f.status(), f.message(), f.retryAfter());
    }

    /** What a failure means to the person who sent the request: a status, a sentence, and when to try again (or null). */
    public record Failure(int status, String message, Integer retryAfter) {

        /** The headers of this failure's API answer ({@code {"error": message}}): when to try again, how to log in. */
        public void apiHeaders(java.util.function.BiConsumer<String, String> put) {
            if (retryAfter != null) {
                put.accept("Retry-After", retryAfter.toString());
            }
            if (status == 401) {
                put.accept("WWW-Authenticate", API_CHALLENGE);
            }
        }

        /** The meaning of {@code t}, met answering {@code path}; one that is ours is logged with an id the person can quote. */
        public static Failure of(Throwable t, String path) {
            if (t instanceof Problem p) {
                return new Failure(p.status(), p.getMessage(), p.retryAfterSeconds());
            }
            String data = dataProblem(t);
            if (data != null) {
                return new Failure(400, data, null);
            }
            if (isBrokenEscape(t)) {
                return new Failure(400, BROKEN_ESCAPE, null);
            }
            if (isConcurrentChange(t)) {
                // two admins (or one double click) changing or deleting the same row at once: the later one's
                // transaction found it gone and rolled back whole
                return new Failure(409, "Someone else changed or removed this at the same moment: reload and try again.", null);
            }
            if (isPoolExhausted(t)) {
                Log.warnf("database busy on %s: %s", path, t.getMessage());
                return new Failure(503, "The portal is very busy right now: try again in a few seconds.", 5);
            }
            String lost = databaseUnreachable(t);
            if (lost != null) {
                // PostgreSQL restarting or unreachable: the transaction did not commit (or, if the connection broke
                // during the commit itself, did so whole, its audit row included); the pool drops the broken
                // connection and opens new ones once the server answers again. Opening again returns the same session.
                Log.warnf("database unavailable on %s: %s", path, lost);
                return new Failure(503, "The portal cannot reach its database right now: try again in a few seconds.", 3);
            }
            String id = UUID.randomUUID().toString().substring(0, 8);
            Log.errorf(t, "unexpected failure %s on %s", id, path);
            return new Failure(500, "Something went wrong on our side (error " + id + "). Try again; if it keeps "
                    + "happening, tell your administrator this error number.", null);
        }
    }

    /** A query or form value with a '%' not followed by two hex digits of UTF-8. */
    private static final String BROKEN_ESCAPE = "The address or the form has a broken %-escape (a '%' must be followed by "
            + "two hex digits of UTF-8): send the value encoded properly.";

    /** How an API answer asks for credentials with its 401. */
    public static final String API_CHALLENGE = "Basic realm=\"Spicegate\", charset=\"UTF-8\"";

    private Response respond(UriInfo uri, int status, String message, Integer retryAfter) {
        String path = uri.getPath();
        Response.ResponseBuilder b = Response.status(status);
        if (path.startsWith("/api/")) {
            new Failure(status, message, retryAfter).apiHeaders(b::header);
            return b.type(MediaType.APPLICATION_JSON).entity(new ErrorBody(message)).build();
        }
        if (retryAfter != null) {
            b.header("Retry-After", retryAfter);
        }
        if (status == 401) {
            String next = URLEncoder.encode(path, StandardCharsets.UTF_8);
            return Response.seeOther(URI.create("/login?next=" + next)).build();
        }
        return b.type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .entity(errorPage.render(status, message)).build();
    }

    /**
     * PostgreSQL refused a value the checks let through (SQLSTATE class 22, "data exception"): a NUL character
     * (U+0000), which PostgreSQL text cannot hold, a text longer than its column, a date or number out of range.
     * The transaction is rolled back, so nothing changed: a 400 with what to fix, not a 500.
     */
    static String dataProblem(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.sql.SQLException e && e.getSQLState() != null && e.getSQLState().startsWith("22")) {
                String m = e.getMessage() == null ? "" : e.getMessage();
                if (m.contains("0x00") || m.contains("\\u0000")) {
                    return "A value you sent contains a NUL character (U+0000), which cannot be stored: remove it and try again.";
                }
                if (e.getSQLState().equals("22001")) {
                    return "A value you sent is longer than Spicegate can store: shorten it and try again.";
                }
                return "A value you sent is out of the range Spicegate can store (a date, time or number too large or too "
                        + "small, or a character it cannot hold): correct it and try again.";
            }
        }
        return null;
    }

    /** A form body or query with a malformed %-escape, which the framework decodes only when the resource reads it. */
    private static boolean isBrokenEscape(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (c instanceof IllegalArgumentException && m != null
                    && (m.startsWith("Failed to decode URL") || m.startsWith("URLDecoder:"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isConcurrentChange(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof org.hibernate.StaleStateException || c instanceof jakarta.persistence.OptimisticLockException) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPoolExhausted(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && c.getMessage().contains("acquisition timeout")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The database's message when the failure is a lost or refused connection (SQLSTATE class 08) or the server
     * shutting down, crashing or still starting up (57P01, 57P02, 57P03); null for any other failure. Causes and
     * suppressed exceptions are searched: a failed commit arrives as a RollbackException whose XAException, with the
     * database's exception as its cause, is only attached as suppressed.
     */
    static String databaseUnreachable(Throwable t) {
        return databaseUnreachable(t, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()), 0);
    }

    private static String databaseUnreachable(Throwable t, java.util.Set<Throwable> seen, int depth) {
        if (t == null || depth > 20 || !seen.add(t)) {
            return null;
        }
        if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null
                && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P0"))) {
            return sql.getSQLState() + " " + firstLine(sql.getMessage());
        }
        for (Throwable s : t.getSuppressed()) {
            String found = databaseUnreachable(s, seen, depth + 1);
            if (found != null) {
                return found;
            }
        }
        return databaseUnreachable(t.getCause(), seen, depth + 1);
    }

    /** The first line of a parser's message, without the Java type names Jackson puts in it. */
    public static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        String line = s.lines().findFirst().orElse("")
                .replaceAll("`[^`]*`", "a value")
                .replaceAll("\\b(?:java|javax|jakarta|io|org|com)\\.[A-Za-z0-9_.$]+", "a value")
                .replace("Exception", "error");
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
