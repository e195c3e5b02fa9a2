package io.spicegate.requests;

import io.quarkus.logging.Log;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.quarkus.runtime.StartupEvent;
import io.spicegate.access.Interval;
import io.spicegate.shared.SpicegateConfig;
import io.spicegate.shared.TimeText;
import io.spicegate.users.User;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * E-mail about requests, composed here: to the approvers on a new request, to the requester on the decision. Letters are
 * queued inside the service's transaction and sent only after it commits; a failed send is logged (without
 * addresses or secrets) and never fails the request. Off while {@code spicegate.mail.from} is unset.
 */
@ApplicationScoped
public class RequestMail {

    @Inject SpicegateConfig config;
    @Inject ReactiveMailer mailer;
    @Inject Event<Letter> letters;

    @ConfigProperty(name = "quarkus.mailer.host", defaultValue = "localhost")
    String host;

    @ConfigProperty(name = "quarkus.mailer.mock", defaultValue = "false")
    boolean mock;

    /** One e-mail to one person about one request. */
    public record Letter(long requestId, String to, String subject, String text) {
        @Override
        public String toString() {
            return "Letter[request #" + requestId + "]";
        }
    }

    void announce(@Observes StartupEvent event) {
        if (from().isEmpty()) {
            Log.info("E-mail about requests is off: set SPICEGATE_MAIL_FROM (and QUARKUS_MAILER_HOST, ...) to send it");
        } else {
            Log.infof("E-mail about requests is on: from %s via %s%s", from().get(), host, mock ? " (mocked)" : "");
        }
    }

    public boolean enabled() {
        return from().isPresent();
    }

    /** Tells each approver of a new request who asks for which console, when and why, and until when to decide. */
    void askApprovers(AccessRequest r, User requester, List<User> approvers) {
        String wanted = RequestText.span(r.wantedStart, r.wantedStart.plus(Duration.ofMinutes(r.minutes)), r.zoneId());
        for (User approver : approvers) {
            queue(r.id, approver.email, "Spicegate: " + requester.username + " asks for " + r.consoleName,
                    requester.displayNameOrUsername() + " (" + requester.username + ") asks for " + r.consoleName + ":\n\n"
                            + "  When:   " + wanted + ", " + r.minutes + " minutes\n"
                            + "  Reason: " + r.reason.replace("\n", "\n          ") + "\n\n"
                            + "Approve or deny it under Approvals" + link("/approvals") + " before "
                            + TimeText.dayTime(r.expiresAt, r.zoneId()) + "; after that it expires.");
        }
    }

    /** Tells the requester the decision: the approved {@code window}, or (null) the denial; with the approver's note. */
    void tellDecision(AccessRequest r, User approver, Interval window, String note) {
        String noteText = note == null ? "" : "\n\nNote from " + approver.username + ": " + note.replace("\n", "\n  ");
        queue(r.id, r.user == null ? null : r.user.email,
                "Spicegate: your request for " + r.consoleName + " was " + (window != null ? "approved" : "denied"),
                window != null
                        ? approver.displayNameOrUsername() + " approved your request #" + r.id + " for " + r.consoleName
                        + ".\n\nYou may open it " + RequestText.span(window.start(), window.end(), r.zoneId())
                        + " under My consoles" + link("/consoles") + "." + noteText
                        : approver.displayNameOrUsername() + " denied your request #" + r.id + " for " + r.consoleName
                        + " (" + RequestText.span(r.wantedStart, r.wantedStart.plus(Duration.ofMinutes(r.minutes)), r.zoneId())
                        + ")." + noteText);
    }

    /** Queues a letter for after the commit of the current transaction (dropped if it rolls back, or if e-mail is off). */
    private void queue(long requestId, String to, String subject, String text) {
        if (enabled() && to != null && !to.isBlank()) {
            letters.fire(new Letter(requestId, to.strip(), subject, text + footer()));
        }
    }

    /** Runs once the transaction that queued the letter has committed; the send itself is asynchronous. */
    void send(@Observes(during = TransactionPhase.AFTER_SUCCESS) Letter letter) {
        Optional<String> from = from();
        if (from.isEmpty()) {
            return;
        }
        try {
            mailer.send(Mail.withText(letter.to(), letter.subject(), letter.text()).setFrom(from.get()))
                    .subscribe().with(
                            ok -> Log.debugf("e-mail about request #%d sent", letter.requestId()),
                            failure -> Log.warnf("e-mail about request #%d could not be sent via %s: %s",
                                    letter.requestId(), host, failure.getMessage()));
        } catch (RuntimeException e) {
            Log.warnf("e-mail about request #%d could not be sent via %s: %s", letter.requestId(), host, e.getMessage());
        }
    }

    /** " (https://portal/path)" where the portal's address is configured, else nothing. */
    private String link(String path) {
        return config.mail().portalUrl().filter(u -> !u.isBlank())
                .map(u -> " (" + u.strip().replaceAll("/+$", "") + path + ")").orElse("");
    }

    private String footer() {
        return "\n\n-- \nSpicegate" + config.mail().portalUrl().filter(u -> !u.isBlank())
                .map(u -> " · " + u.strip()).orElse("") + "\n";
    }

    private Optional<String> from() {
        return config.mail().from().filter(f -> !f.isBlank()).map(String::strip);
    }
}
