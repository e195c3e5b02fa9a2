package io.spicegate.demo;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.spicegate.access.Effect;
import io.spicegate.audit.AuditLog;
import io.spicegate.consoles.Console;
import io.spicegate.consoles.KvmHost;
import io.spicegate.rules.Rule;
import io.spicegate.rules.RuleWindow;
import io.spicegate.shared.SpicegateConfig;
import io.spicegate.users.Passwords;
import io.spicegate.users.User;
import io.spicegate.workstations.Workstation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The seed's office as demo data (DESIGN.md "Demo data"), loaded on the first start of an empty database
 * when {@code spicegate.demo} is on; otherwise {@code SPICEGATE_ADMIN_PASSWORD} creates the first admin.
 */
@ApplicationScoped
public class DemoData {

    public static final String PASSWORD = "demo";
    static final String ZONE = "Europe/Berlin";
    private static final long SEED_LOCK = 0x5345454444L;

    @Inject SpicegateConfig config;
    @Inject Clock clock;
    @Inject AuditLog audit;
    @Inject EntityManager em;

    @Transactional
    void onStart(@Observes StartupEvent event) {
        // replicas starting together: one loads, the others see the users
        em.createNativeQuery("select pg_advisory_xact_lock(?1)").setParameter(1, SEED_LOCK).getSingleResult();
        if (User.count() > 0) {
            return;
        }
        if (config.demo()) {
            load();
            Log.info("Loaded the demo office: users admin, boss, charlie, maggie, anne, ralph, myself, mybro (password 'demo')");
        } else if (config.adminPassword().isPresent() && !config.adminPassword().get().isBlank()) {
            User admin = user("admin", "Administrator", true, false);
            admin.passwordHash = Passwords.hash(config.adminPassword().get());
            audit.append(AuditLog.event("ADMIN_CREATED").actor("system").user("admin").detail("first start"), clock.instant());
            Log.info("Created the first account 'admin' from SPICEGATE_ADMIN_PASSWORD");
        } else {
            Log.warn("No users and no SPICEGATE_ADMIN_PASSWORD: set it (or SPICEGATE_DEMO=true) and restart to get a first account");
        }
    }

    void load() {
        String hash = Passwords.hash(PASSWORD);
        User admin = user("admin", "Office administrator", true, false);
        User boss = user("boss", "The boss", false, true);
        User charlie = user("charlie", "Charlie (bookkeeping)", false, false);
        User maggie = user("maggie", "Maggie (web development)", false, false);
        User anne = user("anne", "Anne (web development)", false, false);
        User ralph = user("ralph", "Ralph (confidential analysis)", false, false);
        User myself = user("myself", "Myself", false, false);
        User mybro = user("mybro", "My brother", false, false);
        for (User u : List.of(admin, boss, charlie, maggie, anne, ralph, myself, mybro)) {
            u.passwordHash = hash;
        }

        KvmHost mysrv = new KvmHost();
        mysrv.name = "mysrv";
        mysrv.address = "127.0.0.1";
        mysrv.caPem = resource("/demo/mysrv-ca.pem");
        mysrv.persist();
        Console debianx = console("debianx", mysrv, 20002, "VM1: Windows bookkeeping (the tax advisor's program)");
        Console leaptest = console("leaptest", mysrv, 20004, "VM2: web server for development and tests");
        Console vm3 = console("vm3", mysrv, 20006, "VM3: confidential analysis");

        Workstation mylap = new Workstation();
        mylap.name = "mylap";
        mylap.addresses.add("127.0.0.1");
        mylap.persist();

        Set<DayOfWeek> workdays = EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY);
        Set<DayOfWeek> everyDay = EnumSet.allOf(DayOfWeek.class);
        LocalTime eight = LocalTime.of(8, 0);
        LocalTime six = LocalTime.of(18, 0);
        rule(charlie, debianx, workdays, eight, six, boss);
        rule(boss, debianx, everyDay, six, LocalTime.of(23, 0), null);
        rule(maggie, leaptest, EnumSet.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY), eight, six, boss);
        rule(anne, leaptest, EnumSet.of(DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY), eight, six, boss);
        rule(ralph, vm3, everyDay, LocalTime.MIDNIGHT, LocalTime.MIDNIGHT, null);
        rule(myself, debianx, everyDay, LocalTime.MIDNIGHT, LocalTime.MIDNIGHT, null);
        rule(mybro, leaptest, everyDay, LocalTime.MIDNIGHT, LocalTime.MIDNIGHT, null);
        audit.append(AuditLog.event("DEMO_LOADED").actor("system").detail("the seed's office"), clock.instant());
    }

    private User user(String name, String display, boolean admin, boolean approver) {
        User u = new User();
        u.username = name;
        u.displayName = display;
        u.email = name + "@office.example";
        u.unixUsername = name;
        u.admin = admin;
        u.approver = approver;
        u.active = true;
        u.createdAt = clock.instant();
        u.persist();
        return u;
    }

    private static Console console(String name, KvmHost host, int tlsPort, String description) {
        Console c = new Console();
        c.name = name;
        c.host = host;
        c.tlsPort = tlsPort;
        c.hostSubject = "O=Spicegate demo office,CN=" + host.name;
        c.password = "spice-" + name;
        c.description = description;
        c.persist();
        return c;
    }

    private static void rule(User who, Console console, Set<DayOfWeek> days, LocalTime from, LocalTime to, User approver) {
        Rule r = new Rule();
        r.console = console;
        r.subjectUser = who;
        r.effect = Effect.ALLOW;
        r.zone = ZONE;
        r.windows.add(new RuleWindow(days, from, to));
        if (approver != null) {
            r.approvers.add(approver);
        }
        r.persist();
    }

    private static String resource(String path) {
        try (InputStream in = DemoData.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
