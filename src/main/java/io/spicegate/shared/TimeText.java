package io.spicegate.shared;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How times read in messages and pages: local to the rule's zone, short when it is today. */
public final class TimeText {

    private static final DateTimeFormatter HM = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH);
    private static final DateTimeFormatter DAY_HM = DateTimeFormatter.ofPattern("EEE d MMM HH:mm", Locale.ENGLISH);

    private TimeText() {
    }

    /** "17:00" today, "Wed 25 Nov 08:00" another day. */
    public static String time(Instant t, ZoneId zone, Instant now) {
        ZonedDateTime z = t.atZone(zone);
        LocalDate today = now.atZone(zone).toLocalDate();
        return z.toLocalDate().equals(today) ? HM.format(z) : DAY_HM.format(z);
    }

    /** "Wed 25 Nov 08:00 (Europe/Berlin)". */
    public static String dayTime(Instant t, ZoneId zone) {
        return DAY_HM.format(t.atZone(zone)) + " (" + zone.getId() + ")";
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
