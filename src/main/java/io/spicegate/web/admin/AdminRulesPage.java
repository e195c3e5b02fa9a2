package io.spicegate.web.admin;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.spicegate.consoles.ConsoleAdmin;
import io.spicegate.rules.RuleAdmin;
import io.spicegate.shared.Problem;
import io.spicegate.shared.TimeText;
import io.spicegate.users.Caller;
import io.spicegate.users.UserAdmin;
import io.spicegate.web.Page;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Admin pages for access rules: the rules of every console, and a form with day checkboxes, from/to times,
 * zone, effect, subject, approvers, max minutes and validity. The service's sentence shows next to the form.
 */
@Path("/admin/rules")
@Produces(MediaType.TEXT_HTML)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class AdminRulesPage {

    private static final Pattern WINDOW_FIELD = Pattern.compile("w(\\d{1,2})\\.(days|from|to)");
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm");

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance rules(Page page, List<ConsoleRules> consoles, String filter);

        static native TemplateInstance rule(Page page, RuleForm form, Long ruleId, Choices choices, String error);
    }

    /** The rules of one console. */
    public record ConsoleRules(long consoleId, String console, List<RuleRow> rules) { }

    /** A rule in words. */
    public record RuleRow(long id, String subject, boolean group, String effect, String windows, String approvers,
                         Integer maxMinutes, String validity) { }

    /** One day checkbox of a window row. */
    public record DayBox(String value, String label, boolean checked) { }

    /** One window row of the form. */
    public record WindowRow(int index, List<DayBox> days, String from, String to) {

        public int number() {
            return index + 1;
        }
    }

    /** One approver checkbox. */
    public record Approver(String username, boolean checked) { }

    /** The rule form as typed. */
    public record RuleForm(String console, boolean forGroup, String user, String group, String effect, String zone,
                           List<WindowRow> windows, Set<String> approvers, String approverGroup, String maxMinutes,
                           String validFrom, String validUntil) { }

    /** What the form offers to choose from. */
    public record Choices(List<String> consoles, List<String> users, List<String> groups, List<Approver> approvers,
                          List<String> zones) { }

    @Inject Caller caller;
    @Inject RuleAdmin rules;
    @Inject ConsoleAdmin consoles;
    @Inject UserAdmin users;

    @GET
    public TemplateInstance list(@QueryParam("console") String console) {
        Page page = AdminSupport.page(caller, "Rules");
        String only = AdminSupport.blank(console);
        Map<String, Long> ids = new LinkedHashMap<>();
        consoles.consoles().forEach(c -> ids.put(c.name(), c.id()));
        Map<String, List<RuleRow>> byConsole = new LinkedHashMap<>();
        ids.keySet().stream().filter(n -> only == null || n.equals(only)).forEach(n -> byConsole.put(n, new ArrayList<>()));
        for (RuleAdmin.RuleDto r : rules.list(only)) {
            byConsole.computeIfAbsent(r.console(), k -> new ArrayList<>()).add(row(r));
        }
        List<ConsoleRules> out = new ArrayList<>();
        byConsole.forEach((name, rs) -> out.add(new ConsoleRules(ids.getOrDefault(name, 0L), name, rs)));
        return Templates.rules(page, out, only);
    }

    @GET
    @Path("new")
    public TemplateInstance createForm(@QueryParam("console") String console) {
        Page page = AdminSupport.page(caller, "New rule");
        RuleForm form = new RuleForm(AdminSupport.nz(console), false, "", "", "ALLOW", page.zone(),
                List.of(window(0, Set.of(), "08:00", "18:00"), window(1, Set.of(), "", "")), Set.of(), "", "", "", "");
        return Templates.rule(page, form, null, choices(form), null);
    }

    @POST
    public Response create(MultivaluedMap<String, String> body) {
        AdminSupport.post(caller, body.getFirst("csrf"));
        RuleForm form = form(body);
        return AdminSupport.submit(() -> saved(rules.create(dto(null, form), caller.username()).console()),
                error -> Templates.rule(AdminSupport.page(caller, "New rule"), form, null, choices(form), error));
    }

    @GET
    @Path("{id}")
    public TemplateInstance edit(@PathParam("id") long id) {
        Page page = AdminSupport.page(caller, "Rule");
        RuleAdmin.RuleDto r = rules.get(id);
        ZoneId zone = ZoneId.of(r.zone());
        List<WindowRow> rows = new ArrayList<>();
        for (RuleAdmin.WindowDto w : r.windows()) {
            rows.add(window(rows.size(), Set.copyOf(w.days()), w.from(), w.to()));
        }
        rows.add(window(rows.size(), Set.of(), "", ""));
        RuleForm form = new RuleForm(r.console(), r.group() != null, AdminSupport.nz(r.user()), AdminSupport.nz(r.group()),
                r.effect(), r.zone(), rows, new TreeSet<>(r.approvers()), AdminSupport.nz(r.approverGroup()),
                r.maxMinutes() == null ? "" : r.maxMinutes().toString(), local(r.validFrom(), zone), local(r.validUntil(), zone));
        return Templates.rule(page, form, id, choices(form), null);
    }

    @POST
    @Path("{id}")
    public Response update(@PathParam("id") long id, MultivaluedMap<String, String> body) {
        AdminSupport.post(caller, body.getFirst("csrf"));
        rules.get(id); // 404 before anything else
        RuleForm form = form(body);
        return AdminSupport.submit(() -> saved(rules.replace(id, dto(id, form), caller.username()).console()),
                error -> Templates.rule(AdminSupport.page(caller, "Rule"), form, id, choices(form), error));
    }

    @POST
    @Path("{id}/delete")
    public Response delete(@PathParam("id") long id, MultivaluedMap<String, String> body) {
        AdminSupport.post(caller, body.getFirst("csrf"));
        RuleAdmin.RuleDto r = rules.get(id);
        rules.delete(id, caller.username());
        return consoleId(r.console()).map(c -> AdminSupport.seeOther("/admin/consoles/" + c + "?saved=rule-deleted"))
                .orElse(AdminSupport.seeOther("/admin/rules"));
    }

    /** After saving, the console's week picture shows what the rule means. */
    private Response saved(String console) {
        return consoleId(console).map(c -> AdminSupport.seeOther("/admin/consoles/" + c + "?saved=rule"))
                .orElse(AdminSupport.seeOther("/admin/rules"));
    }

    private java.util.Optional<Long> consoleId(String name) {
        return consoles.consoles().stream().filter(c -> c.name().equals(name)).map(ConsoleAdmin.ConsoleView::id).findFirst();
    }

    /** Reads the posted form; window rows left entirely empty are dropped. */
    static RuleForm form(MultivaluedMap<String, String> body) {
        Map<Integer, WindowRow> rows = new java.util.TreeMap<>();
        for (String key : body.keySet()) {
            Matcher m = WINDOW_FIELD.matcher(key);
            if (m.matches()) {
                int i = Integer.parseInt(m.group(1));
                rows.computeIfAbsent(i, k -> window(k, Set.copyOf(list(body, "w" + k + ".days")),
                        AdminSupport.nz(body.getFirst("w" + k + ".from")), AdminSupport.nz(body.getFirst("w" + k + ".to"))));
            }
        }
        List<WindowRow> windows = new ArrayList<>(rows.values());
        boolean forGroup = "group".equals(body.getFirst("subject"));
        return new RuleForm(AdminSupport.nz(body.getFirst("console")), forGroup, AdminSupport.nz(body.getFirst("user")),
                AdminSupport.nz(body.getFirst("group")), AdminSupport.nz(body.getFirst("effect")),
                AdminSupport.nz(body.getFirst("zone")), windows, new TreeSet<>(list(body, "approvers")),
                AdminSupport.nz(body.getFirst("approverGroup")), AdminSupport.nz(body.getFirst("maxMinutes")),
                dayAndTime(body, "validFrom"), dayAndTime(body, "validUntil"));
    }

    /**
     * A validity bound as the form sends it: a day ({@code validFrom.date}) and a 24-hour time ({@code validFrom.time}),
     * joined to "2026-12-01T08:00"; the single field {@code validFrom} of older scripts still works.
     */
    private static String dayAndTime(MultivaluedMap<String, String> body, String name) {
        String single = AdminSupport.nz(body.getFirst(name));
        String day = AdminSupport.nz(body.getFirst(name + ".date")).strip();
        String time = AdminSupport.nz(body.getFirst(name + ".time")).strip();
        if (!single.isBlank() || (day.isEmpty() && time.isEmpty())) {
            return single;
        }
        return day + "T" + time;
    }

    /** The form as the service takes it; a field the page itself cannot read is a 400 sentence too. */
    static RuleAdmin.RuleDto dto(Long id, RuleForm f) {
        List<RuleAdmin.WindowDto> windows = new ArrayList<>();
        for (WindowRow w : f.windows()) {
            List<String> days = w.days().stream().filter(DayBox::checked).map(DayBox::value).toList();
            if (days.isEmpty() && w.from().isBlank() && w.to().isBlank()) {
                continue;
            }
            if (days.isEmpty()) {
                throw Problem.badRequest("Window " + (w.index() + 1) + " has times but no days: tick the days it opens on.");
            }
            windows.add(new RuleAdmin.WindowDto(days, w.from(), w.to()));
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(f.zone().strip());
        } catch (DateTimeException e) {
            zone = null; // the service names the zone as the problem
        }
        Instant validFrom = instant(f.validFrom(), zone, "Valid from");
        Instant validUntil = instant(f.validUntil(), zone, "Valid until");
        return new RuleAdmin.RuleDto(id, f.console(), f.forGroup() ? null : f.user(), f.forGroup() ? f.group() : null,
                f.effect(), f.zone(), windows, List.copyOf(f.approvers()), AdminSupport.blank(f.approverGroup()),
                AdminSupport.integer(f.maxMinutes(), "Max minutes"), validFrom, validUntil);
    }

    private static Instant instant(String local, ZoneId zone, String label) {
        if (local == null || local.isBlank()) {
            return null;
        }
        if (zone == null) {
            throw Problem.badRequest("'" + TimeText.clip(label) + "' is read in the rule's time zone: give a valid zone first, "
                    + "such as Europe/Berlin.");
        }
        String text = local.strip();
        int t = text.indexOf('T');
        String day = t < 0 ? text : text.substring(0, t);
        String time = t < 0 ? "" : text.substring(t + 1);
        if (day.isEmpty()) {
            throw Problem.badRequest("'" + label + "' has a time but no day: choose the day too, or clear both.");
        }
        try {
            LocalTime clock = time.isEmpty() ? LocalTime.MIDNIGHT : TimeText.clockTime(time, "time for '" + label + "'");
            return LocalDate.parse(day).atTime(clock).atZone(zone).toInstant();
        } catch (DateTimeParseException e) {
            throw Problem.badRequest("'" + label + "' is a day such as 2026-12-01 and a 24-hour time such as 08:00.");
        }
    }

    private static String local(Instant t, ZoneId zone) {
        return t == null ? "" : LOCAL.format(t.atZone(zone));
    }

    private static List<String> list(MultivaluedMap<String, String> body, String key) {
        List<String> v = body.get(key);
        return v == null ? List.of() : v.stream().filter(s -> s != null && !s.isBlank()).toList();
    }

    static WindowRow window(int index, Set<String> checked, String from, String to) {
        List<DayBox> days = new ArrayList<>(7);
        for (DayOfWeek d : DayOfWeek.values()) {
            days.add(new DayBox(d.name(), RuleText.shortName(d), checked.contains(d.name())));
        }
        return new WindowRow(index, days, from, to);
    }

    private Choices choices(RuleForm form) {
        List<UserAdmin.UserView> people = users.users();
        Set<String> approverNames = new TreeSet<>(form.approvers());
        people.stream().filter(u -> u.roles().contains("approver")).forEach(u -> approverNames.add(u.username()));
        return new Choices(consoles.consoles().stream().map(ConsoleAdmin.ConsoleView::name).toList(),
                people.stream().map(UserAdmin.UserView::username).toList(),
                users.groups().stream().map(UserAdmin.GroupView::name).toList(),
                approverNames.stream().map(n -> new Approver(n, form.approvers().contains(n))).toList(),
                ZONES);
    }

    /** Region time zones for the zone field's suggestions. */
    static final List<String> ZONES = ZoneId.getAvailableZoneIds().stream()
            .filter(z -> z.matches("(Africa|America|Asia|Atlantic|Australia|Europe|Indian|Pacific)/[A-Za-z_/-]+") || z.equals("UTC"))
            .sorted().toList();

    static RuleRow row(RuleAdmin.RuleDto r) {
        String validity = r.validFrom() == null && r.validUntil() == null ? null
                : (r.validFrom() == null ? "" : "from " + AdminDisplay.at(r.validFrom(), r.zone()))
                + (r.validFrom() != null && r.validUntil() != null ? " " : "")
                + (r.validUntil() == null ? "" : "until " + AdminDisplay.at(r.validUntil(), r.zone()));
        return new RuleRow(r.id(), r.group() != null ? r.group() : r.user(), r.group() != null, r.effect(),
                RuleText.windows(r) + " (" + r.zone() + ")", RuleText.approvers(r), r.maxMinutes(), validity);
    }
}
