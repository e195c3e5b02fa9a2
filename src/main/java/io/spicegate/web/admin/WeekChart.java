package io.spicegate.web.admin;

import io.spicegate.access.Effect;
import io.spicegate.access.Interval;
import io.spicegate.rules.WeekPlan;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The geometry of a console's week picture: seven day columns (Monday first), 00–24 rows in the rules' zone,
 * one lane per rule with a band per day it holds, hatched red for DENY, and a line for now. Pure layout;
 * the template draws it as SVG, so the page needs no script.
 */
public final class WeekChart {

    static final int LEFT = 52;
    static final int TOP = 46;
    static final int COL = 140;
    static final int HOUR = 22;
    static final int GAP = 5;
    static final int WIDTH = LEFT + 7 * COL + 10;
    static final int HEIGHT = TOP + 24 * HOUR + 10;

    /** Colours of ALLOW subjects, dark enough for white text. */
    static final String[] PALETTE = {"#2f6fb0", "#23845a", "#b8651a", "#7453b0", "#17808c", "#b0436a", "#5f6e1f", "#8d5a2b"};
    static final String DENY_STROKE = "#b42318";

    private static final DateTimeFormatter HEAD = DateTimeFormatter.ofPattern("EEE d MMM", Locale.ENGLISH);
    private static final DateTimeFormatter HM = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH);

    /** A day column. */
    public record Column(int x, String day, String label, boolean weekend, boolean today, int textX, int pillX) { }

    /** An hour line, labelled every two hours. */
    public record HourLine(int y, String label, boolean major, int labelY) { }

    /** One band: a rule holding on one day from {@code from} to {@code to} (local, "24:00" for midnight). */
    public record Band(long rule, String subject, String day, String from, String to, String effect, String approvers,
                int x, int y, int w, int h, String fill, String stroke, String label, String time, int textX, int labelY,
                int timeY, boolean showLabel, boolean showTime, boolean marker, int markerX, int markerY, int markerTextY,
                String title) {

        public boolean deny() {
            return "DENY".equals(effect);
        }
    }

    /** One legend entry per rule. */
    public record Legend(long rule, String subject, boolean group, String effect, String colour, String windows,
                  String approvers, Integer maxMinutes, boolean inWeek) {

        public boolean deny() {
            return "DENY".equals(effect);
        }
    }

    /** The line marking now, across today's column. */
    public record Now(int guideX1, int x1, int x2, int y, String time, int pillX, int pillY, int textX, int textY) { }

    /** Everything the template draws. */
    public record Model(int width, int height, int top, int left, int bottom, int right, int plotWidth, int plotHeight,
                        int colWidth, int axisX, String title, String weekLabel, String summary,
                 List<Column> columns, List<HourLine> hours, List<Band> bands, Now now, List<Legend> legend,
                 String zone, LocalDate monday, LocalDate previous, LocalDate next, boolean thisWeek) { }

    private WeekChart() {
    }

    static Model of(WeekPlan.Week week) {
        ZoneId zone = week.zone();
        LocalDate today = LocalDate.ofInstant(week.now(), zone);
        List<Column> columns = new ArrayList<>(7);
        for (int d = 0; d < 7; d++) {
            LocalDate date = week.monday().plusDays(d);
            int x = LEFT + d * COL;
            columns.add(new Column(x, date.getDayOfWeek().name(), HEAD.format(date), d >= 5, date.equals(today), x + COL / 2,
                    x + COL / 2 - 48));
        }
        List<HourLine> hours = new ArrayList<>(25);
        for (int h = 0; h <= 24; h++) {
            int y = TOP + h * HOUR;
            hours.add(new HourLine(y, h % 2 == 0 ? String.format("%02d:00", h) : null, h % 6 == 0, y + 4));
        }

        // each subject keeps one colour; each day's stretches are laid out like a calendar: overlapping ones
        // side by side, the others at full width
        Map<String, String> colours = new LinkedHashMap<>();
        List<Legend> legend = new ArrayList<>();
        List<List<Segment>> days = new ArrayList<>();
        for (int d = 0; d < 7; d++) {
            days.add(new ArrayList<>());
        }
        for (int index = 0; index < week.rules().size(); index++) {
            WeekPlan.RuleWeek r = week.rules().get(index);
            String key = (r.group() ? "group " : "") + r.subject();
            String colour = r.effect() == Effect.DENY ? DENY_STROKE
                    : colours.computeIfAbsent(key, k -> PALETTE[colours.size() % PALETTE.length]);
            String approvers = RuleText.approvers(r.rule());
            boolean inWeek = false;
            for (Interval occurrence : r.occurrences()) {
                for (int d = 0; d < 7; d++) {
                    Instant dayStart = week.monday().plusDays(d).atStartOfDay(zone).toInstant();
                    Instant dayEnd = week.monday().plusDays(d + 1).atStartOfDay(zone).toInstant();
                    Instant s = occurrence.start().isAfter(dayStart) ? occurrence.start() : dayStart;
                    Instant e = occurrence.end().isBefore(dayEnd) ? occurrence.end() : dayEnd;
                    if (s.isBefore(e)) {
                        days.get(d).add(new Segment(r, index, s, e, e.equals(dayEnd), zone, colour, approvers));
                        inWeek = true;
                    }
                }
            }
            legend.add(new Legend(r.rule().id(), r.subject(), r.group(), r.effect().name(), colour,
                    RuleText.windows(r.rule()), approvers, r.rule().maxMinutes(), inWeek));
        }
        List<Band> bands = new ArrayList<>();
        for (int d = 0; d < 7; d++) {
            layOut(days.get(d), columns.get(d), bands);
        }

        Now now = null;
        boolean thisWeek = !week.now().isBefore(week.start()) && week.now().isBefore(week.end());
        if (thisWeek) {
            ZonedDateTime z = week.now().atZone(zone);
            Column c = columns.get(z.getDayOfWeek().getValue() - 1);
            int y = TOP + (int) Math.round(minutes(z.toLocalTime()) * HOUR / 60.0);
            // the time in an orange pill over the hour axis, the line across today's column
            now = new Now(LEFT, c.x(), c.x() + COL - 1, y, HM.format(z), 3, y - 9, 25, y + 4);
        }
        String title = "Who may use " + week.console() + ", week of " + DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH)
                .format(week.monday());
        String summary = legend.isEmpty() ? "No rules: nobody may use " + week.console() + "."
                : String.join("; ", legend.stream().map(l -> (l.group() ? "group " : "") + l.subject() + " "
                + l.effect().toLowerCase(Locale.ROOT) + " " + l.windows()).toList()) + ".";
        return new Model(WIDTH, HEIGHT, TOP, LEFT, TOP + 24 * HOUR, LEFT + 7 * COL, 7 * COL, 24 * HOUR, COL, LEFT - 8, title,
                DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH).format(week.monday()), summary, columns, hours,
                bands, now, legend, zone.getId(), week.monday(), week.monday().minusWeeks(1), week.monday().plusWeeks(1),
                thisWeek);
    }

    /** One rule's stretch on one day, before layout. */
    private record Segment(WeekPlan.RuleWeek rule, int index, Instant start, Instant end, boolean toMidnight, ZoneId zone,
                           String colour, String approvers) {

        double startMinutes() {
            return minutes(start.atZone(zone).toLocalTime());
        }

        /** A stretch reaching the end of the day ends at 24:00, also on the 23- and 25-hour days of DST changes. */
        double endMinutes() {
            return toMidnight ? 24 * 60 : Math.max(startMinutes(), minutes(end.atZone(zone).toLocalTime()));
        }
    }

    /** Calendar layout of one day: clusters of overlapping stretches share the column in lanes. */
    private static void layOut(List<Segment> segments, Column column, List<Band> out) {
        List<Segment> sorted = new ArrayList<>(segments);
        sorted.sort(java.util.Comparator.comparingDouble(Segment::startMinutes).thenComparingInt(Segment::index));
        int i = 0;
        while (i < sorted.size()) {
            // a cluster: stretches connected by overlaps
            double clusterEnd = sorted.get(i).endMinutes();
            int j = i + 1;
            while (j < sorted.size() && sorted.get(j).startMinutes() < clusterEnd) {
                clusterEnd = Math.max(clusterEnd, sorted.get(j).endMinutes());
                j++;
            }
            List<Segment> cluster = sorted.subList(i, j);
            List<Double> laneEnds = new ArrayList<>();
            int[] lanes = new int[cluster.size()];
            for (int k = 0; k < cluster.size(); k++) {
                Segment seg = cluster.get(k);
                int lane = 0;
                while (lane < laneEnds.size() && laneEnds.get(lane) > seg.startMinutes()) {
                    lane++;
                }
                if (lane == laneEnds.size()) {
                    laneEnds.add(seg.endMinutes());
                } else {
                    laneEnds.set(lane, seg.endMinutes());
                }
                lanes[k] = lane;
            }
            double laneWidth = (COL - 2.0 * GAP) / laneEnds.size();
            for (int k = 0; k < cluster.size(); k++) {
                out.add(band(cluster.get(k), column, lanes[k], laneWidth));
            }
            i = j;
        }
    }

    private static Band band(Segment seg, Column column, int lane, double laneWidth) {
        WeekPlan.RuleWeek r = seg.rule();
        double startMin = seg.startMinutes();
        double endMin = seg.endMinutes();
        int x = (int) Math.round(column.x() + GAP + lane * laneWidth) + 1;
        int w = Math.max(3, (int) Math.floor(laneWidth) - 2);
        int y = TOP + (int) Math.round(startMin * HOUR / 60.0);
        int h = Math.max(2, (int) Math.round((endMin - startMin) * HOUR / 60.0));
        String fromText = HM.format(seg.start().atZone(seg.zone()));
        String toText = seg.toMidnight() ? "24:00" : HM.format(seg.end().atZone(seg.zone()));
        boolean deny = r.effect() == Effect.DENY;
        boolean marker = r.hasApprovers() && h >= 18 && w >= 26;
        // the "may ask" mark sits bottom right on tall bands, else top right, beside a shorter label
        boolean markerBelow = h >= 44;
        String label = fit(r.subject(), marker && !markerBelow ? w - 16 : w);
        String time = fit(fromText.endsWith(":00") && toText.endsWith(":00")
                ? fromText.substring(0, 2) + "–" + toText.substring(0, 2) : fromText + "–" + toText, w);
        String approvers = seg.approvers();
        String title = (r.group() ? "group " : "") + r.subject() + (deny ? " may NOT use it" : " may use it") + " "
                + RuleText.shortName(seg.start().atZone(seg.zone()).getDayOfWeek()) + " " + fromText + "–" + toText
                + (approvers != null ? "; may ask " + approvers + " for other times" : "");
        int markerY = markerBelow ? y + h - 10 : y + 9;
        return new Band(r.rule().id(), r.subject(), column.day(), fromText, toText, r.effect().name(),
                approvers == null ? "" : approvers, x, y, w, h, deny ? "url(#deny-hatch)" : seg.colour(),
                deny ? DENY_STROKE : seg.colour(), label, time, x + 6, y + 15, y + 28, h >= 19 && !label.isEmpty(),
                h >= 33 && !time.isEmpty(), marker, x + w - 10, markerY, markerY + 3, title);
    }

    /** Shortens a label to what fits in {@code width} pixels at the band font size (about 6.5 px a character). */
    static String fit(String text, int width) {
        int max = (int) Math.floor((width - 8) / 6.5);
        if (max <= 1) {
            return "";
        }
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    private static double minutes(LocalTime t) {
        return t.getHour() * 60 + t.getMinute() + t.getSecond() / 60.0;
    }
}
