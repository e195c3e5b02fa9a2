package io.spicegate.web.admin;

import io.spicegate.rules.RuleAdmin;

import java.time.DayOfWeek;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Rules in words: "Mon–Fri 08:00–18:00", "every day, all day", "may ask boss". */
final class RuleText {

    private RuleText() {
    }

    /** All windows of a rule, e.g. "Mon–Fri 08:00–18:00; Sat 09:00–12:00". */
    static String windows(RuleAdmin.RuleDto r) {
        List<String> parts = new ArrayList<>();
        for (RuleAdmin.WindowDto w : r.windows()) {
            parts.add(days(w.days()) + " " + times(w.from(), w.to()));
        }
        return String.join("; ", parts);
    }

    /** "every day", "Mon–Fri", "Mon, Tue", "Sat–Mon" is not attempted: ranges run Monday to Sunday. */
    static String days(List<String> names) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        names.forEach(n -> days.add(DayOfWeek.valueOf(n)));
        if (days.size() == 7) {
            return "every day";
        }
        List<String> out = new ArrayList<>();
        DayOfWeek[] all = DayOfWeek.values();
        int i = 0;
        while (i < 7) {
            if (!days.contains(all[i])) {
                i++;
                continue;
            }
            int j = i;
            while (j + 1 < 7 && days.contains(all[j + 1])) {
                j++;
            }
            out.add(j - i >= 2 ? shortName(all[i]) + "–" + shortName(all[j])
                    : j == i ? shortName(all[i]) : shortName(all[i]) + ", " + shortName(all[j]));
            i = j + 1;
        }
        return String.join(", ", out);
    }

    /** "08:00–18:00", "all day", "22:00–06:00 next day", "09:00 for 24 h". */
    static String times(String from, String to) {
        if (from.equals(to)) {
            return "00:00".equals(from) ? "all day" : from + " for 24 h";
        }
        return from.compareTo(to) > 0 ? from + "–" + to + " next day" : from + "–" + to;
    }

    /** "boss, group managers" or null. */
    static String approvers(RuleAdmin.RuleDto r) {
        List<String> a = new ArrayList<>(r.approvers());
        if (r.approverGroup() != null) {
            a.add("group " + r.approverGroup());
        }
        return a.isEmpty() ? null : String.join(", ", a);
    }

    static String shortName(DayOfWeek d) {
        return d.getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
    }
}
