package io.spicegate.web.admin;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin forms: a bad value is answered with the service's sentence next to the form, the values as typed,
 * and no change; good values are saved. Secrets are write-only; the enrollment token is shown exactly once.
 */
@QuarkusTest
class AdminFormsTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    Browser admin;
    String csrf;
    String adminName;

    @BeforeEach
    void setUp() {
        clock.berlin("2026-11-23T10:00");
        adminName = fixtures.user("operator", false, true);
        admin = Browser.login(adminName, Fixtures.PASSWORD);
        csrf = admin.csrf("/admin");
    }

    RequestSpecification form() {
        return admin.request().contentType("application/x-www-form-urlencoded").formParam("csrf", csrf);
    }

    static String error(String html) {
        Matcher m = Pattern.compile("<p class=\"error\" role=\"alert\"[^>]*>([^<]*)</p>").matcher(html);
        assertTrue(m.find(), "no error next to the form in " + html);
        return m.group(1).replace("&#39;", "'").replace("&quot;", "\"");
    }

    @Test
    void aUserIsCreatedEditedResetAndDeactivated() {
        String name = Fixtures.unique("nina");
        // bad username: the sentence, the typed values, nothing created
        String html = form().formParam("username", "Nina Simone").formParam("password", "long-enough-1")
                .formParam("displayName", "Nina S.").formParam("email", "nina@example.org").formParam("roles", "approver")
                .post("/admin/users").then().statusCode(400).extract().asString();
        assertTrue(error(html).contains("is not a valid user name"), html);
        assertTrue(html.contains("value=\"Nina S.\""), "the display name is kept");
        assertTrue(html.contains("value=\"nina@example.org\""), "the e-mail is kept");
        assertTrue(html.contains("name=\"roles\" value=\"approver\" checked"), "the role is kept");
        assertFalse(html.contains("long-enough-1"), "a password is never rendered back");
        assertEquals(0, Db.count("select count(*) from app_user where display_name = 'Nina S.'"));

        form().formParam("username", name).formParam("password", "short").post("/admin/users").then().statusCode(400);
        assertEquals(0, Db.count("select count(*) from app_user where username = ?", name));

        String location = form().formParam("username", name).formParam("password", "long-enough-1")
                .formParam("displayName", "Nina S.").formParam("email", "nina@example.org").formParam("unixUsername", "")
                .formParam("roles", "approver").post("/admin/users").then().statusCode(303).extract().header("Location");
        assertTrue(location.endsWith("/admin/users?created=" + name), location);
        assertTrue(admin.request().get(location).asString().contains("Created user " + name + "."));
        assertEquals(List.of(name + "|" + name + "|true|false|true"), Db.strings("select unix_username || '|' || username || '|' "
                + "|| is_approver || '|' || is_admin || '|' || active from app_user where username = ?", name));
        long id = Db.count("select id from app_user where username = ?", name);

        // bad e-mail on edit: nothing changes
        html = form().formParam("displayName", "Nina").formParam("email", "not-an-address").formParam("unixUsername", name)
                .post("/admin/users/" + id).then().statusCode(400).extract().asString();
        assertTrue(error(html).contains("is not an e-mail address"), html);
        assertTrue(html.contains("value=\"not-an-address\""));
        assertEquals("nina@example.org", Db.strings("select email from app_user where id = ?", id).get(0));
        assertEquals("true", Db.strings("select is_approver::text from app_user where id = ?", id).get(0));

        // a good edit: approver role taken away, admin given
        form().formParam("displayName", "Nina Simone").formParam("email", "nina@example.org").formParam("unixUsername", "nsimone")
                .formParam("roles", "admin").post("/admin/users/" + id).then().statusCode(303);
        assertEquals(List.of("Nina Simone|nsimone|false|true"), Db.strings("select display_name || '|' || unix_username || '|' "
                + "|| is_approver || '|' || is_admin from app_user where id = ?", id));

        // password reset: typed twice
        html = form().formParam("password", "new-password-1").formParam("repeat", "new-password-2")
                .post("/admin/users/" + id + "/password").then().statusCode(400).extract().asString();
        assertTrue(html.contains("The two passwords differ"), html);
        form().formParam("password", "new-password-1").formParam("repeat", "new-password-1")
                .post("/admin/users/" + id + "/password").then().statusCode(303);
        Browser.login(name, "new-password-1");
        // the audit says what changed, readably, with where from; a password reset is its own row and changes no view
        assertEquals(List.of("USER_CHANGED|displayName: 'Nina S.' → 'Nina Simone'; unixUsername: '" + name
                        + "' → 'nsimone'; roles: [approver, user] → [admin, user]|127.0.0.1",
                        "PASSWORD_RESET||127.0.0.1"),
                Db.strings("select action || '|' || coalesce(detail, '') || '|' || coalesce(source, '') from audit_event"
                        + " where username = ? and action in ('USER_CHANGED', 'PASSWORD_RESET') order by id", name));

        // deactivation ends the login
        Browser nina = Browser.login(name, "new-password-1");
        form().post("/admin/users/" + id + "/deactivate").then().statusCode(303);
        assertEquals("false", Db.strings("select active::text from app_user where id = ?", id).get(0));
        nina.request().get("/consoles").then().statusCode(303);
        assertTrue(admin.request().get("/admin/users/" + id + "?done=deactivated").asString().contains("is deactivated"));
        form().post("/admin/users/" + id + "/activate").then().statusCode(303);
        assertEquals("true", Db.strings("select active::text from app_user where id = ?", id).get(0));

        // an admin cannot deactivate himself: the sentence on the page
        long me = Db.count("select id from app_user where username = ?", adminName);
        html = form().post("/admin/users/" + me + "/deactivate").then().statusCode(409).extract().asString();
        assertTrue(error(html).contains("cannot deactivate yourself"), html);
    }

    @Test
    void groupsKeepTheirMembers() {
        String a = fixtures.user("gm");
        String b = fixtures.user("gm");
        String name = Fixtures.unique("office");
        String html = form().formParam("name", "Bad Name").formParam("members", a).post("/admin/groups")
                .then().statusCode(400).extract().asString();
        assertTrue(error(html).contains("not a valid group name"));
        assertTrue(html.contains("value=\"" + a + "\" checked"), "the ticked member stays ticked");
        form().formParam("name", name).formParam("members", a).formParam("members", b).post("/admin/groups").then().statusCode(303);
        long id = Db.count("select id from user_group where name = ?", name);
        assertEquals(List.of(a, b), Db.strings("select u.username from group_member m join app_user u on u.id = m.user_id "
                + "where m.group_id = ? order by u.username", id));
        form().formParam("name", name).formParam("members", b).post("/admin/groups/" + id).then().statusCode(303);
        assertEquals(List.of(b), Db.strings("select u.username from group_member m join app_user u on u.id = m.user_id "
                + "where m.group_id = ?", id));
        form().post("/admin/groups/" + id + "/delete").then().statusCode(303);
        assertEquals(0, Db.count("select count(*) from user_group where id = ?", id));
    }

    @Test
    void hostsAndConsolesWithAWriteOnlyPassword() {
        String host = Fixtures.unique("kvm");
        String html = form().formParam("name", host).formParam("address", "not an address!").post("/admin/hosts")
                .then().statusCode(400).extract().asString();
        assertTrue(error(html).contains("neither an IP address nor a DNS name"), html);
        assertTrue(html.contains("value=\"not an address!\""));
        assertEquals(0, Db.count("select count(*) from kvm_host where name = ?", host));
        String added = form().formParam("name", host).formParam("address", "10.0.0.2").formParam("caPem", "").post("/admin/hosts")
                .then().statusCode(200).extract().asString();
        // the host agent's enrollment token is shown this once, with the agent's configuration
        assertTrue(added.contains("This token is shown only now") && added.contains("enrollment.token=sgh_")
                && added.contains("mode=host"), added);

        String console = Fixtures.unique("vm");
        html = form().formParam("name", console).formParam("host", host).formParam("tlsPort", "59x0")
                .formParam("password", "pw-never-shown").post("/admin/consoles").then().statusCode(400).extract().asString();
        assertTrue(error(html).contains("is a whole number"), html);
        assertFalse(html.contains("pw-never-shown"), "the password is never rendered back");
        assertEquals(0, Db.count("select count(*) from console where name = ?", console));

        String location = form().formParam("name", console).formParam("host", host).formParam("tlsPort", "5930")
                .formParam("port", "5900").formParam("hostSubject", "CN=" + host).formParam("password", "pw-never-shown")
                .formParam("description", "a VM").post("/admin/consoles").then().statusCode(303).extract().header("Location");
        long id = Db.count("select id from console where name = ?", console);
        assertTrue(location.contains("/admin/consoles/" + id), location);
        String edit = admin.request().get("/admin/consoles/" + id + "/edit").then().statusCode(200).extract().asString();
        assertFalse(edit.contains("pw-never-shown"), "the edit form never shows the password");
        assertTrue(edit.contains("A password is stored. Leave empty to keep it."));

        // empty password keeps it; an empty plain port removes the port
        form().formParam("name", console).formParam("host", host).formParam("tlsPort", "5930").formParam("port", "")
                .formParam("hostSubject", "CN=" + host).formParam("password", "").formParam("description", "a VM")
                .post("/admin/consoles/" + id).then().statusCode(303);
        assertEquals(List.of("pw-never-shown|5930|"), Db.strings("select password || '|' || tls_port || '|' || coalesce(port::text, '') "
                + "from console where id = ?", id));
        // no port at all: refused, nothing changed
        html = form().formParam("name", console).formParam("host", host).formParam("tlsPort", "").formParam("port", "")
                .post("/admin/consoles/" + id).then().statusCode(400).extract().asString();
        assertTrue(error(html).contains("SPICE port"), html);
        assertEquals("5930", Db.strings("select tls_port::text from console where id = ?", id).get(0));
        // a new password replaces it, "remove" clears it
        form().formParam("name", console).formParam("host", host).formParam("tlsPort", "5930").formParam("password", "second-pw")
                .post("/admin/consoles/" + id).then().statusCode(303);
        assertEquals("second-pw", Db.strings("select password from console where id = ?", id).get(0));
        form().formParam("name", console).formParam("host", host).formParam("tlsPort", "5930").formParam("clearPassword", "1")
                .post("/admin/consoles/" + id).then().statusCode(303);
        assertEquals(0, Db.count("select count(*) from console where id = ? and password is not null", id));
        assertEquals(0, Db.count("select count(*) from audit_event where detail like '%pw-never-shown%' or detail like '%second-pw%'"));

        // a host with consoles cannot be deleted: the sentence, nothing deleted
        long hostId = Db.count("select id from kvm_host where name = ?", host);
        html = form().post("/admin/hosts/" + hostId + "/delete").then().statusCode(409).extract().asString();
        assertTrue(error(html).contains("delete them first"), html);
        form().post("/admin/consoles/" + id + "/delete").then().statusCode(303);
        form().post("/admin/hosts/" + hostId + "/delete").then().statusCode(303);
        assertEquals(0, Db.count("select count(*) from kvm_host where id = ?", hostId));
    }

    @Test
    void theEnrollmentTokenIsShownOnceWithTheAgentConfig() {
        String name = Fixtures.unique("desk");
        String html = form().formParam("name", name).formParam("addresses", "10.7.0.1\n999.1.1.1").post("/admin/workstations")
                .then().statusCode(400).extract().asString();
        assertTrue(error(html).contains("999.1.1.1"), html);
        assertTrue(html.contains("10.7.0.1\n999.1.1.1</textarea>"), "the addresses are kept");
        assertEquals(0, Db.count("select count(*) from workstation where name = ?", name));

        Response created = form().formParam("name", name).formParam("addresses", "10.7.0.1\n10.7.1.0/24").formParam("strict", "1")
                .post("/admin/workstations");
        assertEquals(201, created.statusCode(), created.asString());
        html = created.asString();
        Matcher token = Pattern.compile("enrollment.token=(sgw_[A-Za-z0-9_-]+)").matcher(html);
        assertTrue(token.find(), html);
        assertTrue(html.contains("portal.url=http://localhost:"), "the snippet names this portal");
        assertTrue(html.contains("value=\"" + token.group(1) + "\" data-token"), "the token on its own, to copy");
        assertTrue(html.contains("shown only now"));
        long id = Db.count("select id from workstation where name = ?", name);
        assertEquals(List.of("10.7.0.1", "10.7.1.0/24"), Db.strings("select cidr from workstation_address where workstation_id = ? "
                + "order by cidr", id));

        // never again: not on the list, not on its page; the database keeps only a hash
        assertFalse(admin.request().get("/admin/workstations").asString().contains(token.group(1)));
        assertFalse(admin.request().get("/admin/workstations/" + id).asString().contains(token.group(1)));
        assertEquals(0, Db.count("select count(*) from workstation where enrollment_token_hash = ?", token.group(1)));
        assertEquals(0, Db.count("select count(*) from audit_event where detail like ?", "%" + token.group(1) + "%"));

        // it works, once
        given().contentType("application/json").body(Map.of("token", token.group(1), "hostname", "desk.lan"))
                .post("/api/agent/v1/enroll").then().statusCode(200);
        String page = admin.request().get("/admin/workstations/" + id).asString();
        assertTrue(page.contains("desk.lan"), "the agent's hostname shows");
        assertTrue(page.contains("Re-enroll (new token)"));

        // re-enroll: a new token on the answer, the old agent locked out
        html = form().post("/admin/workstations/" + id + "/enroll").then().statusCode(200).extract().asString();
        Matcher again = Pattern.compile("enrollment.token=(sgw_[A-Za-z0-9_-]+)").matcher(html);
        assertTrue(again.find());
        assertFalse(again.group(1).equals(token.group(1)));
        assertEquals(0, Db.count("select count(*) from workstation where id = ? and secret_hash is not null", id));

        // disable, enable, delete
        form().post("/admin/workstations/" + id + "/disable").then().statusCode(303);
        assertEquals("false", Db.strings("select active::text from workstation where id = ?", id).get(0));
        form().post("/admin/workstations/" + id + "/enable").then().statusCode(303);
        assertEquals("true", Db.strings("select active::text from workstation where id = ?", id).get(0));
        form().post("/admin/workstations/" + id + "/delete").then().statusCode(303);
        assertEquals(0, Db.count("select count(*) from workstation where id = ?", id));
    }

    @Test
    void aRuleFormKeepsItsValuesAndSaysWhatIsWrong() {
        String console = fixtures.console("vm");
        String user = fixtures.user("rita");
        String boss = fixtures.user("boss", true, false);
        long before = Db.count("select count(*) from access_rule");
        String html = form().formParam("console", console).formParam("subject", "user").formParam("user", user)
                .formParam("effect", "ALLOW").formParam("zone", "Mars/Olympus")
                .formParam("w0.days", "MONDAY").formParam("w0.days", "WEDNESDAY").formParam("w0.from", "08:00").formParam("w0.to", "18:00")
                .formParam("w1.from", "").formParam("w1.to", "").formParam("approvers", boss).formParam("maxMinutes", "90")
                .post("/admin/rules").then().statusCode(400).extract().asString();
        assertTrue(error(html).contains("'Mars/Olympus' is not a time zone"), html);
        assertTrue(html.contains("name=\"w0.days\" value=\"MONDAY\" checked"), "Monday stays ticked");
        assertTrue(html.contains("name=\"w0.days\" value=\"WEDNESDAY\" checked"), "Wednesday stays ticked");
        assertTrue(html.contains("name=\"w0.days\" value=\"TUESDAY\">"), "Tuesday stays unticked");
        assertTrue(html.contains("value=\"Mars/Olympus\""));
        assertTrue(html.contains("value=\"" + boss + "\" checked"));
        assertTrue(html.contains("value=\"90\""));

        html = form().formParam("console", console).formParam("subject", "user").formParam("user", user).formParam("effect", "ALLOW")
                .formParam("zone", "Europe/Berlin").formParam("w0.from", "08:00").formParam("w0.to", "18:00")
                .post("/admin/rules").then().statusCode(400).extract().asString();
        assertTrue(error(html).contains("has times but no days"), html);
        html = form().formParam("console", console).formParam("subject", "user").formParam("user", user).formParam("effect", "DENY")
                .formParam("zone", "Europe/Berlin").formParam("w0.days", "MONDAY").formParam("w0.from", "08:00").formParam("w0.to", "18:00")
                .formParam("approvers", boss).post("/admin/rules").then().statusCode(400).extract().asString();
        assertTrue(error(html).contains("A DENY rule has no approvers"), html);
        html = form().formParam("console", console).formParam("subject", "user").formParam("user", user).formParam("effect", "ALLOW")
                .formParam("zone", "Europe/Berlin").formParam("w0.days", "MONDAY").formParam("w0.from", "08:00").formParam("w0.to", "18:00")
                .formParam("validFrom", "2026-12-01T00:00").formParam("validUntil", "2026-11-01T00:00")
                .post("/admin/rules").then().statusCode(400).extract().asString();
        assertTrue(error(html).contains("validFrom"), html);
        html = form().formParam("console", console).formParam("subject", "group").formParam("user", user).formParam("group", "")
                .formParam("effect", "ALLOW").formParam("zone", "Europe/Berlin").formParam("w0.days", "MONDAY")
                .formParam("w0.from", "08:00").formParam("w0.to", "18:00").post("/admin/rules").then().statusCode(400).extract().asString();
        assertTrue(error(html).contains("exactly one subject"), html);
        assertEquals(before, Db.count("select count(*) from access_rule"));

        // a good one leads to the console's week picture
        String location = form().formParam("console", console).formParam("subject", "user").formParam("user", user)
                .formParam("effect", "ALLOW").formParam("zone", "Europe/Berlin")
                .formParam("w0.days", "MONDAY").formParam("w0.days", "TUESDAY").formParam("w0.from", "08:00").formParam("w0.to", "18:00")
                .formParam("w1.days", "SATURDAY").formParam("w1.from", "22:00").formParam("w1.to", "02:00")
                .formParam("approvers", boss).formParam("maxMinutes", "90").formParam("validUntil", "2027-01-01T00:00")
                .post("/admin/rules").then().statusCode(303).extract().header("Location");
        long consoleId = Db.count("select id from console where name = ?", console);
        assertTrue(location.contains("/admin/consoles/" + consoleId + "?saved=rule"), location);
        long ruleId = Db.count("select max(id) from access_rule where console_id = ?", consoleId);
        assertEquals(List.of("1,2|08:00:00|18:00:00", "6|22:00:00|02:00:00"), Db.strings("select days || '|' || from_time || '|' "
                + "|| to_time from rule_window where rule_id = ? order by position", ruleId));
        assertEquals("2026-12-31 23:00:00+00", Db.strings("select (valid_until at time zone 'UTC')::text || '+00' from access_rule "
                + "where id = ?", ruleId).get(0));

        // the edit form shows it as saved, with one empty row for another window
        String edit = admin.request().get("/admin/rules/" + ruleId).then().statusCode(200).extract().asString();
        assertTrue(edit.contains("name=\"w1.days\" value=\"SATURDAY\" checked"));
        assertTrue(edit.contains("name=\"w1.from\" type=\"text\" value=\"22:00\""), "24-hour text, whatever the browser's locale");
        assertTrue(edit.contains("name=\"w2.days\" value=\"MONDAY\">"), "a third, empty row");
        assertTrue(edit.contains("name=\"validUntil.date\" type=\"date\" value=\"2027-01-01\"")
                && edit.contains("name=\"validUntil.time\" type=\"text\" value=\"00:00\""), "validity shown in the rule's zone");

        form().post("/admin/rules/" + ruleId + "/delete").then().statusCode(303);
        assertEquals(0, Db.count("select count(*) from access_rule where id = ?", ruleId));
    }

    @Test
    void endingASessionNeedsAReason() {
        String user = fixtures.user("sam");
        String console = fixtures.console("vm");
        fixtures.rule(console).user(user).save();
        String id = given().auth().preemptive().basic(user, Fixtures.PASSWORD).contentType("application/json")
                .body(Map.of("console", console)).post("/api/v1/sessions").then().statusCode(201).extract().path("id");
        assertTrue(admin.request().get("/admin/sessions").asString().contains("id=\"live-" + id + "\""));

        String html = form().formParam("reason", "  ").post("/admin/sessions/" + id + "/revoke").then().statusCode(400)
                .extract().asString();
        assertTrue(error(html).contains("Say why you end this session"), html);
        assertEquals("ACTIVE", Db.strings("select state from console_session where id = ?::uuid", id).get(0));

        String location = form().formParam("reason", "left the office").post("/admin/sessions/" + id + "/revoke")
                .then().statusCode(303).extract().header("Location");
        assertEquals(List.of("REVOKED|" + adminName + "|left the office"), Db.strings("select state || '|' || ended_by || '|' "
                + "|| end_reason from console_session where id = ?::uuid", id));
        assertTrue(admin.request().get(location).asString().contains("is now <b data-state=\"REVOKED\">REVOKED</b>"));
        assertEquals(List.of("left the office"), Db.strings("select detail from audit_event where session_id = ?::uuid "
                + "and action = 'SESSION_REVOKED'", id));

        // twice: the sentence, no second revocation
        html = form().formParam("reason", "again").post("/admin/sessions/" + id + "/revoke").then().statusCode(409)
                .extract().asString();
        assertTrue(error(html).contains("already ended"), html);
        assertEquals(1, Db.count("select count(*) from audit_event where session_id = ?::uuid and action = 'SESSION_REVOKED'", id));
    }
}
