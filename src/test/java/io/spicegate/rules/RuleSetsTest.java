package io.spicegate.rules;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.spicegate.access.Decision;
import io.spicegate.consoles.Console;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import io.spicegate.users.User;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * My consoles' compiled rule sets (issue 17): kept between calls, and never stale. Every change below is made
 * through another database connection, as another replica would make it, and the very next dashboard shows it.
 */
@QuarkusTest
class RuleSetsTest {

    @Inject Fixtures fixtures;
    @Inject TestClock clock;
    @Inject RuleSets ruleSets;
    @Inject AccessService access;
    @Inject EntityManager em;
    @Inject MeterRegistry metrics;

    @BeforeEach
    void mondayTen() {
        clock.berlin("2026-11-23T10:00");
    }

    /** A user with one rule on each of two consoles, one directly and one through a group; logged in. */
    record Office(String user, String group, String direct, String viaGroup, long directRule, long groupRule, Browser browser) {

        JsonPath consoles() {
            return new JsonPath(browser.request().get("/api/v1/consoles").then().statusCode(200).extract().asString());
        }

        List<String> names() {
            return consoles().getList("name");
        }

        /** Logged in again: a login session does not outlive a clock moved on by hours. */
        Office relogin() {
            return new Office(user, group, direct, viaGroup, directRule, groupRule, Browser.login(user, Fixtures.PASSWORD));
        }

        String field(String console, String field) {
            return consoles().getString("find { it.name == '" + console + "' }." + field);
        }
    }

    Office office() {
        String user = fixtures.user("rs");
        String group = fixtures.group("rsg", user);
        String direct = fixtures.console("rs-direct");
        String viaGroup = fixtures.console("rs-group");
        long directRule = fixtures.rule(direct).user(user).window(Fixtures.weekdays(), "08:00", "18:00").save();
        long groupRule = fixtures.rule(viaGroup).group(group).window(Fixtures.weekdays(), "08:00", "18:00").save();
        return new Office(user, group, direct, viaGroup, directRule, groupRule, Browser.login(user, Fixtures.PASSWORD));
    }

    double loads() {
        return metrics.get("spicegate_rule_set_loads").counter().count();
    }

    @Test
    void aSecondCallWithNothingChangedReadsNoRules() {
        Office o = office();
        assertEquals(List.of(o.direct(), o.viaGroup()), o.names());
        double before = loads();
        assertEquals(List.of(o.direct(), o.viaGroup()), o.names());
        assertEquals(List.of(o.direct(), o.viaGroup()), o.names());
        assertEquals(before, loads(), "the rule set was read again with nothing changed");
        // the clock moving on is no change of rules: the decision is made anew, from the kept set
        clock.berlin("2026-11-23T19:00");
        assertEquals("DENIED", o.relogin().field(o.direct(), "decision"));
        assertEquals(before, loads());
    }

    @Test
    void aRuleRemovedElsewhereIsGoneAtOnce() throws Exception {
        Office o = office();
        assertEquals(List.of(o.direct(), o.viaGroup()), o.names());
        Db.update("delete from access_rule where id = ?", o.directRule());
        assertEquals(List.of(o.viaGroup()), o.names());
    }

    @Test
    void aRuleRemovedThroughTheAdminApiIsGoneAtOnce() {
        Office o = office();
        String admin = fixtures.user("rs-admin", false, true);
        assertEquals(List.of(o.direct(), o.viaGroup()), o.names());
        Fixtures.as(admin).delete("/api/v1/admin/rules/" + o.groupRule()).then().statusCode(204);
        assertEquals(List.of(o.direct()), o.names());
    }

    @Test
    void windowsAndApproversCountAtOnce() throws Exception {
        Office o = office();
        assertEquals("2026-11-23T17:00:00Z", o.field(o.direct(), "until"));
        Db.update("update rule_window set to_time = '12:00' where rule_id = ?", o.directRule());
        assertEquals("2026-11-23T11:00:00Z", o.field(o.direct(), "until"));
        Db.update("update rule_window set days = '6,7' where rule_id = ?", o.directRule());
        assertEquals("DENIED", o.field(o.direct(), "decision"));
        String boss = fixtures.user("rs-boss");
        Db.update("insert into rule_approver (rule_id, user_id) select ?, id from app_user where username = ?",
                o.directRule(), boss);
        assertEquals("NEEDS_APPROVAL", o.field(o.direct(), "decision"));
        Db.update("update access_rule set effect = 'DENY' where id = ?", o.groupRule());
        assertEquals("DENIED", o.field(o.viaGroup(), "decision"));
    }

    @Test
    void consolesRenamedDescribedOrDeletedCountAtOnce() throws Exception {
        Office o = office();
        assertEquals("test console rs-direct", o.field(o.direct(), "description"));
        Db.update("update console set description = 'the new text' where name = ?", o.direct());
        assertEquals("the new text", o.field(o.direct(), "description"));
        String renamed = Fixtures.unique("rs-renamed");
        Db.update("update console set name = ? where name = ?", renamed, o.viaGroup());
        assertEquals(List.of(o.direct(), renamed), o.names());
        Db.update("delete from console where name = ?", o.direct());
        assertEquals(List.of(renamed), o.names());
    }

    @Test
    void membershipsAndGroupsCountAtOnce() throws Exception {
        Office o = office();
        Db.update("delete from group_member where group_id = (select id from user_group where name = ?)", o.group());
        assertEquals(List.of(o.direct()), o.names());
        Db.update("insert into group_member (group_id, user_id) select g.id, u.id from user_group g, app_user u "
                + "where g.name = ? and u.username = ?", o.group(), o.user());
        assertEquals(List.of(o.direct(), o.viaGroup()), o.names());
        Db.update("delete from user_group where name = ?", o.group());
        assertEquals(List.of(o.direct()), o.names());
    }

    @Test
    void aDeactivatedOrDeletedUserSeesNothing() throws Exception {
        Office o = office();
        assertEquals(2, o.names().size());
        Db.update("update app_user set active = false where username = ?", o.user());
        o.browser().request().get("/api/v1/consoles").then().statusCode(401);
        Db.update("update app_user set active = true where username = ?", o.user());
        Office again = o.relogin();
        assertEquals(2, again.names().size());
        Db.update("delete from app_user where username = ?", o.user());
        again.browser().request().get("/api/v1/consoles").then().statusCode(401);
    }

    @Test
    void everyChangeBumpsTheVersionOnceAndNotifies() throws Exception {
        Office o = office();
        long v0 = version();
        // several rows in one transaction: one bump
        try (var c = Db.connection()) {
            c.setAutoCommit(false);
            try (var st = c.createStatement()) {
                st.executeUpdate("update rule_window set to_time = '17:00' where rule_id in (" + o.directRule() + ", "
                        + o.groupRule() + ")");
                st.executeUpdate("update access_rule set max_minutes = 30 where id = " + o.directRule());
            }
            assertEquals(v0, version(), "the bump happens at commit");
            c.commit();
        }
        assertEquals(v0 + 1, version());
        // columns no decision reads are no change
        Db.update("update app_user set display_name = 'Someone Else' where username = ?", o.user());
        Db.update("update console set tls_port = 29999 where name = ?", o.direct());
        assertEquals(v0 + 1, version());
        // the NOTIFY of a commit elsewhere drops kept sets on this replica
        o.names();
        assertTrue(ruleSets.held() > 0);
        Db.update("update access_rule set max_minutes = 45 where id = ?", o.directRule());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ruleSets.held() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, ruleSets.held(), "the NOTIFY did not drop the kept sets");
    }

    @Test
    void aTransactionThatChangedRulesItselfNeitherTrustsNorFillsTheCache() {
        Office o = office();
        assertEquals(List.of(o.direct(), o.viaGroup()), o.names());
        // inside one transaction: the membership goes (as a directory refresh does), the rules read show it...
        QuarkusTransaction.begin();
        try {
            User u = User.findByUsername(o.user()).orElseThrow();
            em.createNativeQuery("delete from group_member where user_id = ?1").setParameter(1, u.id).executeUpdate();
            assertEquals(List.of(o.direct()), ruleSets.of(u).consoles().stream().map(RuleSets.ConsoleRules::name).toList());
        } finally {
            QuarkusTransaction.rollback();
        }
        // ...and rolled back, it left no set behind that others would trust
        assertEquals(List.of(o.direct(), o.viaGroup()), o.names());
    }

    @Test
    void theListDecidesAsOpenConsoleDoes() throws Exception {
        String user = fixtures.user("rs-same");
        String boss = fixtures.user("rs-same-boss");
        String team = fixtures.group("rs-team", user);
        List<String> consoles = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            consoles.add(fixtures.console("rs-same-" + i));
        }
        fixtures.rule(consoles.get(0)).user(user).window(Fixtures.weekdays(), "08:00", "18:00").maxMinutes(30).save();
        fixtures.rule(consoles.get(0)).group(team).window(EnumSet.allOf(DayOfWeek.class), "09:00", "11:00").save();
        fixtures.rule(consoles.get(1)).group(team).zone("America/New_York").window(Fixtures.weekdays(), "08:00", "18:00").save();
        fixtures.rule(consoles.get(1)).user(user).deny().window(EnumSet.of(DayOfWeek.MONDAY), "10:30", "12:00").save();
        fixtures.rule(consoles.get(2)).user(user).window(EnumSet.of(DayOfWeek.FRIDAY), "22:00", "02:00").approver(boss).save();
        fixtures.rule(consoles.get(3)).group(team).deny().window(EnumSet.allOf(DayOfWeek.class), "00:00", "00:00").save();
        fixtures.rule(consoles.get(3)).user(user).save();
        fixtures.rule(consoles.get(4)).user(user).zone("Asia/Tokyo").window(EnumSet.of(DayOfWeek.TUESDAY), "00:00", "00:00").save();
        long ending = fixtures.rule(consoles.get(5)).user(user).zone("UTC").window(EnumSet.allOf(DayOfWeek.class), "00:00", "00:00")
                .approver(boss).save();
        // valid from a Monday instant with microseconds, until Friday evening: the projection reads them exactly
        Db.update("update access_rule set valid_from = '2026-11-23T09:00:00.000001Z', valid_until = '2026-11-27T18:00:00Z' "
                + "where id = ?", ending);
        for (String at : List.of("2026-11-23T10:00", "2026-11-23T10:45", "2026-11-27T23:30", "2026-11-29T01:30",
                "2026-11-23T09:59")) {
            clock.berlin(at);
            Browser b = Browser.login(user, Fixtures.PASSWORD);
            JsonPath listed = new JsonPath(b.request().get("/api/v1/consoles").then().statusCode(200).extract().asString());
            assertEquals(consoles, listed.getList("name"));
            Instant now = clock.instant();
            QuarkusTransaction.requiringNew().run(() -> {
                User u = User.findByUsername(user).orElseThrow();
                for (String name : consoles) {
                    AccessService.ConsoleAccess one = access.decide(u, Console.findByName(name).orElseThrow(), now);
                    Decision d = one.decision();
                    String where = name + " at " + at;
                    assertEquals(d.verdict().name(), listed.getString("find { it.name == '" + name + "' }.decision"), where);
                    assertEquals(text(d.until()), listed.getString("find { it.name == '" + name + "' }.until"), where);
                    assertEquals(text(d.nextWindowStart()),
                            listed.getString("find { it.name == '" + name + "' }.nextWindowStart"), where);
                    assertEquals(one.zone().getId(), listed.getString("find { it.name == '" + name + "' }.zone"), where);
                }
            });
        }
    }

    /**
     * Readers in parallel keep filling the cache while rules are removed one by one elsewhere: each read begun after
     * a removal committed shows it, whichever reader's set was kept last.
     */
    @Test
    void parallelReadersNeverSeeARemovedRule() throws Exception {
        String user = fixtures.user("rs-par");
        List<String> consoles = new ArrayList<>();
        List<Long> rules = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            consoles.add(fixtures.console("rs-par-" + (char) ('a' + i)));
            rules.add(fixtures.rule(consoles.get(i)).user(user).save());
        }
        List<Browser> readers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            readers.add(Browser.login(user, Fixtures.PASSWORD));
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(readers.size());
        List<Future<?>> running = new ArrayList<>();
        for (Browser r : readers) {
            running.add(pool.submit(() -> {
                while (!stop.get()) {
                    r.request().get("/api/v1/consoles").then().statusCode(200);
                    reads.incrementAndGet();
                }
                return null;
            }));
        }
        try {
            for (int i = 0; i < rules.size(); i++) {
                Db.update("delete from access_rule where id = ?", rules.get(i));
                List<String> shown = new JsonPath(readers.get(i).request().get("/api/v1/consoles").then().statusCode(200)
                        .extract().asString()).getList("name");
                assertEquals(consoles.subList(i + 1, consoles.size()), shown, "after removing rule " + i);
            }
        } finally {
            stop.set(true);
            pool.shutdown();
        }
        for (Future<?> f : running) {
            f.get(60, TimeUnit.SECONDS);
        }
        assertTrue(reads.get() >= readers.size(), "the readers did not run: " + reads.get());
    }

    @Test
    void theDashboardIsTimed() {
        Office o = office();
        long before = metrics.get("spicegate_decision").timer().count();
        o.names();
        assertEquals(before + 1, metrics.get("spicegate_decision").timer().count());
        assertFalse(metrics.get("spicegate_decision").timer().totalTime(TimeUnit.NANOSECONDS) <= 0);
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }

    private static long version() {
        return Db.count("select version from rules_version");
    }
}
