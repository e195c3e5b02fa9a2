package io.spicegate.admin;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Host, console, workstation and rule changes say in the audit log what changed, readably and quoted (a description
 * cannot pass for another field), never a password, and write no row when an edit changed nothing.
 */
@QuarkusTest
class AdminChangeAuditTest {

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

    private List<String> rows(String where, Object value) {
        return Db.strings("select action || '|' || coalesce(detail, '') from audit_event where actor = '" + admin + "' and "
                + where + " order by id", value);
    }

    @Test
    void hostAndConsoleChangesSayWhatChanged() {
        String host = Fixtures.unique("kvm");
        String console = Fixtures.unique("vm");
        int hostId = asAdmin().body(Map.of("name", host, "address", "127.0.0.1")).post("/api/v1/admin/hosts")
                .then().statusCode(201).extract().path("id");
        int id = asAdmin().body(Map.of("name", console, "host", host, "tlsPort", 20100, "password", "s3cret-pw",
                "description", "a test VM")).post("/api/v1/admin/consoles").then().statusCode(201).extract().path("id");
        assertEquals(List.of("CONSOLE_CREATED|name: '" + console + "'; host: '" + host + "'; tlsPort: 20100; "
                + "description: 'a test VM'; password: set"), rows("console = ?", console));

        // the same settings again: nothing changed, no row
        asAdmin().body(Map.of("description", "a test VM", "tlsPort", 20100)).put("/api/v1/admin/consoles/" + id)
                .then().statusCode(200);
        asAdmin().body(Map.of("description", "it's x'; name: 'other", "password", "n3w-secret"))
                .put("/api/v1/admin/consoles/" + id).then().statusCode(200);
        List<String> rows = rows("console = ? and action = 'CONSOLE_CHANGED'", console);
        assertEquals("CONSOLE_CHANGED|description: 'a test VM' → 'it\\'s x\\'; name: \\'other'; password: changed",
                rows.get(0));
        assertEquals(1, rows.size(), rows.toString());

        asAdmin().body(Map.of("address", "127.0.0.1")).put("/api/v1/admin/hosts/" + hostId).then().statusCode(200);
        asAdmin().body(Map.of("address", "127.0.0.2")).put("/api/v1/admin/hosts/" + hostId).then().statusCode(200);
        assertEquals(List.of("HOST_CHANGED|host '" + host + "'; address: '127.0.0.1' → '127.0.0.2'"),
                rows("action = 'HOST_CHANGED' and detail like ?", "host '" + host + "'%"));
        assertEquals(0, Db.count("select count(*) from audit_event where detail like '%s3cret-pw%' or detail like '%n3w-secret%'"));
    }

    @Test
    void workstationAndRuleChangesSayWhatChanged() {
        String ws = Fixtures.unique("ws");
        int id = asAdmin().body(Map.of("name", ws, "addresses", List.of("10.77.0.9", "10.77.1.0/24")))
                .post("/api/v1/admin/workstations").then().statusCode(201).extract().path("id");
        asAdmin().body(Map.of("addresses", List.of("10.77.1.0/24", "10.77.0.9"))).put("/api/v1/admin/workstations/" + id)
                .then().statusCode(200); // the same set in another order: nothing changed
        asAdmin().body(Map.of("strict", true)).put("/api/v1/admin/workstations/" + id).then().statusCode(200);
        assertEquals(List.of("WORKSTATION_CREATED|addresses: [10.77.0.9, 10.77.1.0/24]; active: true; strict: false",
                        "WORKSTATION_CHANGED|strict: false → true"),
                rows("workstation = ? and action like 'WORKSTATION_%'", ws));

        String console = fixtures.console(Fixtures.unique("vm"));
        String user = fixtures.user("rita");
        Map<String, Object> rule = Map.of("console", console, "user", user, "effect", "ALLOW", "zone", "Europe/Berlin",
                "windows", List.of(Map.of("days", List.of("MONDAY"), "from", "08:00", "to", "18:00")));
        int ruleId = asAdmin().body(rule).post("/api/v1/admin/rules").then().statusCode(201).extract().path("id");
        asAdmin().body(rule).put("/api/v1/admin/rules/" + ruleId).then().statusCode(200);
        Map<String, Object> later = new java.util.HashMap<>(rule);
        later.put("windows", List.of(Map.of("days", List.of("MONDAY", "FRIDAY"), "from", "09:00", "to", "18:00")));
        later.put("maxMinutes", 30);
        asAdmin().body(later).put("/api/v1/admin/rules/" + ruleId).then().statusCode(200);
        List<String> rows = rows("console = ? and action like 'RULE_%'", console);
        assertEquals(2, rows.size(), rows.toString());
        assertTrue(rows.get(0).endsWith("windows: [{days: [MONDAY], from: '08:00', to: '18:00'}]"), rows.get(0));
        assertTrue(rows.get(0).startsWith("RULE_CREATED|rule " + ruleId + "; console: '" + console + "'; user: '" + user + "'; effect: 'ALLOW'"),
                rows.get(0));
        assertEquals("RULE_CHANGED|rule " + ruleId + "; windows: [{days: [MONDAY], from: '08:00', to: '18:00'}] → "
                + "[{days: [MONDAY, FRIDAY], from: '09:00', to: '18:00'}]; maxMinutes: none → 30", rows.get(1));
    }
}
