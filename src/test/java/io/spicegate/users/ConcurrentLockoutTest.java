package io.spicegate.users;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.function.BiFunction;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The lockout holds under concurrency: 40 parallel logins of one account (39 wrong passwords, 1 right) check at
 * most {@code max-failures} wrong passwords, by form and by HTTP Basic; the rest are 429 with a sentence, and after
 * the lockout period the right password works. (LDAP: {@link LdapLockoutTest}.)
 */
@QuarkusTest
class ConcurrentLockoutTest {

    static final int MAX = 5;

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @BeforeEach
    void monday() {
        clock.berlin("2026-11-23T10:00");
    }

    static Response form(String username, String password) {
        return given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("username", username).formParam("password", password).post("/login");
    }

    static Response basic(String username, String password) {
        return given().auth().preemptive().basic(username, password).get("/api/v1/consoles");
    }

    @Test
    void formLogins() throws Exception {
        String u = fixtures.user("burst");
        Burst.run(u, Fixtures.PASSWORD, MAX, ConcurrentLockoutTest::form, 303);
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertEquals(303, form(u, Fixtures.PASSWORD).statusCode());
    }

    @Test
    void basicLogins() throws Exception {
        String u = fixtures.user("burstb");
        Burst.run(u, Fixtures.PASSWORD, MAX, ConcurrentLockoutTest::basic, 200);
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertEquals(200, basic(u, Fixtures.PASSWORD).statusCode());
    }

    /**
     * The slots limit how many checks run at once, but only wrong passwords are failures: 20 parallel calls with the
     * right password (a script, the command line) all get in, none is told the account is locked, nothing is
     * audited as a lockout (found by the attack review: 5 × 200, 15 × 429 "locked for 5 minutes").
     */
    @Test
    void parallelRightPasswordsAreNeverLocked() throws Exception {
        String u = fixtures.user("parallel");
        var pool = java.util.concurrent.Executors.newFixedThreadPool(20);
        var start = new java.util.concurrent.CountDownLatch(1);
        try {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<Integer>>();
            for (int i = 0; i < 20; i++) {
                boolean viaForm = i % 2 == 0;
                futures.add(pool.submit(() -> {
                    start.await();
                    return (viaForm ? form(u, Fixtures.PASSWORD) : basic(u, Fixtures.PASSWORD)).statusCode();
                }));
            }
            start.countDown();
            var codes = new java.util.TreeMap<Integer, Integer>();
            for (var f : futures) {
                codes.merge(f.get(120, java.util.concurrent.TimeUnit.SECONDS), 1, Integer::sum);
            }
            assertEquals(java.util.Map.of(200, 10, 303, 10), codes);
            assertEquals(0, Db.count("select count(*) from audit_event where action in ('LOGIN_LOCKED', 'LOGIN_FAILED') "
                    + "and username = ?", u));
            assertEquals(0, Db.count("select count(*) from login_failure where username = ?", u), "every slot given back");
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Logins that check no password — a password no account can have (over 72 bytes), a name no account can have
     * (over 64 characters), an account already locked — cost no audit row each (found by the attack review: 200
     * requests wrote 200 rows under the chain's lock): the first per account, address and minute is audited at once,
     * the rest in one summary row written when the minute is over.
     */
    @Test
    void refusalsThatCheckNoPasswordAreAuditedInSummary() throws Exception {
        String u = fixtures.user("flood");
        String longName = "u".repeat(70) + Fixtures.unique("");
        String clipped = AuthService.normalise(longName).substring(0, 63) + "…";
        long before = Db.count("select coalesce(max(id), 0) from audit_event");
        var pool = java.util.concurrent.Executors.newFixedThreadPool(25);
        try {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<Integer>>();
            for (int i = 0; i < 50; i++) {
                int n = i;
                futures.add(pool.submit(() -> basic(u, "p".repeat(80) + n).statusCode()));
                futures.add(pool.submit(() -> basic(longName, "x" + n).statusCode()));
            }
            for (var f : futures) {
                assertEquals(401, f.get(120, java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        String rows = "select count(*) from audit_event where id > ? and username = ?";
        assertEquals(1, Db.count(rows, before, u), "the first over-long password is audited at once, the rest counted");
        assertEquals(1, Db.count(rows, before, clipped), "the first over-long name is audited at once, the rest counted");
        assertEquals(0, Db.count("select count(*) from login_failure where username = ?", u), "no slot taken");

        clock.advance(Duration.ofSeconds(61));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while ((Db.count(rows, before, u) < 2 || Db.count(rows, before, clipped) < 2) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals(java.util.List.of("LOGIN_FAILED|49 more login(s) with a password longer than 72 bytes from this "
                        + "address, not checked"),
                Db.strings("select action || '|' || split_part(detail, ' between', 1) from audit_event "
                        + "where id > ? and username = ? order by id offset 1", before, u));
        assertEquals(java.util.List.of("LOGIN_FAILED|49 more login(s) with a name longer than 64 characters from this address"),
                Db.strings("select action || '|' || split_part(detail, ' between', 1) from audit_event "
                        + "where id > ? and username = ? order by id offset 1", before, clipped));
    }

    @Test
    void unknownAccountsAreCountedTheSameWay() throws Exception {
        String ghost = Fixtures.unique("ghost");
        Burst.run(ghost, null, MAX, ConcurrentLockoutTest::form, -1);
    }

    /** Helpers shared with {@link LdapLockoutTest}. */
    static final class Burst {

        private Burst() {
        }

        /**
         * 40 parallel logins of {@code username}: the first is {@code right} (if any), the others wrong. At most
         * {@code max} LOGIN_FAILED rows (one per checked wrong password); every other answer is 429 with a sentence.
         */
        static void run(String username, String right, int max, BiFunction<String, String, Response> login,
                        int okStatus) throws Exception {
            int n = 40;
            var pool = java.util.concurrent.Executors.newFixedThreadPool(n);
            var start = new java.util.concurrent.CountDownLatch(1);
            try {
                var futures = new java.util.ArrayList<java.util.concurrent.Future<Response>>();
                for (int i = 0; i < n; i++) {
                    String password = i == 0 && right != null ? right : "wrong-" + i;
                    futures.add(pool.submit(() -> {
                        start.await();
                        return login.apply(username, password);
                    }));
                }
                start.countDown();
                int ok = 0;
                int refused = 0;
                int locked = 0;
                var codes = new java.util.ArrayList<Integer>();
                for (var f : futures) {
                    Response r = f.get(120, java.util.concurrent.TimeUnit.SECONDS);
                    codes.add(r.statusCode());
                    if (r.statusCode() == okStatus) {
                        ok++;
                    } else if (r.statusCode() == 429) {
                        locked++;
                        String text = r.asString();
                        if (!text.contains("Too many failed logins for this account")) {
                            throw new AssertionError("429 without its sentence: " + text);
                        }
                    } else if (r.statusCode() == 401) {
                        refused++;
                    } else {
                        throw new AssertionError("unexpected " + r.statusCode() + ": " + r.asString());
                    }
                }
                long failed = Db.count("select count(*) from audit_event where action = 'LOGIN_FAILED' and username = ?",
                        AuthService.normalise(username));
                String summary = ok + " ok, " + refused + " refused, " + locked + " locked, " + failed + " LOGIN_FAILED "
                        + Db.strings("select action || ': ' || coalesce(detail, '') from audit_event where username = ? order by id",
                        AuthService.normalise(username)) + " codes by attempt (the first with the right password) " + codes
                        + " slots " + Db.strings("select id || ':' || pending from login_failure where username = ? order by id",
                        AuthService.normalise(username));
                if (failed > max || failed < max - 1 || refused > max - 1) {
                    throw new AssertionError("at most " + max + " wrong passwords may be checked: " + summary);
                }
                assertEquals(n, ok + refused + locked, summary);
                assertEquals(n - ok - refused, locked, summary);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
