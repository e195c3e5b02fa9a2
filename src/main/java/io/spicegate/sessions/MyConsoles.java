package io.spicegate.sessions;

import io.spicegate.access.Decision;
import io.spicegate.rules.AccessService;
import io.spicegate.shared.Problem;
import io.spicegate.shared.SpicegateConfig;
import io.spicegate.shared.TimeText;
import io.spicegate.users.User;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The dashboard: every console the user has a rule for, what he may do with it now, and who holds it. */
@ApplicationScoped
public class MyConsoles {

    @Inject Clock clock;
    @Inject AccessService access;
    @Inject SpicegateConfig config;

    /**
     * One console on the dashboard. {@code openUntil}: where a session opened now would end at the latest (the allowed
     * stretch's end or the max minutes), null unless allowed.
     */
    public record Row(String name, String description, String decision, Instant until, Instant nextWindowStart,
                      String inUseBy, Instant inUseUntil, ZoneId zone, SessionView mySession, Instant now,
                      Instant openUntil) {

        /** "18:00", or "Thu 3 Dec 01:00" when not today: the end of a session opened now for as long as allowed. */
        public String openUntilText() {
            return openUntil == null ? "" : TimeText.time(openUntil, zone, now);
        }

        /** The lengths Open console offers besides "as long as allowed": only those shorter than allowed. */
        public List<Length> shorterLengths() {
            return openUntil == null ? List.of() : Length.OPEN.stream()
                    .filter(l -> now.plus(Duration.ofMinutes(l.minutes())).isBefore(openUntil)).toList();
        }

        public boolean allowed() {
            return "ALLOWED".equals(decision);
        }

        public boolean inUse() {
            return inUseBy != null;
        }
    }

    @Transactional
    public List<Row> list(long userId) {
        Instant now = clock.instant();
        User user = User.findById(userId);
        if (user == null || !user.active) {
            throw Problem.notLoggedIn();
        }
        List<AccessService.ConsoleAccess> consoles = access.consolesOf(user, now);
        Map<Long, ConsoleSession> holders = new HashMap<>();
        Map<Long, ConsoleSession> mine = new HashMap<>();
        List<ConsoleSession> live = ConsoleSession.list("state = ?1 and endsAt > ?2 and console.id in ?3",
                SessionState.ACTIVE, now, consoles.stream().map(c -> c.console().id).toList());
        for (ConsoleSession s : live) {
            if (s.user != null && s.user.id.equals(user.id)) {
                mine.merge(s.console.id, s, (a, b) -> a.endsAt.isAfter(b.endsAt) ? a : b);
            } else {
                holders.merge(s.console.id, s, (a, b) -> a.endsAt.isAfter(b.endsAt) ? a : b);
            }
        }
        return consoles.stream().map(c -> {
            Decision d = c.decision();
            Optional<ConsoleSession> holder = Optional.ofNullable(holders.get(c.console().id));
            ConsoleSession my = mine.get(c.console().id);
            return new Row(c.console().name, c.console().description, d.verdict().name(), d.until(),
                    d.nextWindowStart(), holder.map(h -> h.username).orElse(null),
                    holder.map(h -> h.endsAt).orElse(null), c.zone(), my == null ? null : SessionView.of(my, now), now,
                    d.allowed() ? SessionLimit.of(d, now, config.console().defaultMaxMinutes()).at() : null);
        }).toList();
    }
}
