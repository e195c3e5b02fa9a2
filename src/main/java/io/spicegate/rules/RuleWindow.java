package io.spicegate.rules;

import io.spicegate.access.WeeklyWindow;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** One weekly window of a stored rule; days are kept as ISO day numbers ("1,2,3,4,5"). */
@Embeddable
public class RuleWindow {

    public String days;

    @Column(name = "from_time")
    public LocalTime from;

    @Column(name = "to_time")
    public LocalTime to;

    public RuleWindow() {
    }

    public RuleWindow(Set<DayOfWeek> days, LocalTime from, LocalTime to) {
        this.days = days.stream().sorted().map(d -> Integer.toString(d.getValue())).collect(Collectors.joining(","));
        this.from = from;
        this.to = to;
    }

    public Set<DayOfWeek> dayset() {
        Set<DayOfWeek> set = EnumSet.noneOf(DayOfWeek.class);
        for (String d : days.split(",")) {
            set.add(DayOfWeek.of(Integer.parseInt(d.strip())));
        }
        return set;
    }

    public WeeklyWindow toWeeklyWindow() {
        return new WeeklyWindow(dayset(), from, to);
    }
}
