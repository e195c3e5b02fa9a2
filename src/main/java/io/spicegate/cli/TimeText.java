package io.spicegate.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Instants as a person at the terminal reads them: in the local zone ({@code TZ}), {@code 2026-12-03 17:00 CET},
 * with "in 25 min" / "10 min ago" where that is within a day.
 */
final class TimeText {

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT);

    private final Instant now;
    private final ZoneId zone;

    TimeText(Instant now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /** {@code 2026-12-03 17:00 CET}; "-" for none. */
    String at(Instant instant) {
        return instant == null ? "-" : FORMAT.format(instant.atZone(zone));
    }

    /** {@link #at} followed by {@code (in 25 min)} when the instant is within a day of now. */
    String atRelative(Instant instant) {
        if (instant == null) {
            return "-";
        }
        String relative = relative(instant);
        return relative == null ? at(instant) : at(instant) + " (" + relative + ")";
    }

    /** "in 25 min", "in 2 h 5 min", "3 min ago", "now"; null when more than a day away. */
    String relative(Instant instant) {
        Duration d = Duration.between(now, instant);
        long seconds = Math.abs(d.toSeconds());
        if (seconds >= 24 * 3600) {
            return null;
        }
        if (seconds < 60) {
            return "now";
        }
        long minutes = (seconds + 30) / 60;
        String span = minutes < 60 ? minutes + " min"
                : minutes / 60 + " h" + (minutes % 60 == 0 ? "" : " " + minutes % 60 + " min");
        return d.isNegative() ? span + " ago" : "in " + span;
    }
}
