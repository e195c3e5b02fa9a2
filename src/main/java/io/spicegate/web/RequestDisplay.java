package io.spicegate.web;

import io.quarkus.qute.TemplateExtension;
import io.spicegate.requests.InboxItem;
import io.spicegate.requests.RequestText;
import io.spicegate.requests.RequestView;
import io.spicegate.shared.TimeText;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;

/** Display-only helpers for My requests and Approvals: wanted and approved times in the rule's zone. */
@TemplateExtension
public class RequestDisplay {

    /** "Mon 23 Nov 19:00–20:00 (Europe/Berlin)": the wanted stretch. */
    static String wanted(RequestView r) {
        return RequestText.span(r.start(), r.start().plus(Duration.ofMinutes(r.minutes())), ZoneId.of(r.zone()));
    }

    static String wanted(InboxItem i) {
        return RequestText.span(i.start(), i.start().plus(Duration.ofMinutes(i.minutes())), ZoneId.of(i.zone()));
    }

    /** The approved window, when there is one. */
    static String approvedSpan(RequestView r) {
        return r.approvedStart() == null ? "" : RequestText.span(r.approvedStart(), r.approvedEnd(), ZoneId.of(r.zone()));
    }

    static String stateText(RequestView r) {
        return r.state().toLowerCase(Locale.ROOT);
    }

    /** CSS modifier of a state badge. */
    static String stateTone(RequestView r) {
        return switch (r.state()) {
            case "APPROVED" -> "ok";
            case "DENIED" -> "no";
            case "PENDING" -> "wait";
            default -> "muted";
        };
    }

    /** "Mon 23 Nov 20:00 (Europe/Berlin)". */
    static String decidedText(RequestView r) {
        return r.decidedAt() == null ? "" : TimeText.dayTime(r.decidedAt(), ZoneId.of(r.zone()));
    }

    static String expiresText(InboxItem i) {
        return TimeText.dayTime(i.expiresAt(), ZoneId.of(i.zone()));
    }

    static String askedText(InboxItem i) {
        return TimeText.dayTime(i.createdAt(), ZoneId.of(i.zone()));
    }
}
