package io.spicegate.shared;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Values read from an address's query or a form field, the one way every caller reads them: blank is none (null), a
 * value is read without its surrounding blanks, and one that does not parse is a 400 with a sentence that says what to
 * send instead. Nothing is changed by a value that does not parse.
 */
public final class Params {

    private Params() {
    }

    /**
     * {@code raw} stripped and parsed, or null when blank; a value {@code parse} refuses (with an
     * {@link IllegalArgumentException}, such as {@link NumberFormatException}, or a {@link DateTimeException}) is a
     * 400 with the sentence {@code problem} makes of the stripped text.
     */
    public static <T> T optional(String raw, Function<String, T> parse, UnaryOperator<String> problem) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String v = raw.strip();
        try {
            return parse.apply(v);
        } catch (IllegalArgumentException | DateTimeException e) {
            throw Problem.badRequest(problem.apply(v));
        }
    }

    /** As {@link #optional(String, Function, UnaryOperator)}, with a sentence that does not quote the value. */
    public static <T> T optional(String raw, Function<String, T> parse, String problem) {
        return optional(raw, parse, v -> problem);
    }

    /** An ISO-8601 instant such as {@code 2026-11-26T17:00:00Z} given as {@code name}, or null when blank. */
    public static Instant instant(String raw, String name) {
        return optional(raw, Instant::parse, "'" + name + "' is an ISO-8601 instant in UTC, e.g. 2026-11-26T17:00:00Z.");
    }

    /**
     * {@code limit}, how many rows a page holds: a whole number from 1 to {@code max}, or {@code otherwise} when blank;
     * else a 400 that says the range.
     */
    public static int pageSize(String raw, int otherwise, int max) {
        String problem = "'limit' is how many rows a page holds: a whole number from 1 to " + max + " (or leave it out for "
                + otherwise + ").";
        Integer limit = optional(raw, Integer::valueOf, problem);
        if (limit == null) {
            return otherwise;
        }
        if (limit < 1 || limit > max) {
            throw Problem.badRequest(problem);
        }
        return limit;
    }

    /** A whole number given as {@code name} that names where a page goes on ({@code meaning}), or null when blank. */
    public static Long cursor(String raw, String name, String meaning) {
        return optional(raw, Long::valueOf, "'" + name + "' is " + meaning + ": a whole number (or leave it out).");
    }
}
