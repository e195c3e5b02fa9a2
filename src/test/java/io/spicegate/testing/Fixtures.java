package io.spicegate.testing;

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
import jakarta.transaction.Transactional;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Small builders for test data: every call makes fresh, uniquely named objects so tests do not see each
 * other's sessions. Users get the password {@link #PASSWORD}.
 */
@ApplicationScoped
public class Fixtures {

    public static final String PASSWORD = "test-password";
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static volatile String passwordHash;

    public static String unique(String base) {
        return base + "-t" + SEQ.incrementAndGet(); // never one of the demo names (vm3)
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
        if (passwordHash == null) {
            passwordHash = Passwords.hash(PASSWORD);
        }
        u.passwordHash = passwordHash;
        u.persist();
        return u.username;
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
        if (passwordHash == null) {
            passwordHash = Passwords.hash(PASSWORD);
        }
        u.passwordHash = passwordHash;
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

    public static Set<DayOfWeek> weekdays() {
        return EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY);
    }
}
