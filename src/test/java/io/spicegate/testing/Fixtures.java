package io.spicegate.testing;

import io.restassured.path.json.JsonPath;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.spicegate.access.Effect;
import io.spicegate.consoles.Console;
import io.spicegate.consoles.KvmHost;
import io.spicegate.rules.Rule;
import io.spicegate.rules.RuleWindow;
import io.spicegate.users.Group;
import io.spicegate.users.Passwords;
import io.spicegate.users.User;
import io.spicegate.workstations.Workstation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;

/**
 * Small builders for test data: every call makes fresh, uniquely named objects so tests do not see each
 * other's sessions. Users get the password {@link #PASSWORD}.
 */
@ApplicationScoped
public class Fixtures {

    public static final String PASSWORD = "test-password";
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static volatile String passwordHash;

    @Inject
    TestClock clock;

    public static String unique(String base) {
        return base + "-t" + SEQ.incrementAndGet(); // never one of the demo names (vm3)
    }

    /** Gives an existing user another display name (a long one tests how pages wrap it). */
    @Transactional
    public void displayName(String username, String displayName) {
        User.<User>find("username", username).firstResult().displayName = displayName;
    }

    @Transactional
    public String user(String base) {
        return user(base, false, false);
    }

    @Transactional
    public String user(String base, boolean approver, boolean admin) {
        User u = new User();
        u.username = unique(base);
        u.displayName = base;
        u.email = u.username + "@test.example";
        u.unixUsername = u.username;
        u.approver = approver;
        u.admin = admin;
        u.createdAt = Instant.parse("2026-01-01T00:00:00Z");
        u.passwordHash = passwordHash();
        u.persist();
        return u.username;
    }

    /** The hash of {@link #PASSWORD}, computed once (bcrypt is slow on purpose). */
    private static String passwordHash() {
        if (passwordHash == null) {
            passwordHash = Passwords.hash(PASSWORD);
        }
        return passwordHash;
    }

    @Transactional
    public void deactivate(String username) {
        User.findByUsername(username).orElseThrow().active = false;
    }

    /** A TLS console on the demo host. */
    @Transactional
    public String console(String base) {
        KvmHost host = KvmHost.findByName("mysrv").orElseThrow();
        Console c = new Console();
        c.name = unique(base);
        c.host = host;
        c.tlsPort = 21000 + SEQ.get() % 1000;
        c.hostSubject = "CN=mysrv";
        c.password = "secret-" + c.name;
        c.description = "test console " + base;
        c.persist();
        return c.name;
    }

    @Transactional
    public String group(String base, String... members) {
        Group g = new Group();
        g.name = unique(base);
        g.persist();
        for (String m : members) {
            g.addMember(User.findByUsername(m).orElseThrow());
        }
        return g.name;
    }

    /** A group as a directory creates it (members set at each login); fixed name, as the directory names it. */
    @Transactional
    public String directoryGroup(String name, String source) {
        Group g = Group.findByName(name).orElseGet(Group::new);
        g.name = name;
        g.source = source;
        g.persist();
        return g.name;
    }

    /** An account as a directory login creates it, without a password here. */
    @Transactional
    public void directoryUser(String username, String source, boolean active) {
        User u = User.findByUsername(username).orElseGet(User::new);
        u.username = username;
        u.displayName = username;
        u.unixUsername = username;
        u.source = source;
        u.active = active;
        u.createdAt = Instant.parse("2026-01-01T00:00:00Z");
        u.persist();
    }

    /** A local account with a fixed name (to collide with a directory account). */
    @Transactional
    public void localUser(String username) {
        User u = new User();
        u.username = username;
        u.displayName = username;
        u.unixUsername = username;
        u.createdAt = Instant.parse("2026-01-01T00:00:00Z");
        u.passwordHash = passwordHash();
        u.persist();
    }

    @Transactional
    public String workstation(String base, String... addresses) {
        Workstation w = new Workstation();
        w.name = unique(base);
        w.addresses.addAll(Set.of(addresses));
        w.persist();
        return w.name;
    }

    /** Starts a rule: {@code fixtures.rule(console).user("x").allow(MON..FRI, "08:00", "18:00").save()}. */
    public RuleSpec rule(String console) {
        return new RuleSpec(this, console);
    }

    /** Fluent description of a rule, saved by {@link #save()}. */
    public static final class RuleSpec {
        private final Fixtures fixtures;
        final String console;
        String user;
        String group;
        Effect effect = Effect.ALLOW;
        String zone = "Europe/Berlin";
        Set<DayOfWeek> days = EnumSet.allOf(DayOfWeek.class);
        LocalTime from = LocalTime.MIDNIGHT;
        LocalTime to = LocalTime.MIDNIGHT;
        String approver;
        Integer maxMinutes;

        RuleSpec(Fixtures fixtures, String console) {
            this.fixtures = fixtures;
            this.console = console;
        }

        public RuleSpec user(String u) { this.user = u; return this; }
        public RuleSpec group(String g) { this.group = g; return this; }
        public RuleSpec deny() { this.effect = Effect.DENY; return this; }
        public RuleSpec zone(String z) { this.zone = z; return this; }
        public RuleSpec approver(String a) { this.approver = a; return this; }
        public RuleSpec maxMinutes(int m) { this.maxMinutes = m; return this; }

        public RuleSpec window(Set<DayOfWeek> days, String from, String to) {
            this.days = days;
            this.from = LocalTime.parse(from);
            this.to = LocalTime.parse(to);
            return this;
        }

        public long save() {
            return fixtures.saveRule(this);
        }
    }

    @Transactional
    long saveRule(RuleSpec spec) {
        Rule r = new Rule();
        r.console = Console.findByName(spec.console).orElseThrow();
        r.subjectUser = spec.user == null ? null : User.findByUsername(spec.user).orElseThrow();
        r.subjectGroup = spec.group == null ? null : Group.findByName(spec.group).orElseThrow();
        r.effect = spec.effect;
        r.zone = spec.zone;
        r.maxMinutes = spec.maxMinutes;
        r.windows.add(new RuleWindow(spec.days, spec.from, spec.to));
        if (spec.approver != null) {
            r.approvers.add(User.findByUsername(spec.approver).orElseThrow());
        }
        r.persist();
        return r.id;
    }

    /** Sets the clock to Monday 23 Nov 2026, 10:00 in Berlin, and makes an admin: where the API tests start. */
    public String mondayMorningAdmin(String base) {
        clock.berlin("2026-11-23T10:00");
        return user(base, false, true);
    }

    /** Who asks for off-hours use of which console, and who may approve it. */
    public record OffHours(String user, String approver, String console) {
    }

    /**
     * Sets the clock to Monday 23 Nov 2026, 19:00 in Berlin, and makes a user allowed on a fresh console on weekdays
     * 08:00–18:00 only, with an approver for more: where the request tests start.
     */
    public OffHours offHoursConsole(String userBase, String approverBase, String consoleBase) {
        clock.berlin("2026-11-23T19:00");
        String user = user(userBase);
        String approver = user(approverBase, true, false);
        String console = console(consoleBase);
        rule(console).user(user).window(weekdays(), "08:00", "18:00").approver(approver).save();
        return new OffHours(user, approver, console);
    }

    /** An off-hours console with two approvers, each named on a rule of its own: the boss and a deputy. */
    public record TwoApprovers(String user, String boss, String deputy, String console) {
    }

    /**
     * {@link #offHoursConsole} with a second rule (weekdays 09:00–17:00) whose approver is a deputy: a request on it
     * goes to both.
     */
    public TwoApprovers twoApproversConsole(String userBase) {
        OffHours o = offHoursConsole(userBase, "boss", "vm");
        String deputy = user("deputy", true, false);
        rule(o.console()).user(o.user()).window(weekdays(), "09:00", "17:00").approver(deputy).save();
        return new TwoApprovers(o.user(), o.approver(), deputy, o.console());
    }

    /** A JSON request to the portal as {@code username} (preemptive Basic, password {@link #PASSWORD}). */
    public static RequestSpecification as(String username) {
        return given().auth().preemptive().basic(username, PASSWORD).contentType("application/json");
    }

    /** An agent created through the admin API and enrolled with its token: the create and enroll answers. */
    public record Enrolled(ExtractableResponse<Response> created, JsonPath enrollment) {
        public String id() {
            return created.path("id").toString();
        }

        public String token() {
            return created.path("enrollmentToken");
        }

        public String secret() {
            return enrollment.getString("secret");
        }
    }

    /** A workstation ({@code body} as the admin API takes it) created by {@code admin}, its agent enrolled. */
    public static Enrolled enrolledWorkstation(String admin, Map<String, ?> body, String hostname) {
        return enrolled(admin, "/api/v1/admin/workstations", body, hostname);
    }

    /** A KVM host ({@code body} as the admin API takes it) created by {@code admin}, its agent enrolled. */
    public static Enrolled enrolledHost(String admin, Map<String, ?> body, String hostname) {
        return enrolled(admin, "/api/v1/admin/hosts", body, hostname);
    }

    private static Enrolled enrolled(String admin, String path, Map<String, ?> body, String hostname) {
        ExtractableResponse<Response> created = as(admin).body(body).post(path).then().statusCode(201).extract();
        JsonPath enrollment = given().contentType("application/json")
                .body(Map.of("token", created.path("enrollmentToken"), "hostname", hostname))
                .post("/api/agent/v1/enroll").then().statusCode(200).extract().jsonPath();
        return new Enrolled(created, enrollment);
    }

    public static Set<DayOfWeek> weekdays() {
        return EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY);
    }
}
