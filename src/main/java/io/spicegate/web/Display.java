package io.spicegate.web;

import io.quarkus.qute.TemplateExtension;
import io.spicegate.sessions.MyConsoles;
import io.spicegate.sessions.SessionView;
import io.spicegate.shared.TimeText;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/** Display-only helpers for the pages: the sentences people read on My consoles and My sessions. */
@TemplateExtension
public class Display {

    /**
     * "available now until 18:00", "off-hours — next window Wed 25 Nov 08:00 (Europe/Berlin)", "in use by anne until
     * Wed 2 Dec 00:21 (Europe/London)": times in the rule's zone, with the day when it is not today and the zone
     * where it is not the page's.
     */
    static String status(MyConsoles.Row r) {
        ZoneId z = r.zone();
        if (r.allowed()) {
            if (r.inUse()) {
                return "in use by " + r.inUseBy() + " until " + shown(r.inUseUntil(), z, r.now());
            }
            return r.until() == null ? "available now" : "available now until " + shown(r.until(), z, r.now());
        }
        String next = r.nextWindowStart() == null ? ""
                : " — next window " + TimeText.time(r.nextWindowStart(), z, r.now()) + " (" + z.getId() + ")";
        if ("NEEDS_APPROVAL".equals(r.decision())) {
            return "off-hours" + next;
        }
        return "not allowed now" + next;
    }

    /** A time of the rule's zone as this page shows it: see {@link TimeText#shown}. */
    private static String shown(Instant t, ZoneId zone, Instant now) {
        return TimeText.shown(t, zone, ZoneId.of(Page.displayZone()), now);
    }

    /** CSS modifier of a console card. */
    static String tone(MyConsoles.Row r) {
        if (r.allowed()) {
            return r.inUse() ? "busy" : "ok";
        }
        return "NEEDS_APPROVAL".equals(r.decision()) ? "wait" : "no";
    }

    static boolean canOpen(MyConsoles.Row r) {
        return r.allowed() && !r.inUse();
    }

    /** "1 h 05 min left". */
    static String timeLeft(SessionView s) {
        long secs = s.secondsLeft();
        if (secs <= 0) {
            return "ended";
        }
        Duration d = Duration.ofSeconds(secs);
        if (d.toHours() > 0) {
            return d.toHours() + " h " + String.format("%02d", d.toMinutesPart()) + " min left";
        }
        return Math.max(1, d.toMinutes()) + " min left";
    }

    /** An instant as UTC text for machines (the page shows local text beside it). */
    static String iso(Instant t) {
        return t == null ? "" : t.toString();
    }

    /** "Mon 23 Nov 10:00" in the server's display zone (UTC when unknown). */
    static String local(Instant t, String zone) {
        if (t == null) {
            return "";
        }
        return TimeText.dayTime(t, ZoneId.of(zone));
    }

    static String stateText(SessionView s) {
        return switch (s.state()) {
            case "ACTIVE" -> "live";
            case "ENDED" -> "ended";
            case "EXPIRED" -> "expired";
            case "REVOKED" -> "revoked by an administrator";
            default -> s.state().toLowerCase();
        };
    }
}
