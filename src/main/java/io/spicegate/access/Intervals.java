package io.spicegate.access;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Set operations on lists of intervals: union (merge) and difference, each O(n log n) or better. */
final class Intervals {

    private static final Comparator<Interval> BY_START = Comparator.comparing(Interval::start);

    private Intervals() {
    }

    /** Sorted union: overlapping AND touching intervals become one stretch (08–12 and 12–18 is 08–18). */
    static List<Interval> merge(List<Interval> intervals) {
        if (intervals.size() < 2) {
            return new ArrayList<>(intervals);
        }
        List<Interval> sorted = new ArrayList<>(intervals);
        sorted.sort(BY_START);
        List<Interval> merged = new ArrayList<>();
        Instant start = sorted.get(0).start();
        Instant end = sorted.get(0).end();
        for (int i = 1; i < sorted.size(); i++) {
            Interval next = sorted.get(i);
            if (next.start().isAfter(end)) {
                merged.add(new Interval(start, end));
                start = next.start();
                end = next.end();
            } else if (next.end().isAfter(end)) {
                end = next.end();
            }
        }
        merged.add(new Interval(start, end));
        return merged;
    }

    /** {@code base} minus {@code cuts}; both must be merged (sorted, disjoint). Linear in their sizes. */
    static List<Interval> subtract(List<Interval> base, List<Interval> cuts) {
        if (cuts.isEmpty()) {
            return base;
        }
        List<Interval> out = new ArrayList<>();
        int first = 0;
        for (Interval piece : base) {
            Instant cursor = piece.start();
            while (first < cuts.size() && !cuts.get(first).end().isAfter(cursor)) {
                first++;
            }
            for (int k = first; k < cuts.size() && cursor.isBefore(piece.end()); k++) {
                Interval cut = cuts.get(k);
                if (!cut.start().isBefore(piece.end())) {
                    break;
                }
                if (cut.start().isAfter(cursor)) {
                    out.add(new Interval(cursor, cut.start()));
                }
                if (cut.end().isAfter(cursor)) {
                    cursor = cut.end();
                }
            }
            if (cursor.isBefore(piece.end())) {
                out.add(new Interval(cursor, piece.end()));
            }
        }
        return out;
    }

    /** The interval of a merged list that contains {@code t}, or null. */
    static Interval containing(List<Interval> merged, Instant t) {
        for (Interval i : merged) {
            if (i.contains(t)) {
                return i;
            }
            if (i.start().isAfter(t)) {
                return null;
            }
        }
        return null;
    }
}
