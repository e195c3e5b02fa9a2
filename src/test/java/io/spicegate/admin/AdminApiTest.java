package io.spicegate.admin;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.Parallel;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API: build an office from nothing, validation that changes nothing, admins only, and what deleting or
 * changing users, groups, consoles and workstations does to sessions, grants, tickets and rules.
 */
@QuarkusTest
class AdminApiTest {

    @Inject
    Fixtures fixtures;

    String admin;

    @BeforeEach
    void setUp() {
        admin = fixtures.mondayMorningAdmin("boss");
    }

    RequestSpecification asAdmin() {
        return Fixtures.as(admin);
    }

    @Test
    void anOfficeBuiltThroughTheApiWorks() {
        String host = Fixtures.unique("kvm");
        String console = Fixtures.unique("vm");
        String user = Fixtures.unique("newbie");
        String group = Fixtures.unique("team");
        asAdmin().body(Map.of("name", host, "address", "127.0.0.1")).post("/api/v1/admin/hosts").then().log().ifValidationFails().statusCode(201);
        asAdmin().body(Map.of("name", console, "host", host, "tlsPort", 20100, "hostSubject", "CN=" + host,
                "password", "s3cret-pw", "description", "a test VM")).post("/api/v1/admin/consoles").then().statusCode(201)
                .body("hasPassword", equalTo(true)).body(not(containsString("s3cret-pw")));
        asAdmin().body(Map.of("username", user, "password", "long-enough-1", "displayName", "New Bie",
                "email", user + "@example.org", "unixUsername", user, "roles", List.of("user"))).post("/api/v1/admin/users")
                .then().statusCode(201).body("roles", equalTo(List.of("user"))).body(not(containsString("long-enough-1")));
        asAdmin().body(Map.of("name", group, "members", List.of(user))).post("/api/v1/admin/groups").then().statusCode(201)
                .body("members", equalTo(List.of(user)));
        int ruleId = asAdmin().body(Map.of("console", console, "group", group, "effect", "ALLOW", "zone", "Europe/Berlin",
                        "windows", List.of(Map.of("days", List.of("MONDAY", "TUESDAY"), "from", "08:00", "to", "18:00")),
                        "maxMinutes", 60))
                .post("/api/v1/admin/rules").then().statusCode(201).body("group", equalTo(group)).extract().path("id");

        given().auth().preemptive().basic(user, "long-enough-1").get("/api/v1/consoles").then().statusCode(200)
                .body("find { it.name == '" + console + "' }.decision", equalTo("ALLOWED"));
        given().auth().preemptive().basic(user, "long-enough-1").contentType("application/json")
                .body(Map.of("console", console)).post("/api/v1/sessions").then().statusCode(201)
                .body("endsAt", equalTo("2026-11-23T10:00:00Z"));

        asAdmin().get("/api/v1/admin/rules/" + ruleId).then().statusCode(200)
                .body("windows[0].days", equalTo(List.of("MONDAY", "TUESDAY"))).body("windows[0].from", equalTo("08:00"));
        asAdmin().get("/api/v1/admin/consoles").then().statusCode(200).body("name", hasItem(console))
                .body(not(containsString("s3cret-pw")));
        assertEquals(0, Db.count("select count(*) from audit_event where detail like '%s3cret-pw%' or detail like '%long-enough-1%'"));
        assertTrue(Db.strings("select action from audit_event where actor = ?", admin)
                .containsAll(List.of("HOST_CREATED", "CONSOLE_CREATED", "USER_CREATED", "GROUP_CREATED", "RULE_CREATED")));
    }

    @Test
    void badRulesGetASentenceAndChangeNothing() {
        String console = fixtures.console("vm");
        String user = fixtures.user("u");
        long before = Db.count("select count(*) from access_rule");
        Map<String, Object> base = Map.of("console", console, "user", user, "zone", "Europe/Berlin",
                "windows", List.of(Map.of("days", List.of("MONDAY"), "from", "08:00", "to", "18:00")));
        check(with(base, "zone", "Mars/Olympus"), "is not a time zone");
        check(with(base, "zone", ""), "time zone");
        check(with(base, "windows", List.of(Map.of("days", List.of("FUNDAY"), "from", "08:00", "to", "18:00"))), "is not a day");
        check(with(base, "windows", List.of(Map.of("days", List.of("MONDAY"), "from", "8am", "to", "18:00"))), "time of day");
        check(with(base, "windows", List.of(Map.of("days", List.of("MONDAY"), "from", "25:00", "to", "18:00"))), "time of day");
        check(with(base, "windows", List.of()), "at least one weekly window");
        check(with(base, "maxMinutes", -5), "maxMinutes");
        check(with(base, "maxMinutes", 999_999), "maxMinutes");
        check(with(base, "effect", "MAYBE"), "ALLOW");
        check(with(base, "group", "nobody"), "exactly one subject");
        check(with(base, "console", "no-such"), "There is no console");
        check(with(with(base, "validFrom", "2026-12-01T00:00:00Z"), "validUntil", "2026-11-01T00:00:00Z"), "validFrom");
        asAdmin().body("{\"console\": ").post("/api/v1/admin/rules").then().statusCode(400).body("error", containsString("JSON"));
        assertEquals(before, Db.count("select count(*) from access_rule"));
    }

    private void check(Map<String, Object> body, String expected) {
        asAdmin().body(body).post("/api/v1/admin/rules").then().statusCode(400).body("error", containsString(expected));
    }

    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> m = new java.util.HashMap<>(base);
        m.put(key, value);
        return m;
    }

    @Test
    void badDirectoryInputIsRefused() {
        asAdmin().body(Map.of("username", "x y", "password", "long-enough-1")).post("/api/v1/admin/users")
                .then().statusCode(400).body("error", containsString("not a valid user name"));
        asAdmin().body(Map.of("username", Fixtures.unique("shorty"), "password", "short")).post("/api/v1/admin/users")
                .then().statusCode(400).body("error", containsString("at least 8"));
        asAdmin().body(Map.of("username", Fixtures.unique("r"), "password", "long-enough-1", "roles", List.of("god")))
                .post("/api/v1/admin/users").then().statusCode(400).body("error", containsString("Unknown role"));
        asAdmin().body(Map.of("name", "h1", "address", "not an address!")).post("/api/v1/admin/hosts")
                .then().statusCode(400).body("error", containsString("neither an IP address nor a DNS name"));
        asAdmin().body(Map.of("name", "h2", "address", "10.0.0.9", "caPem", "hello")).post("/api/v1/admin/hosts")
                .then().statusCode(400).body("error", containsString("not a PEM certificate"));
        asAdmin().body(Map.of("name", "c1", "host", "mysrv")).post("/api/v1/admin/consoles")
                .then().statusCode(400).body("error", containsString("SPICE port"));
        asAdmin().body(Map.of("name", "c2", "host", "mysrv", "tlsPort", 70000)).post("/api/v1/admin/consoles")
                .then().statusCode(400).body("error", containsString("1 to 65535"));
        asAdmin().body(Map.of("name", "debianx", "host", "mysrv", "tlsPort", 1)).post("/api/v1/admin/consoles")
                .then().statusCode(409).body("error", containsString("exists already"));
        assertEquals(0, Db.count("select count(*) from kvm_host where name in ('h1', 'h2')"));
        assertEquals(0, Db.count("select count(*) from console where name in ('c1', 'c2')"));
    }

    @Test
    void deactivatingAUserEndsHisLoginAndConsoleSessionsAtOnce() {
        String user = fixtures.user("leaver");
        String console = fixtures.console("vm");
        fixtures.rule(console).user(user).save();
        Browser browser = Browser.login(user, Fixtures.PASSWORD);
        String session = given().auth().preemptive().basic(user, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("console", console)).post("/api/v1/sessions").then().statusCode(201).extract().path("id");
        Number id = asAdmin().get("/api/v1/admin/users").then().extract().path("find { it.username == '" + user + "' }.id");
        asAdmin().body(Map.of("active", false)).put("/api/v1/admin/users/" + id).then().statusCode(200)
                .body("active", equalTo(false));
        browser.request().get("/api/v1/consoles").then().statusCode(401);
        assertEquals("REVOKED", Db.strings("select state from console_session where id = ?::uuid", session).get(0));
        asAdmin().body(Map.of("active", false)).put("/api/v1/admin/users/"
                + asAdmin().get("/api/v1/admin/users").then().extract().path("find { it.username == '" + admin + "' }.id"))
                .then().statusCode(409).body("error", containsString("cannot deactivate yourself"));
    }

    @Test
    void onlyAdminsReachTheAdminApi() {
        String user = fixtures.user("curious");
        String approver = fixtures.user("approver", true, false);
        for (String path : List.of("users", "groups", "hosts", "consoles", "rules", "workstations", "sessions")) {
            given().get("/api/v1/admin/" + path).then().statusCode(401);
            given().auth().preemptive().basic(user, Fixtures.PASSWORD).get("/api/v1/admin/" + path).then().statusCode(403)
                    .body("error", containsString("Only administrators"));
            given().auth().preemptive().basic(approver, Fixtures.PASSWORD).get("/api/v1/admin/" + path).then().statusCode(403);
            asAdmin().get("/api/v1/admin/" + path).then().statusCode(200);
        }
        given().auth().preemptive().basic(user, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("username", "x1", "password", "long-enough-1", "roles", List.of("admin")))
                .post("/api/v1/admin/users").then().statusCode(403);
        assertEquals(0, Db.count("select count(*) from app_user where username = 'x1'"));
    }

    // --- admin changes announced as events reach sessions, grants, tickets and rules (issue 15 point 3) ---------

    static RequestSpecification as(String user) {
        return given().auth().preemptive().basic(user, Fixtures.PASSWORD).contentType("application/json");
    }

    /** A fresh user with a live session on a fresh console: {user, console, session id}. */
    String[] liveSession(String base) {
        String user = fixtures.user(base);
        String console = fixtures.console("vm");
        fixtures.rule(console).user(user).save();
        String session = as(user).body(Map.of("console", console)).post("/api/v1/sessions").then().statusCode(201)
                .extract().path("id");
        return new String[] {user, console, session};
    }

    static long id(String table, String name) {
        return Db.count("select id from " + table + " where " + (table.equals("app_user") ? "username" : "name") + " = ?", name);
    }

    @Test
    void deletingAUserRevokesHisSessionsAndTheLogAndHisRequestsKeepHisName() {
        String[] live = liveSession("gone");
        String user = live[0];
        String later = fixtures.console("vm");
        fixtures.rule(later).user(user).window(Fixtures.weekdays(), "08:00", "09:00")
                .approver(fixtures.user("evboss", true, false)).save();
        long request = ((Number) as(user).body(Map.of("console", later, "minutes", 30, "reason", "month end"))
                .post("/api/v1/requests").then().statusCode(201).extract().path("id")).longValue();

        asAdmin().delete("/api/v1/admin/users/" + id("app_user", user)).then().statusCode(204);

        UUID sid = UUID.fromString(live[2]);
        assertEquals(List.of("REVOKED|" + admin + "|account deleted|" + user + "|"), Db.strings("select state || '|' || ended_by "
                + "|| '|' || end_reason || '|' || username || '|' || coalesce(user_id::text, '') from console_session where id = ?", sid));
        assertEquals(List.of("SESSION_REVOKED|account deleted"), Db.strings("select action || '|' || detail from audit_event "
                + "where session_id = ? and action = 'SESSION_REVOKED'", sid));
        assertEquals(List.of(user + "|"), Db.strings("select username || '|' || coalesce(user_id::text, '') from access_request "
                + "where id = ?", request));
        assertEquals(0, Db.count("select count(*) from app_user where username = ?", user));
    }

    @Test
    void aConsoleWithLiveSessionsIsNotDeleted() {
        String[] live = liveSession("busy");
        String console = live[1];
        long id = id("console", console);

        asAdmin().delete("/api/v1/admin/consoles/" + id).then().statusCode(409)
                .body("error", equalTo("Console " + console + " has 1 live session(s): end them first."));
        assertEquals(1, Db.count("select count(*) from console where id = ?", id));
        assertEquals(0, Db.count("select count(*) from audit_event where action = 'CONSOLE_DELETED' and console = ?", console));

        as(live[0]).delete("/api/v1/sessions/" + live[2]).then().statusCode(200);
        asAdmin().delete("/api/v1/admin/consoles/" + id).then().statusCode(204);
        assertEquals(0, Db.count("select count(*) from console where id = ?", id));
    }

    @Test
    void aGroupThatRulesNameIsNotDeleted() {
        String group = fixtures.group("team", fixtures.user("member"));
        long rule = fixtures.rule(fixtures.console("vm")).group(group).save();
        long id = id("user_group", group);

        asAdmin().delete("/api/v1/admin/groups/" + id).then().statusCode(409)
                .body("error", equalTo("Group " + group + " is the subject of 1 rule(s): delete or change them first."));
        assertEquals(1, Db.count("select count(*) from user_group where id = ?", id));
        assertEquals(1, Db.count("select count(*) from group_member where group_id = ?", id));

        asAdmin().delete("/api/v1/admin/rules/" + rule).then().statusCode(204);
        asAdmin().delete("/api/v1/admin/groups/" + id).then().statusCode(204);
        assertEquals(0, Db.count("select count(*) from user_group where id = ?", id));
    }

    @Test
    void aGroupThatApprovesForARuleIsNotDeleted() {
        String group = fixtures.group("approvers", fixtures.user("approving", true, false));
        String console = fixtures.console("vm");
        long id = id("user_group", group);
        long rule = asAdmin().body(Map.of("console", console, "user", fixtures.user("asker"), "effect", "ALLOW",
                        "zone", "Europe/Berlin", "windows", List.of(Map.of("days", List.of("MONDAY"), "from", "08:00", "to", "09:00")),
                        "approverGroup", group))
                .post("/api/v1/admin/rules").then().statusCode(201).extract().jsonPath().getLong("id");

        asAdmin().delete("/api/v1/admin/groups/" + id).then().statusCode(409)
                .body("error", equalTo("Group " + group + " approves requests for 1 rule(s): give those rules other approvers first."));
        assertEquals(1, Db.count("select count(*) from user_group where id = ?", id));
        assertEquals(id, Db.count("select approver_group_id from access_rule where id = ?", rule));

        asAdmin().delete("/api/v1/admin/rules/" + rule).then().statusCode(204);
        asAdmin().delete("/api/v1/admin/groups/" + id).then().statusCode(204);
    }

    @Test
    void twentyParallelDeletesRemoveOnceAndNeverAnswer5xx() throws Exception {
        Map<String, String> rows = Map.of(
                "groups/" + id("user_group", fixtures.group("gone", fixtures.user("m"))), "GROUP_DELETED",
                "consoles/" + id("console", fixtures.console("gone")), "CONSOLE_DELETED",
                "users/" + id("app_user", fixtures.user("gone")), "USER_DELETED");
        for (Map.Entry<String, String> row : rows.entrySet()) {
            long before = Db.count("select count(*) from audit_event where action = ?", row.getValue());
            Parallel.Burst burst = Parallel.burst(20, Parallel.retryingBusyLogins(
                    () -> asAdmin().delete("/api/v1/admin/" + row.getKey()).then().extract()));
            assertEquals(1, burst.withStatus(204).size(), row.getKey() + " " + burst.statuses());
            burst.answers().forEach(a -> assertTrue(a.statusCode() == 204 || a.statusCode() == 404 || a.statusCode() == 409,
                    row.getKey() + ": " + a.statusCode() + " " + a.asString()));
            assertEquals(before + 1, Db.count("select count(*) from audit_event where action = ?", row.getValue()), row.getKey());
        }
    }

    @Test
    void consoleAndWorkstationChangesBumpGrantAndTicketVersions() {
        String workstation = fixtures.workstation("evws", "10.95.0.1");
        long ws = id("workstation", workstation);
        String host = Fixtures.enrolledHost(admin, Map.of("name", Fixtures.unique("kvm"), "address", "10.95.1.1"), "kvm-host")
                .enrollment().getString("name");
        long hostId = id("kvm_host", host);
        String console = fixtures.console("vm");

        long[] before = versions(ws, hostId);
        asAdmin().body(Map.of("description", "changed")).put("/api/v1/admin/consoles/" + id("console", console)).then().statusCode(200);
        long[] afterConsole = versions(ws, hostId);
        assertTrue(afterConsole[0] > before[0] && afterConsole[1] > before[1], "a console change bumps both");

        asAdmin().body(Map.of("addresses", List.of("10.95.0.2"))).put("/api/v1/admin/workstations/" + ws).then().statusCode(200);
        long[] afterWorkstation = versions(ws, hostId);
        assertTrue(afterWorkstation[0] > afterConsole[0] && afterWorkstation[1] > afterConsole[1], "a workstation change bumps both");

        asAdmin().delete("/api/v1/admin/workstations/" + ws).then().statusCode(204);
        assertTrue(Db.count("select ticket_version from kvm_host where id = ?", hostId) > afterWorkstation[1],
                "a removed workstation is no longer admitted by guarded hosts");
    }

    /** The workstation's grant version and the host's ticket version. */
    static long[] versions(long workstation, long host) {
        return new long[] {Db.count("select grant_version from workstation where id = ?", workstation),
                Db.count("select ticket_version from kvm_host where id = ?", host)};
    }
}
