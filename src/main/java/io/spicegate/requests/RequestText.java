package io.spicegate.requests;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** Text of requests, pure: checking what people type, and how windows and wanted times read. */
public final class RequestText {

    private static final DateTimeFormatter DAY_HM = DateTimeFormatter.ofPattern("EEE d MMM HH:mm", Locale.ENGLISH);
    private static final DateTimeFormatter HM = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH);

    private RequestText() {
    }

    /**
     * People's free text (a reason, a note): line breaks normalised to {@code \n}, surrounding blanks
     * stripped; null when nothing is left. Returns a sentence describing what is wrong instead of a
     * text when it is too long or holds a control character (U+0000 included) other than tab or line break.
     */
    public static Checked check(String raw, String field, int maxChars) {
        if (raw == null) {
            return new Checked(null, null);
        }
        String text = raw.replace("\r\n", "\n").replace('\r', '\n').strip();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.getType(c) == Character.CONTROL && c != '\n' && c != '\t') {
                return new Checked(null, "The " + field + " contains a control character (U+"
                        + String.format("%04X", (int) c) + "): remove it and send it again.");
            }
        }
        if (text.codePointCount(0, text.length()) > maxChars) {
            return new Checked(null, "The " + field + " is too long: at most " + maxChars + " characters.");
        }
        return new Checked(text.isEmpty() ? null : text, null);
    }

    /** The outcome of {@link #check}: the clean text (null if empty), or the problem with it. */
    public record Checked(String text, String problem) {
    }

    /** "Mon 23 Nov 19:00–20:00 (Europe/Berlin)"; across midnight "Mon 23 Nov 23:30 – Tue 24 Nov 00:30 (Europe/Berlin)". */
    public static String span(Instant start, Instant end, ZoneId zone) {
        ZonedDateTime s = start.atZone(zone);
        ZonedDateTime e = end.atZone(zone);
        String body = s.toLocalDate().equals(e.toLocalDate())
                ? DAY_HM.format(s) + "–" + HM.format(e)
                : DAY_HM.format(s) + " – " + DAY_HM.format(e);
        return body + " (" + zone.getId() + ")";
    }

    /** One weekly window as people read it: "Wed, Thu 08:00–18:00", "Mon–Fri 08:00–18:00", "every day all day". */
    public static String window(Set<DayOfWeek> days, LocalTime from, LocalTime to) {
        String times;
        if (from.equals(to)) {
            times = from.equals(LocalTime.MIDNIGHT) ? "all day" : HM.format(from) + "–" + HM.format(to) + " next day";
        } else {
            times = HM.format(from) + "–" + (to.equals(LocalTime.MIDNIGHT) ? "24:00" : HM.format(to))
                    + (to.isBefore(from) && !to.equals(LocalTime.MIDNIGHT) ? " next day" : "");
        }
        return days(days) + " " + times;
    }

    /** Several windows of one zone, repeats dropped: "Wed, Thu 08:00–18:00 (Europe/Berlin)". */
    public static String windows(List<String> windows, ZoneId zone) {
        if (windows.isEmpty()) {
            return "no regular windows";
        }
        return String.join("; ", new LinkedHashSet<>(windows)) + " (" + zone.getId() + ")";
    }

    /** "boss", "boss and maggie", "anne, boss and maggie". */
    public static String names(List<String> names) {
        if (names.size() <= 1) {
            return names.isEmpty() ? "" : names.get(0);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }

    /** "Mon–Fri", "Wed, Thu", "Sat, Sun", "every day"; runs of three or more days become a range. */
    static String days(Set<DayOfWeek> days) {
        if (days.size() == 7) {
            return "every day";
        }
        List<DayOfWeek> sorted = new ArrayList<>(new TreeSet<>(days));
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1).getValue() == sorted.get(j).getValue() + 1) {
                j++;
            }
            if (j - i >= 2) {
                parts.add(name(sorted.get(i)) + "–" + name(sorted.get(j)));
            } else {
                for (int k = i; k <= j; k++) {
                    parts.add(name(sorted.get(k)));
                }
            }
            i = j + 1;
        }
        return String.join(", ", parts);
    }

    private static String name(DayOfWeek d) {
        return d.getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
    }
}
