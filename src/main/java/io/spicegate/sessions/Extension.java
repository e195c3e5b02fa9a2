package io.spicegate.sessions;

import io.spicegate.shared.TimeText;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/** What Extend offers for a live session: how far it may go now and, when nothing fits, whom to ask. */
public record Extension(SessionView session, ZoneId zone, Instant limit, String limitSentence, long minutesLeft,
                        List<String> approvers, Instant now) {

    /** Whether any extra minute fits. */
    public boolean possible() {
        return minutesLeft > 0;
    }

    /** One entry of the Extend select: {@code value} is the minutes, or "max" for as far as allowed. */
    public record Choice(String value, String label) { }

    /** "+15 min (until 17:45)" … for the lengths that fit, then "until 18:00 (the most allowed)". */
    public List<Choice> choices() {
        if (!possible()) {
            return List.of();
        }
        List<Choice> out = new java.util.ArrayList<>();
        for (Length l : Length.EXTEND) {
            if (l.minutes() < minutesLeft) {
                out.add(new Choice(Integer.toString(l.minutes()), "+" + l.label() + " (until "
                        + TimeText.time(session.endsAt().plus(Duration.ofMinutes(l.minutes())), zone, now) + ")"));
            }
        }
        out.add(new Choice("max", "until " + TimeText.time(limit, zone, now) + " (the most allowed)"));
        return out;
    }

    /** "boss", "boss or carol"; null when no approver decides requests for it. */
    public String askWho() {
        return approvers.isEmpty() ? null : String.join(" or ", approvers);
    }

    /** The request form, pre-filled for an hour more from the session's current end (in the rule's zone). */
    public String askUrl() {
        return "/requests/new?console=" + java.net.URLEncoder.encode(session.console(), java.nio.charset.StandardCharsets.UTF_8)
                + "&start=" + java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm")
                .format(session.endsAt().atZone(zone)) + "&minutes=60";
    }

    /** The session's end as people read it here: "18:00", or with the date when not today. */
    public String endsText() {
        return TimeText.time(session.endsAt(), zone, now);
    }
}
