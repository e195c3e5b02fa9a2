package io.spicegate.web.admin;

import io.quarkus.qute.TemplateInstance;
import io.spicegate.shared.Problem;
import io.spicegate.users.Caller;
import io.spicegate.web.Page;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** What every admin page shares: the admin check, the layout's page data, redirects and form re-display. */
final class AdminSupport {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._#-]{1,64}");

    private AdminSupport() {
    }

    /** 401 (→ login) for anonymous callers, 403 for everyone but admins; then the layout data. */
    static Page page(Caller caller, String title) {
        caller.requireAdmin();
        return Page.of(caller, title, "admin");
    }

    /** A POST from an admin page: admin only, with the form's CSRF token. */
    static void post(Caller caller, String csrf) {
        caller.requireAdmin();
        caller.checkCsrf(csrf);
    }

    /** Post/Redirect/Get. */
    static Response seeOther(String path) {
        return Response.seeOther(URI.create(path)).build();
    }

    /** The form again, with the service's sentence next to it and the values as typed: 400, 409 or 404. */
    static Response invalid(Problem p, TemplateInstance form) {
        return Response.status(p.status()).entity(form).build();
    }

    /**
     * A form's action: its answer (mostly a Post/Redirect/Get), or on a 400/409 the form again from {@code form},
     * given the service's sentence; any other problem is an error page.
     */
    static Response submit(Supplier<Response> action, Function<String, TemplateInstance> form) {
        try {
            return action.get();
        } catch (Problem p) {
            if (!isFormProblem(p)) {
                throw p;
            }
            return invalid(p, form.apply(p.getMessage()));
        }
    }

    /** The notice of a list page: the first of (verb, name) that was given, e.g. "Deleted group g1." or "Saved group g1.". */
    static String notice(String what, String verb, String name, String savedName) {
        return name != null ? notice(verb, what, name) : notice("Saved", what, savedName);
    }

    /** Only validation problems are shown next to the form; anything else is an error page. */
    static boolean isFormProblem(Problem p) {
        return p.status() == 400 || p.status() == 409;
    }

    /** A name echoed in a "Saved …" notice: only plain names, never free text from a link. */
    static String notice(String verb, String what, String name) {
        return name != null && NAME.matcher(name).matches() ? verb + " " + what + " " + name + "." : null;
    }

    static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    static String nz(String s) {
        return s == null ? "" : s;
    }

    /** A whole number from a form field, or null when empty; a sentence when it is not a number. */
    static Integer integer(String raw, String label) {
        return io.spicegate.web.FormFields.wholeNumber(raw, v -> "'" + label + "' is a whole number, e.g. 5930; '"
                + io.spicegate.shared.TimeText.clip(v) + "' is not.");
    }

    /** A date field as the start of that day in {@code zone} (plus {@code plusDays}); null when empty. */
    static Instant date(String raw, String field, ZoneId zone, int plusDays) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(raw.strip()).plusDays(plusDays).atStartOfDay(zone).toInstant();
        } catch (DateTimeParseException e) {
            throw Problem.badRequest("'" + field + "' is a date such as 2026-11-23.");
        }
    }

    /** Form fields in their order, from pairs of name and value: {@code fields("user", user, "console", console)}. */
    static Map<String, String> fields(String... namesAndValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return m;
    }

    /** A query string from the non-empty values, in order. */
    static String query(Map<String, String> params) {
        StringJoiner q = new StringJoiner("&");
        params.forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                q.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return q.toString();
    }
}
