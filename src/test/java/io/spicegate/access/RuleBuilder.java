package io.spicegate.access;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** Test builder for rules: {@code RuleBuilder.allow("charlie", "debianx").window(MONDAY, FRIDAY, "08:00", "18:00").build()}. */
final class RuleBuilder {

    private static final AtomicLong IDS = new AtomicLong(1000);

    private long id = IDS.incrementAndGet();
    private final String console;
    private final Subject subject;
    private final Effect effect;
    private ZoneId zone = ZoneId.of("Europe/Berlin");
    private final List<WeeklyWindow> windows = new ArrayList<>();
    private boolean approvers;
    private Integer maxMinutes;
    private Instant validFrom;
    private Instant validUntil;

    private RuleBuilder(Effect effect, Subject subject, String console) {
        this.effect = effect;
        this.subject = subject;
        this.console = console;
    }

    static RuleBuilder allow(String user, String console) {
        return new RuleBuilder(Effect.ALLOW, Subject.user(user), console);
    }

    static RuleBuilder deny(String user, String console) {
        return new RuleBuilder(Effect.DENY, Subject.user(user), console);
    }

    static RuleBuilder allowGroup(String group, String console) {
        return new RuleBuilder(Effect.ALLOW, Subject.group(group), console);
    }

    static RuleBuilder denyGroup(String group, String console) {
        return new RuleBuilder(Effect.DENY, Subject.group(group), console);
    }

    RuleBuilder id(long id) {
        this.id = id;
        return this;
    }

    RuleBuilder zone(String zone) {
        this.zone = ZoneId.of(zone);
        return this;
    }

    /** A window opening on every day from {@code first} to {@code last} inclusive (wrapping past Sunday). */
    RuleBuilder window(DayOfWeek first, DayOfWeek last, String from, String to) {
        Set<DayOfWeek> days = EnumSet.of(first);
        for (DayOfWeek d = first; d != last; d = d.plus(1)) {
            days.add(d.plus(1));
        }
        return window(days, from, to);
    }

    RuleBuilder window(DayOfWeek day, String from, String to) {
        return window(EnumSet.of(day), from, to);
    }

    RuleBuilder window(Set<DayOfWeek> days, String from, String to) {
        windows.add(new WeeklyWindow(days, LocalTime.parse(from), LocalTime.parse(to)));
        return this;
    }

    RuleBuilder everyDay(String from, String to) {
        return window(EnumSet.allOf(DayOfWeek.class), from, to);
    }

    /** Every day 00:00–00:00. */
    RuleBuilder always() {
        return everyDay("00:00", "00:00");
    }

    RuleBuilder approvers() {
        this.approvers = true;
        return this;
    }

    RuleBuilder maxMinutes(Integer maxMinutes) {
        this.maxMinutes = maxMinutes;
        return this;
    }

    RuleBuilder validFrom(String instant) {
        this.validFrom = Instant.parse(instant);
        return this;
    }

    RuleBuilder validUntil(String instant) {
        this.validUntil = Instant.parse(instant);
        return this;
    }

    AccessRule build() {
        return new AccessRule(id, console, subject, effect, zone, windows, approvers, maxMinutes, validFrom, validUntil);
    }
}
