package io.spicegate.web;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The drawing of one week shared by the admin's week view and a user's console page: seven day columns (Monday
 * first), 00–24 rows in one zone, a line for now, and stretches laid out like a calendar (overlapping ones side by
 * side in lanes, the others at full width). Pure layout; the template {@code WeekGrid/svg.html} draws it as SVG.
 */
public final class WeekGrid {

    public static final int LEFT = 52;
    public static final int TOP = 46;
    public static final int COL = 140;
    public static final int HOUR = 22;
    public static final int GAP = 5;
    public static final int WIDTH = LEFT + 7 * COL + 10;
    public static final int HEIGHT = TOP + 24 * HOUR + 10;

    private static final DateTimeFormatter HEAD = DateTimeFormatter.ofPattern("EEE d MMM", Locale.ENGLISH);
    private static final DateTimeFormatter HM = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH);
    private static final DateTimeFormatter WEEK = DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH);

    /** A day column. */
    public record Column(int x, String day, String label, boolean weekend, boolean today, int textX, int pillX,
                         LocalDate date) { }

    /** An hour line, labelled every two hours. */
    public record HourLine(int y, String label, boolean major, int labelY) { }

    /** The line marking now, across today's column. */
    public record Now(int guideX1, int x1, int x2, int y, String time, int pillX, int pillY, int textX, int textY) { }

    /**
     * The frame of one week: its size, columns, hour lines and now (null outside the week); {@code ids} prefixes the
     * ids of the SVG's title, description and patterns, so that two weeks may share a page.
     */
    public record Frame(int width, int height, int top, int left, int bottom, int right, int plotWidth, int plotHeight,
                        int colWidth, int axisX, List<Column> columns, List<HourLine> hours, Now now, String zone,
                        LocalDate monday, Instant start, Instant end, boolean thisWeek, String weekLabel, String ids) { }

    /** A stretch to draw: what it is ({@code item}), its order among equal starts, and its instants. */
    public record Piece<T>(T item, int order, Instant start, Instant end) { }

    /**
     * A piece's part on one day, placed: its column, box, and local times ({@code to} is "24:00" when it reaches
     * the end of the day, also on the 23- and 25-hour days of DST changes).
     */
    public record Placed<T>(T item, Column column, Instant start, Instant end, String from, String to, int x, int y,
                            int w, int h) {

        /** "08–18" when both are whole hours, else "07:00–07:45". */
        public String shortTime() {
            return from.endsWith(":00") && to.endsWith(":00") ? from.substring(0, 2) + "–" + to.substring(0, 2)
                    : from + "–" + to;
        }
    }

    private WeekGrid() {
    }

    /** The frame of the week from {@code monday} 00:00 in {@code zone}, with now marked when it falls inside. */
    public static Frame frame(LocalDate monday, ZoneId zone, Instant now, String ids) {
        LocalDate today = LocalDate.ofInstant(now, zone);
        List<Column> columns = new ArrayList<>(7);
        for (int d = 0; d < 7; d++) {
            LocalDate date = monday.plusDays(d);
            int x = LEFT + d * COL;
            columns.add(new Column(x, date.getDayOfWeek().name(), HEAD.format(date), d >= 5, date.equals(today),
                    x + COL / 2, x + COL / 2 - 48, date));
        }
        List<HourLine> hours = new ArrayList<>(25);
        for (int h = 0; h <= 24; h++) {
            int y = TOP + h * HOUR;
            hours.add(new HourLine(y, h % 2 == 0 ? String.format("%02d:00", h) : null, h % 6 == 0, y + 4));
        }
        Instant start = monday.atStartOfDay(zone).toInstant();
        Instant end = monday.plusWeeks(1).atStartOfDay(zone).toInstant();
        Now line = null;
        boolean thisWeek = !now.isBefore(start) && now.isBefore(end);
        if (thisWeek) {
            ZonedDateTime z = now.atZone(zone);
            Column c = columns.get(z.getDayOfWeek().getValue() - 1);
            int y = TOP + (int) Math.round(minutes(z.toLocalTime()) * HOUR / 60.0);
            // the time in an orange pill over the hour axis, the line across today's column
            line = new Now(LEFT, c.x(), c.x() + COL - 1, y, HM.format(z), 3, y - 9, 25, y + 4);
        }
        return new Frame(WIDTH, HEIGHT, TOP, LEFT, TOP + 24 * HOUR, LEFT + 7 * COL, 7 * COL, 24 * HOUR, COL, LEFT - 8,
                columns, hours, line, zone.getId(), monday, start, end, thisWeek, WEEK.format(monday), ids);
    }

    /** Cuts the pieces into days of the frame's week and lays each day out; by day, then by start and order. */
    public static <T> List<Placed<T>> place(Frame frame, List<Piece<T>> pieces) {
        ZoneId zone = ZoneId.of(frame.zone());
        List<List<Segment<T>>> days = new ArrayList<>();
        for (int d = 0; d < 7; d++) {
            days.add(new ArrayList<>());
        }
        for (Piece<T> piece : pieces) {
            for (int d = 0; d < 7; d++) {
                Instant dayStart = frame.monday().plusDays(d).atStartOfDay(zone).toInstant();
                Instant dayEnd = frame.monday().plusDays(d + 1).atStartOfDay(zone).toInstant();
                Instant s = piece.start().isAfter(dayStart) ? piece.start() : dayStart;
                Instant e = piece.end().isBefore(dayEnd) ? piece.end() : dayEnd;
                if (s.isBefore(e)) {
                    days.get(d).add(new Segment<>(piece, s, e, e.equals(dayEnd), zone));
                }
            }
        }
        List<Placed<T>> out = new ArrayList<>();
        for (int d = 0; d < 7; d++) {
            layOut(days.get(d), frame.columns().get(d), out);
        }
        return out;
    }

    /** One piece's part of one day, before layout. */
    private record Segment<T>(Piece<T> piece, Instant start, Instant end, boolean toMidnight, ZoneId zone) {

        double startMinutes() {
            return minutes(start.atZone(zone).toLocalTime());
        }

        double endMinutes() {
            return toMidnight ? 24 * 60 : Math.max(startMinutes(), minutes(end.atZone(zone).toLocalTime()));
        }
    }

    /** Calendar layout of one day: clusters of overlapping stretches share the column in lanes. */
    private static <T> void layOut(List<Segment<T>> segments, Column column, List<Placed<T>> out) {
        List<Segment<T>> sorted = new ArrayList<>(segments);
        sorted.sort(Comparator.comparingDouble((Segment<T> s) -> s.startMinutes()).thenComparingInt(s -> s.piece().order()));
        int i = 0;
        while (i < sorted.size()) {
            // a cluster: stretches connected by overlaps
            double clusterEnd = sorted.get(i).endMinutes();
            int j = i + 1;
            while (j < sorted.size() && sorted.get(j).startMinutes() < clusterEnd) {
                clusterEnd = Math.max(clusterEnd, sorted.get(j).endMinutes());
                j++;
            }
            List<Segment<T>> cluster = sorted.subList(i, j);
            List<Double> laneEnds = new ArrayList<>();
            int[] lanes = new int[cluster.size()];
            for (int k = 0; k < cluster.size(); k++) {
                Segment<T> seg = cluster.get(k);
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
                out.add(placed(cluster.get(k), column, lanes[k], laneWidth));
            }
            i = j;
        }
    }

    private static <T> Placed<T> placed(Segment<T> seg, Column column, int lane, double laneWidth) {
        double startMin = seg.startMinutes();
        double endMin = seg.endMinutes();
        int x = (int) Math.round(column.x() + GAP + lane * laneWidth) + 1;
        int w = Math.max(3, (int) Math.floor(laneWidth) - 2);
        int y = TOP + (int) Math.round(startMin * HOUR / 60.0);
        int h = Math.max(2, (int) Math.round((endMin - startMin) * HOUR / 60.0));
        String from = HM.format(seg.start().atZone(seg.zone()));
        String to = seg.toMidnight() ? "24:00" : HM.format(seg.end().atZone(seg.zone()));
        return new Placed<>(seg.piece().item(), column, seg.start(), seg.end(), from, to, x, y, w, h);
    }

    /** Shortens a label to what fits in {@code width} pixels at the band font size (about 6.5 px a character). */
    public static String fit(String text, int width) {
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
