package io.spicegate.access;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;

/** Turns local wall-clock times of one zone into instants with Spicegate's DST rules, not ZonedDateTime's. */
final class LocalInstants {

    /** Generous slack around a range: local times of occurrences touching it lie within a few days of it. */
    private static final Duration SLACK = Duration.ofDays(4);

    private final ZoneRules zone;
    /** The offset in force throughout the range when the zone has no transition there, else null. */
    private final ZoneOffset constantOffset;

    private LocalInstants(ZoneRules zone, ZoneOffset constantOffset) {
        this.zone = zone;
        this.constantOffset = constantOffset;
    }

    /**
     * A resolver for local times whose instants lie within a few days of {@code [from, to)}. Most
     * ranges contain no DST change, and then every local time is plain arithmetic with one offset.
     */
    static LocalInstants around(ZoneRules zone, Instant from, Instant to) {
        if (zone.isFixedOffset()) {
            return new LocalInstants(zone, zone.getOffset(from));
        }
        Instant lo = from.minus(SLACK);
        ZoneOffsetTransition next = zone.nextTransition(lo);
        boolean noChange = next == null || next.getInstant().isAfter(to.plus(SLACK));
        return new LocalInstants(zone, noChange ? zone.getOffset(lo) : null);
    }

    Instant at(LocalDate date, LocalTime time) {
        if (constantOffset != null) {
            long seconds = date.toEpochDay() * 86_400 + time.toSecondOfDay() - constantOffset.getTotalSeconds();
            return Instant.ofEpochSecond(seconds, time.getNano());
        }
        return resolve(date, time, zone);
    }

    /**
     * In a spring-forward gap the local time does not exist: it becomes the first instant after the
     * gap, i.e. the transition instant (Berlin 2026-03-29 02:30 → 01:00Z), not ZonedDateTime's
     * "shift by the gap length" (which would give 03:30 CEST = 01:30Z). In a fall-back overlap the
     * local time exists twice: it is read at the earlier offset, i.e. its first occurrence
     * (Berlin 2026-10-25 02:30 → 00:30Z).
     */
    static Instant resolve(LocalDate date, LocalTime time, ZoneRules zone) {
        LocalDateTime local = LocalDateTime.of(date, time);
        List<ZoneOffset> offsets = zone.getValidOffsets(local);
        if (offsets.isEmpty()) {
            return zone.getTransition(local).getInstant();
        }
        // one offset normally; in an overlap [offset before, offset after]: the earlier offset comes first
        return local.toInstant(offsets.get(0));
    }
}
