package io.spicegate.web.admin;

import io.quarkus.qute.TemplateExtension;
import io.spicegate.audit.AuditQuery;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Display-only helpers for the admin pages: local times, durations, and the session timeline's sentences. */
@TemplateExtension
public class AdminDisplay {

    private static final DateTimeFormatter DAY_TIME = DateTimeFormatter.ofPattern("EEE d MMM yyyy, HH:mm", Locale.ENGLISH);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH);
    private static final DateTimeFormatter TIME_SECONDS = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ENGLISH);
    private static final Pattern ISO_INSTANT =
            Pattern.compile("\\b\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?Z\\b");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEE d MMM yyyy", Locale.ENGLISH);

    /** "Mon 23 Nov 2026, 10:00" in the given zone; empty for none. */
    static String at(Instant t, String zone) {
        return t == null ? "" : DAY_TIME.format(t.atZone(ZoneId.of(zone)));
    }


    /** An end beside its start: "10:45" on the start's day, "Wed 2 Dec 2026, 00:21" on another. */
    static String endAt(Instant end, Instant start, String zone) {
        if (end == null) {
            return "";
        }
        ZoneId z = ZoneId.of(zone);
        return start != null && end.atZone(z).toLocalDate().equals(start.atZone(z).toLocalDate())
                ? TIME.format(end.atZone(z)) : DAY_TIME.format(end.atZone(z));
    }

    /**
     * A recorded detail text as people read it: every ISO-8601 UTC instant in it ("until 2026-12-01T22:21:01.951071Z",
     * written by the services) becomes local text in the page's zone ("until Tue 1 Dec 2026, 23:21"). Rewritten at
     * display time, so old rows read well too; the CSV export and the API keep the recorded text.
     */
    static String localTimes(String detail, String zone) {
        if (detail == null || detail.isEmpty()) {
            return detail;
        }
        Matcher m = ISO_INSTANT.matcher(detail);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String text;
            try {
                text = at(Instant.parse(m.group()), zone);
            } catch (DateTimeParseException e) {
                text = m.group(); // looks like an instant but is none (month 13): leave it as written
            }
            m.appendReplacement(out, Matcher.quoteReplacement(text));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The day of a form's "2026-12-01T08:00" (for its date field), or what was typed when there is no 'T'. */
    static String dayPart(String local) {
        int t = local == null ? -1 : local.indexOf('T');
        return local == null ? "" : t < 0 ? local : local.substring(0, t);
    }

    /** The 24-hour time of a form's "2026-12-01T08:00" (for its HH:MM field). */
    static String timePart(String local) {
        int t = local == null ? -1 : local.indexOf('T');
        return t < 0 ? "" : local.substring(t + 1);
    }

    /** "10:00:03". */
    static String hms(Instant t, String zone) {
        return t == null ? "" : TIME_SECONDS.format(t.atZone(ZoneId.of(zone)));
    }

    /** "Mon 23 Nov 2026". */
    static String day(Instant t, String zone) {
        return t == null ? "" : DAY.format(t.atZone(ZoneId.of(zone)));
    }

    /** "just now", "4 min ago", "3 h ago", "2 days ago". */
    static String ago(Instant t, Instant now) {
        if (t == null) {
            return "never";
        }
        long s = Duration.between(t, now).toSeconds();
        if (s < 60) {
            return "just now";
        }
        if (s < 3600) {
            return s / 60 + " min ago";
        }
        if (s < 2 * 86400) {
            return s / 3600 + " h ago";
        }
        return s / 86400 + " days ago";
    }

    /** "1 h 05 min", "12 min", "under a minute". */
    static String span(long seconds) {
        if (seconds < 60) {
            return seconds <= 0 ? "none" : "under a minute";
        }
        Duration d = Duration.ofSeconds(seconds);
        if (d.toHours() > 0) {
            return d.toHours() + " h " + String.format("%02d", d.toMinutesPart()) + " min";
        }
        return d.toMinutes() + " min";
    }

    /** "a, b, c" or an em dash. */
    static String list(Collection<String> items) {
        return items == null || items.isEmpty() ? "—" : String.join(", ", items);
    }

    /** "revoked" for REVOKED. */
    static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }

    /** What a timeline row means, in words. */
    static String headline(AuditQuery.Event e) {
        return switch (e.action()) {
            case "REQUEST_CREATED" -> "Off-hours access requested by " + e.actor();
            case "REQUEST_APPROVED" -> "Request approved by " + e.actor();
            case "REQUEST_DENIED" -> "Request denied by " + e.actor();
            case "REQUEST_CANCELLED" -> "Request withdrawn by " + e.actor();
            case "REQUEST_EXPIRED" -> "Request expired undecided";
            case "SESSION_OPENED" -> "Session opened by " + e.actor() + (e.source() == null ? "" : " from " + e.source());
            case "SESSION_REOPENED" -> "Opened again by " + e.actor() + " (fresh launch file)";
            case "VV_DOWNLOADED" -> "Launch file (.vv) fetched" + (e.source() == null ? "" : " from " + e.source());
            case "GRANT_APPLIED" -> "Firewall rule applied by the agent on " + e.workstation();
            case "GRANT_FAILED" -> "The agent on " + e.workstation() + " could not apply the firewall rule";
            case "GRANT_REMOVED" -> "Firewall rule removed by the agent on " + e.workstation();
            case "SESSION_ENDED" -> "Ended by " + e.actor();
            case "SESSION_EXPIRED" -> "Expired: time was up";
            case "SESSION_REVOKED" -> "Revoked by " + e.actor();
            default -> e.action().replace('_', ' ').toLowerCase(Locale.ROOT);
        };
    }

    /** CSS modifier of a timeline row: start, firewall, end, request. */
    static String kind(AuditQuery.Event e) {
        String a = e.action();
        if (a.startsWith("REQUEST_")) {
            return "request";
        }
        if (a.startsWith("GRANT_")) {
            return a.equals("GRANT_FAILED") ? "bad" : "firewall";
        }
        return switch (a) {
            case "SESSION_OPENED", "SESSION_REOPENED", "VV_DOWNLOADED" -> "start";
            case "SESSION_REVOKED" -> "bad";
            case "SESSION_ENDED", "SESSION_EXPIRED" -> "end";
            default -> "other";
        };
    }
}
