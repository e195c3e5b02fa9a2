package io.spicegate.shared;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How times read in messages and pages: local to the rule's zone, short when it is today. */
public final class TimeText {

    private static final DateTimeFormatter HM = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH);
    private static final DateTimeFormatter DAY_HM = DateTimeFormatter.ofPattern("EEE d MMM HH:mm", Locale.ENGLISH);

    /** What a 24-hour time field accepts: H:MM or HH:MM, 00:00 to 23:59 (also its HTML {@code pattern}). */
    public static final String CLOCK_PATTERN = "([01]?[0-9]|2[0-3]):([0-5][0-9])";
    private static final Pattern CLOCK = Pattern.compile(CLOCK_PATTERN);

    private TimeText() {
    }

    /** "17:00" today, "Wed 25 Nov 08:00" another day. */
    public static String time(Instant t, ZoneId zone, Instant now) {
        ZonedDateTime z = t.atZone(zone);
        LocalDate today = now.atZone(zone).toLocalDate();
        return z.toLocalDate().equals(today) ? HM.format(z) : DAY_HM.format(z);
    }

    /**
     * A time as a page shows it: "18:00" when it is today, "Thu 3 Dec 08:00" another day (both in {@code zone},
     * the zone the time belongs to, e.g. the rule's), with " (Europe/London)" appended wherever that zone is not
     * the page's zone.
     */
    public static String shown(Instant t, ZoneId zone, ZoneId pageZone, Instant now) {
        return time(t, zone, now) + zoneNote(zone, pageZone);
    }

    /** " (Europe/London)" where {@code zone} differs from the page's zone, else nothing. */
    public static String zoneNote(ZoneId zone, ZoneId pageZone) {
        return zone.normalized().equals(pageZone.normalized()) ? "" : " (" + zone.getId() + ")";
    }

    /** "Wed 25 Nov 08:00" in the zone, always with the day (for history, where "today" would go stale). */
    public static String day(Instant t, ZoneId zone) {
        return DAY_HM.format(t.atZone(zone));
    }

    /** "Wed 25 Nov 08:00 (Europe/Berlin)". */
    public static String dayTime(Instant t, ZoneId zone) {
        return DAY_HM.format(t.atZone(zone)) + " (" + zone.getId() + ")";
    }

    /**
     * A 24-hour clock time as people type it in a text field: "18:00", "8:05" (no AM/PM, no seconds). Anything else is
     * a 400 naming the {@code field}.
     */
    public static LocalTime clockTime(String typed, String field) {
        Matcher m = CLOCK.matcher(typed == null ? "" : typed.strip());
        if (!m.matches()) {
            throw Problem.badRequest("'" + clip(typed) + "' is not a " + field + ": type it 24-hour as HH:MM, like 18:00.");
        }
        return LocalTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /** A user-supplied name, shortened and stripped of control characters for use in a message. */
    public static String clip(String s) {
        if (s == null) {
            return "";
        }
        String c = s.replaceAll("\\p{Cntrl}", "?");
        return c.length() > 64 ? c.substring(0, 64) + "…" : c;
    }
}
