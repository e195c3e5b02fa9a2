package io.spicegate.web.admin;

import io.spicegate.access.Effect;
import io.spicegate.access.Interval;
import io.spicegate.rules.WeekPlan;
import io.spicegate.web.WeekGrid;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A console's week picture for the admin: the shared {@link WeekGrid} with one lane per rule, a band per day it
 * holds, hatched red for DENY, and a legend. Pure layout; the template draws it as SVG, so the page needs no script.
 */
public final class WeekChart {

    /** Colours of ALLOW subjects, dark enough for white text. */
    static final String[] PALETTE = {"#2f6fb0", "#23845a", "#b8651a", "#7453b0", "#17808c", "#b0436a", "#5f6e1f", "#8d5a2b"};
    static final String DENY_STROKE = "#b42318";

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

    /** Everything the template draws: the week's frame, the rules' bands and the legend. */
    public record Model(WeekGrid.Frame grid, String title, String summary, List<Band> bands, List<Legend> legend,
                        LocalDate previous, LocalDate next) {

        public String weekLabel() {
            return grid.weekLabel();
        }

        public String zone() {
            return grid.zone();
        }

        public boolean thisWeek() {
            return grid.thisWeek();
        }
    }

    /** A rule's stretch before layout, with its colour and approvers. */
    private record Stretch(WeekPlan.RuleWeek rule, String colour, String approvers) { }

    private WeekChart() {
    }

    static Model of(WeekPlan.Week week) {
        WeekGrid.Frame grid = WeekGrid.frame(week.monday(), week.zone(), week.now(), "");

        // each subject keeps one colour; each day's stretches are laid out like a calendar
        Map<String, String> colours = new LinkedHashMap<>();
        List<WeekGrid.Piece<Stretch>> pieces = new ArrayList<>();
        List<String> approversOf = new ArrayList<>();
        for (int index = 0; index < week.rules().size(); index++) {
            WeekPlan.RuleWeek r = week.rules().get(index);
            String key = (r.group() ? "group " : "") + r.subject();
            String colour = r.effect() == Effect.DENY ? DENY_STROKE
                    : colours.computeIfAbsent(key, k -> PALETTE[colours.size() % PALETTE.length]);
            String approvers = RuleText.approvers(r.rule());
            approversOf.add(approvers);
            for (Interval occurrence : r.occurrences()) {
                pieces.add(new WeekGrid.Piece<>(new Stretch(r, colour, approvers), index, occurrence.start(),
                        occurrence.end()));
            }
        }
        List<Band> bands = new ArrayList<>();
        Set<Long> inWeek = new HashSet<>();
        for (WeekGrid.Placed<Stretch> p : WeekGrid.place(grid, pieces)) {
            bands.add(band(p));
            inWeek.add(p.item().rule().rule().id());
        }
        List<Legend> legend = new ArrayList<>();
        for (int index = 0; index < week.rules().size(); index++) {
            WeekPlan.RuleWeek r = week.rules().get(index);
            String colour = r.effect() == Effect.DENY ? DENY_STROKE : colours.get((r.group() ? "group " : "") + r.subject());
            legend.add(new Legend(r.rule().id(), r.subject(), r.group(), r.effect().name(), colour,
                    RuleText.windows(r.rule()), approversOf.get(index), r.rule().maxMinutes(), inWeek.contains(r.rule().id())));
        }

        String title = "Who may use " + week.console() + ", week of " + DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH)
                .format(week.monday());
        String summary = legend.isEmpty() ? "No rules: nobody may use " + week.console() + "."
                : String.join("; ", legend.stream().map(l -> (l.group() ? "group " : "") + l.subject() + " "
                + l.effect().toLowerCase(Locale.ROOT) + " " + l.windows()).toList()) + ".";
        return new Model(grid, title, summary, bands, legend, week.monday().minusWeeks(1), week.monday().plusWeeks(1));
    }

    private static Band band(WeekGrid.Placed<Stretch> p) {
        WeekPlan.RuleWeek r = p.item().rule();
        int x = p.x();
        int y = p.y();
        int w = p.w();
        int h = p.h();
        boolean deny = r.effect() == Effect.DENY;
        boolean marker = r.hasApprovers() && h >= 18 && w >= 26;
        // the "may ask" mark sits bottom right on tall bands, else top right, beside a shorter label
        boolean markerBelow = h >= 44;
        String label = WeekGrid.fit(r.subject(), marker && !markerBelow ? w - 16 : w);
        String time = WeekGrid.fit(p.shortTime(), w);
        String approvers = p.item().approvers();
        String title = (r.group() ? "group " : "") + r.subject() + (deny ? " may NOT use it" : " may use it") + " "
                + RuleText.shortName(p.column().date().getDayOfWeek()) + " " + p.from() + "–" + p.to()
                + (approvers != null ? "; may ask " + approvers + " for other times" : "");
        int markerY = markerBelow ? y + h - 10 : y + 9;
        String colour = p.item().colour();
        return new Band(r.rule().id(), r.subject(), p.column().day(), p.from(), p.to(), r.effect().name(),
                approvers == null ? "" : approvers, x, y, w, h, deny ? "url(#deny-hatch)" : colour,
                deny ? DENY_STROKE : colour, label, time, x + 6, y + 15, y + 28, h >= 19 && !label.isEmpty(),
                h >= 33 && !time.isEmpty(), marker, x + w - 10, markerY, markerY + 3, title);
    }
}
