package io.spicegate.shared;

/**
 * A failure a person can act on: an HTTP status and a sentence that says what was wrong and what to do.
 * Thrown by services before they change anything; rendered as {@code {"error": ...}} or as an error page.
 */
public class Problem extends RuntimeException {

    private final int status;
    private final Integer retryAfterSeconds;

    public Problem(int status, String message) {
        this(status, message, null);
    }

    public Problem(int status, String message, Integer retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static Problem badRequest(String message) {
        return new Problem(400, message);
    }

    public static Problem notLoggedIn() {
        return new Problem(401, "Log in first: this needs a Spicegate account.");
    }

    public static Problem forbidden(String message) {
        return new Problem(403, message);
    }

    public static Problem notFound(String message) {
        return new Problem(404, message);
    }

    /** 405: this address takes another method (the sentence says which). */
    public static Problem wrongMethod(String message) {
        return new Problem(405, message);
    }

    public static Problem conflict(String message) {
        return new Problem(409, message);
    }

    public static Problem gone(String message) {
        return new Problem(410, message);
    }

    public static Problem tooManyRequests(String message, int retryAfterSeconds) {
        return new Problem(429, message, retryAfterSeconds);
    }

    public static Problem notReady(String message, int retryAfterSeconds) {
        return new Problem(503, message, retryAfterSeconds);
    }
}
