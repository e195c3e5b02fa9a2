package io.spicegate.users;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Directory groups declared ahead ({@code fromDirectory}): rules name them before anyone logs in, the directories
 * fill them by name, hand-set members are refused, and a local group of a directory group's name is shown as such.
 * Directory logins go through {@link AuthService#oidcLogin} with the identity a provider vouched for.
 */
@QuarkusTest
class DirectoryGroupsTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @Inject
    AuthService auth;

    String admin;

    @BeforeEach
    void setUp() {
        clock.berlin("2026-11-23T10:00");
        admin = fixtures.user("dgadmin", false, true);
    }

    RequestSpecification asAdmin() {
        return given().auth().preemptive().basic(admin, Fixtures.PASSWORD).contentType("application/json");
    }

    AuthService.Outcome.Ok signIn(String username, String... groups) {
        AuthService.Outcome o = auth.oidcLogin(new DirectoryIdentity("oidc", username, "Dir " + username,
                username + "@office.example", null, Set.of(groups)), "https://sso.example/realms/office", "127.0.0.1");
        return assertInstanceOf(AuthService.Outcome.Ok.class, o);
    }

    static RequestSpecification as(AuthService.Outcome.Ok ok) {
        return given().cookie(AuthFilter.COOKIE, ok.token());
    }

    @Test
    void aGroupDeclaredAheadIsFilledByTheDirectoryAndItsRuleAppliesAtTheFirstLogin() {
        String group = Fixtures.unique("consolers");
        String console = fixtures.console("dg");
        int id = asAdmin().body(Map.of("name", group, "fromDirectory", true)).post("/api/v1/admin/groups")
                .then().log().ifValidationFails().statusCode(201).body("fromDirectory", equalTo(true)).body("members", equalTo(List.of()))
                .extract().path("id");
        asAdmin().get("/api/v1/admin/groups/" + id).then().statusCode(200)
                .body("name", equalTo(group)).body("fromDirectory", equalTo(true));
        fixtures.rule(console).group(group).save();

        String olivia = Fixtures.unique("olivia");
        AuthService.Outcome.Ok ok = signIn(olivia, group);
        as(ok).get("/api/v1/consoles").then().statusCode(200)
                .body("find { it.name == '" + console + "' }.decision", equalTo("ALLOWED"));
        asAdmin().get("/api/v1/admin/groups/" + id).then().body("members", equalTo(List.of(olivia)));

        // out of the group at the provider: the next login takes the console away
        AuthService.Outcome.Ok again = signIn(olivia);
        as(again).get("/api/v1/consoles").then().statusCode(200).body("name", not(hasItem(console)));
        asAdmin().get("/api/v1/admin/groups/" + id).then().body("members", equalTo(List.of()));
    }

    @Test
    void membersOfADirectoryGroupCannotBeSetByHand() {
        String someone = fixtures.user("dghand");
        String declared = Fixtures.unique("declared");
        int id = asAdmin().body(Map.of("name", declared, "fromDirectory", true)).post("/api/v1/admin/groups")
                .then().statusCode(201).extract().path("id");
        asAdmin().body(Map.of("members", List.of(someone))).put("/api/v1/admin/groups/" + id).then().statusCode(400)
                .body("error", containsString("takes its members from the directories"));
        String refused = Fixtures.unique("refused");
        asAdmin().body(Map.of("name", refused, "fromDirectory", true, "members", List.of(someone)))
                .post("/api/v1/admin/groups").then().statusCode(400)
                .body("error", containsString("add people to the group there"));
        assertEquals(0, Db.count("select count(*) from group_member where group_id = ?", (long) id));
        assertEquals(0, Db.count("select count(*) from user_group where name = ?", refused));

        // a group created by a member's first login behaves the same
        String created = Fixtures.unique("bylogin");
        String member = Fixtures.unique("mia");
        signIn(member, created);
        int createdId = asAdmin().get("/api/v1/admin/groups").then().statusCode(200)
                .extract().path("find { it.name == '" + created + "' }.id");
        asAdmin().get("/api/v1/admin/groups/" + createdId).then().body("fromDirectory", equalTo(true))
                .body("members", equalTo(List.of(member)));
        asAdmin().body(Map.of("members", List.of(someone))).put("/api/v1/admin/groups/" + createdId).then().statusCode(400)
                .body("error", containsString("takes its members from the directories"));
        asAdmin().get("/api/v1/admin/groups/" + createdId).then().body("members", equalTo(List.of(member)));
    }

    @Test
    void aLocalGroupWithADirectoryGroupsNameIsShownAsSuchAndCanBeHandedToTheDirectory() {
        String keeper = fixtures.user("dgkeeper");
        String local = fixtures.group("shared", keeper);
        String lena = Fixtures.unique("lenadg");
        signIn(lena, local);
        int id = asAdmin().get("/api/v1/admin/groups").then().extract().path("find { it.name == '" + local + "' }.id");
        asAdmin().get("/api/v1/admin/groups/" + id).then().body("fromDirectory", equalTo(false))
                .body("directoryClash", equalTo("oidc")).body("members", equalTo(List.of(keeper)));

        Browser page = Browser.login(admin, Fixtures.PASSWORD);
        page.request().get("/admin/groups").then().statusCode(200)
                .body(containsString("id=\"clash-" + local + "\""))
                .body(containsString("the oidc directory has a group of this name too: its members are not applied"));
        page.request().get("/admin/groups/" + id).then().statusCode(200)
                .body(containsString("id=\"directory-clash\""))
                .body(containsString("This is a local group, so its members are set here"));

        // handed to the directories: hand members go, the next login fills it
        asAdmin().body(Map.of("fromDirectory", true)).put("/api/v1/admin/groups/" + id).then().statusCode(200)
                .body("fromDirectory", equalTo(true)).body("members", equalTo(List.of()))
                .body("directoryClash", nullValue());
        signIn(lena, local);
        asAdmin().get("/api/v1/admin/groups/" + id).then().body("members", equalTo(List.of(lena)));
        page.request().get("/admin/groups").then().body(not(containsString("id=\"clash-" + local + "\"")));
    }

    @Test
    void aDirectoryGroupIsDeclaredOnTheAdminPageToo() {
        Browser page = Browser.login(admin, Fixtures.PASSWORD);
        String name = Fixtures.unique("pagedir");
        page.request().contentType("application/x-www-form-urlencoded")
                .formParam("csrf", page.csrf("/admin/groups/new")).formParam("name", name)
                .formParam("fromDirectory", "true").post("/admin/groups").then().log().ifValidationFails().statusCode(303);
        asAdmin().get("/api/v1/admin/groups").then()
                .body("find { it.name == '" + name + "' }.fromDirectory", equalTo(true));
        int id = asAdmin().get("/api/v1/admin/groups").then().extract().path("find { it.name == '" + name + "' }.id");
        page.request().get("/admin/groups/" + id).then().statusCode(200)
                .body(containsString("Nobody has logged in from this directory group yet."));
    }

    @Test
    void aUsersAdminPageListsHisGroupsAndWhereEachComesFrom() {
        String dirGroup = Fixtures.unique("dirteam");
        String user = Fixtures.unique("omar");
        signIn(user, dirGroup);
        fixtures.group("handteam", user);
        long userId = Db.count("select id from app_user where username = ?", user);
        String html = Browser.login(admin, Fixtures.PASSWORD).request().get("/admin/users/" + userId)
                .then().statusCode(200).extract().asString();
        assertTrue(html.contains("<li data-group=\"" + dirGroup + "\">" + dirGroup + " <span class=\"muted\">— directory (oidc)</span>"), html);
        assertTrue(html.matches("(?s).*<li data-group=\"handteam[^\"]*\">handteam[^<]* <span class=\"muted\">— set by hand here</span>.*"), html);
        asAdmin().get("/api/v1/admin/users/" + userId).then().statusCode(200)
                .body("memberships.find { it.group == '" + dirGroup + "' }.from", equalTo("directory (oidc)"));
    }

    /**
     * Single sign-on logins racing a deactivation (found beside the token case of 3 Dec): a login that saw the account
     * active could open its session after the deactivation had ended the others, so it outlived it. Now each login
     * takes the account lock and reads the account afresh. Eight logins kept going (each also updating the account)
     * while an administrator deactivates it: the account stays inactive, no login session is left, nothing fails.
     */
    @Test
    void singleSignOnLoginsRacingADeactivationLeaveNoLoginSession() throws Exception {
        for (int round = 0; round < 4; round++) {
            String name = Fixtures.unique("ssorace");
            long userId = signIn(name).user().id;
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger logins = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> loops = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    loops.add(pool.submit(() -> {
                        while (!stop.get()) {
                            // a display name of its own: each login also updates the account
                            auth.oidcLogin(new DirectoryIdentity("oidc", name, "Dir " + name + " " + logins.incrementAndGet(),
                                    null, null, Set.of()), "https://sso.example/realms/office", "127.0.0.1");
                        }
                        return null;
                    }));
                }
                while (logins.get() < 40) {
                    Thread.sleep(5);
                }
                asAdmin().body(Map.of("active", false)).put("/api/v1/admin/users/" + userId).then().statusCode(200);
                int atDeactivation = logins.get();
                while (logins.get() < atDeactivation + 40) {
                    Thread.sleep(5);
                }
                stop.set(true);
                for (Future<?> loop : loops) {
                    loop.get(); // nothing threw
                }
            } finally {
                stop.set(true);
                pool.shutdownNow();
            }
            assertEquals(1, Db.count("select count(*) from app_user where id = ? and not active", userId),
                    "round " + round + ": the account is active again");
            assertEquals(0, Db.count("select count(*) from login_session where user_id = ?", userId),
                    "round " + round + ": a single sign-on session outlived the deactivation");
        }
    }

    /**
     * What re-activated the user in the race above: a copy of the account read before an administrator deactivated it,
     * then saved for a change of its own (a directory refresh of the groups), wrote every column back. Now an update
     * writes only what it changed.
     */
    @Test
    void aStaleCopyOfTheAccountNeverWritesBackItsActiveFlag() throws Exception {
        long userId = signIn(Fixtures.unique("stale")).user().id;
        QuarkusTransaction.requiringNew().run(() -> {
            User stale = User.findById(userId); // read while the account is active
            asAdmin().body(Map.of("active", false)).put("/api/v1/admin/users/" + userId).then().statusCode(200);
            stale.groupsSyncedAt = clock.instant().plusSeconds(1); // as refreshing the directory's groups does
        });
        assertEquals(1, Db.count("select count(*) from app_user where id = ? and not active", userId));
    }

    @Test
    void parallelFirstLoginsOfTheMembersOfANewDirectoryGroupCreateItOnce() throws Exception {
        String group = Fixtures.unique("crowd");
        int n = 20;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<AuthService.Outcome>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = Fixtures.unique("crowd" + i);
                results.add(pool.submit(() -> auth.oidcLogin(new DirectoryIdentity("oidc", name, name, null, null,
                        Set.of(group)), "https://sso.example/realms/office", "127.0.0.1")));
            }
            for (Future<AuthService.Outcome> f : results) {
                assertInstanceOf(AuthService.Outcome.Ok.class, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, Db.count("select count(*) from user_group where name = ?", group));
        assertEquals(n, Db.count("select count(*) from group_member m join user_group g on g.id = m.group_id where g.name = ?", group));
    }
}
