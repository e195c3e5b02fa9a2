package io.spicegate.web;

import io.quarkus.qute.TemplateExtension;
import io.spicegate.access.Interval;
import io.spicegate.rules.ApprovedWindows;
import io.spicegate.sessions.ConsolePicture;
import io.spicegate.sessions.MyConsoles;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A user's picture of one console ({@code /consoles/{name}}), drawn on the shared {@link WeekGrid} the way the
 * admin's week view is: where he may use it (his windows, DENY windows cut out), his approved slots, the DENY
 * windows, and who uses it now until when; and the same, day by day, as text.
 */
public final class ConsoleChart {

    /** What a band shows, with its colour (dark enough for white text) and how it reads. */
    public enum Kind {
        OPEN("#23845a", "you may use it", "you may use it: your windows"),
        APPROVED("#2f6fb0", "approved", "approved for you: an off-hours request"),
        DENY("#b42318", "not allowed (a DENY rule)", "not allowed: a DENY rule, which beats everything"),
        IN_USE("#5b4a9e", "in use", "in use: a live session, shown until its end");

        final String colour;
        final String text;
        final String key;

        Kind(String colour, String text, String key) {
            this.colour = colour;
            this.text = text;
            this.key = key;
        }

        public String key() {
            return key;
        }

        public String css() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public String colour() {
            return colour;
        }
    }

    /** What one stretch is: its kind and, for approved slots and live sessions, whose it is. */
    record Item(Kind kind, String who, boolean mine) {

        /** "you may use it", "approved by boss", "in use by anne", "your session". */
        String text() {
            return switch (kind) {
                case APPROVED -> "approved by " + who;
                case IN_USE -> mine ? "your session" : "in use by " + who;
                default -> kind.text;
            };
        }

        String label() {
            return switch (kind) {
                case OPEN -> "you";
                case APPROVED -> "approved";
                case DENY -> "not allowed";
                case IN_USE -> mine ? "you, live" : who;
            };
        }
    }

    /** One band of the picture, on one day; {@code start}/{@code end} are the instants, for machines. */
    public record Band(String kind, String day, String from, String to, String start, String end, int x, int y, int w,
                       int h, String fill, String stroke, String label, String time, int textX, int labelY, int timeY,
                       boolean showLabel, boolean showTime, String title) {

        public boolean deny() {
            return "deny".equals(kind);
        }
    }

    /** One line of the day-by-day list: "07:00–07:45 — approved by boss". */
    public record Entry(String kind, String from, String to, String text) { }

    /** One day of the list, with what holds on it. */
    public record Day(LocalDate date, String label, boolean today, List<Entry> entries) { }

    /** One week: its frame, bands and days. */
    public record Week(WeekGrid.Frame grid, String heading, String title, String summary, List<Band> bands,
                       List<Day> days) { }

    /** Everything the page shows. */
    public record Model(MyConsoles.Row card, String zone, List<Week> weeks, List<Kind> key, String approvers) {

        public String denyFill() {
            return "url(#" + weeks.get(0).grid().ids() + "deny-hatch)";
        }
    }

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEE d MMM", Locale.ENGLISH);
    private static final DateTimeFormatter WEEKDAY = DateTimeFormatter.ofPattern("EEE", Locale.ENGLISH);
    private static final DateTimeFormatter HM = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH);

    private ConsoleChart() {
    }

    static Model of(ConsolePicture.Picture p) {
        List<WeekGrid.Piece<Item>> pieces = new ArrayList<>();
        add(pieces, p.stretches().open(), new Item(Kind.OPEN, null, true));
        for (ApprovedWindows.Slot s : p.slots()) {
            // an approved slot is drawn where it allows: a DENY window beats it as it beats every window
            for (Interval i : p.stretches().approved()) {
                Instant start = i.start().isAfter(s.start()) ? i.start() : s.start();
                Instant end = i.end().isBefore(s.end()) ? i.end() : s.end();
                if (start.isBefore(end)) {
                    pieces.add(new WeekGrid.Piece<>(new Item(Kind.APPROVED, s.approvedBy(), true), 1, start, end));
                }
            }
        }
        add(pieces, p.stretches().denied(), new Item(Kind.DENY, null, false));
        for (ConsolePicture.InUse u : p.inUse()) {
            pieces.add(new WeekGrid.Piece<>(new Item(Kind.IN_USE, u.username(), u.mine()), 3, u.start(), u.end()));
        }
        String console = p.card().name();
        List<Week> weeks = new ArrayList<>();
        for (int w = 0; w < ConsolePicture.WEEKS; w++) {
            LocalDate monday = p.monday().plusWeeks(w);
            WeekGrid.Frame grid = WeekGrid.frame(monday, p.zone(), p.now(), "w" + w + "-");
            List<WeekGrid.Placed<Item>> placed = WeekGrid.place(grid, pieces);
            List<Band> bands = placed.stream().map(b -> band(b, grid.ids())).toList();
            String heading = (w == 0 ? "This week" : w == 1 ? "Next week" : "Week") + ", from " + DAY.format(monday);
            String title = "When you may use " + console + ", week of " + grid.weekLabel();
            weeks.add(new Week(grid, heading, title, summary(placed), bands, days(grid, placed)));
        }
        String approvers = p.approvers().isEmpty() ? null : String.join(" or ", p.approvers());
        return new Model(p.card(), p.zone().getId(), weeks, List.of(Kind.values()), approvers);
    }

    private static void add(List<WeekGrid.Piece<Item>> pieces, List<Interval> stretches, Item item) {
        for (Interval i : stretches) {
            pieces.add(new WeekGrid.Piece<>(item, item.kind().ordinal(), i.start(), i.end()));
        }
    }

    private static Band band(WeekGrid.Placed<Item> p, String ids) {
        Item item = p.item();
        String label = WeekGrid.fit(item.label(), p.w());
        String time = WeekGrid.fit(p.shortTime(), p.w());
        String title = capitalised(item.text()) + " " + WEEKDAY.format(p.column().date()) + " " + p.from() + "–" + p.to();
        boolean deny = item.kind() == Kind.DENY;
        return new Band(item.kind().css(), p.column().day(), p.from(), p.to(), p.start().toString(), p.end().toString(),
                p.x(), p.y(), p.w(), p.h(), deny ? "url(#" + ids + "deny-hatch)" : item.kind().colour,
                item.kind().colour, label, time, p.x() + 6, p.y() + 15, p.y() + 28, p.h() >= 19 && !label.isEmpty(),
                p.h() >= 33 && !time.isEmpty(), title);
    }

    /** The week as text: each day with what holds on it, by start. */
    private static List<Day> days(WeekGrid.Frame grid, List<WeekGrid.Placed<Item>> placed) {
        Map<LocalDate, List<Entry>> byDay = new LinkedHashMap<>();
        for (WeekGrid.Column c : grid.columns()) {
            byDay.put(c.date(), new ArrayList<>());
        }
        placed.stream().sorted(Comparator.comparing((WeekGrid.Placed<Item> p) -> p.start())
                        .thenComparing(p -> p.item().kind()))
                .forEach(p -> byDay.get(p.column().date()).add(new Entry(p.item().kind().css(), p.from(), p.to(),
                        p.from() + "–" + p.to() + " — " + p.item().text())));
        List<Day> days = new ArrayList<>(7);
        for (WeekGrid.Column c : grid.columns()) {
            days.add(new Day(c.date(), DAY.format(c.date()), c.today(), byDay.get(c.date())));
        }
        return days;
    }

    private static String summary(List<WeekGrid.Placed<Item>> placed) {
        List<String> parts = placed.stream().map(p -> WEEKDAY.format(p.column().date()) + " " + p.from() + "–" + p.to()
                + " " + p.item().text()).toList();
        return parts.isEmpty() ? "No window this week." : String.join("; ", parts) + ".";
    }

    private static String capitalised(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /**
     * An approved slot as the card and the page say it: "approved Wed 07:00–07:45 by boss" (the date added when it
     * is not today, the zone when it is not the page's).
     */
    @TemplateExtension
    static String approvedText(ApprovedWindows.Slot s, MyConsoles.Row r) {
        return "approved " + slotTime(s.start(), s.end(), r.zone(), r.now()) + " by " + s.approvedBy();
    }

    /** "Wed 07:00–07:45" today, "Thu 3 Dec 07:00–07:45" another day, "Wed 23:00–Thu 3 Dec 01:00" across midnight. */
    static String slotTime(Instant start, Instant end, ZoneId zone, Instant now) {
        ZonedDateTime s = start.atZone(zone);
        ZonedDateTime e = end.atZone(zone);
        LocalDate today = now.atZone(zone).toLocalDate();
        String day = s.toLocalDate().equals(today) ? WEEKDAY.format(s) : DAY.format(s);
        String until = e.toLocalDate().equals(s.toLocalDate()) ? HM.format(e) : DAY.format(e) + " " + HM.format(e);
        String text = day + " " + HM.format(s) + "–" + until;
        return zone.getId().equals(Page.displayZone()) ? text : text + " (" + zone.getId() + ")";
    }
}
