package io.spicegate.web.admin;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.Chromium;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.SessionRows;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The administrator's Monday morning in a real Chromium: log in, read the session log filtered to maggie,
 * export it as CSV, end maggie's live session with a reason and find it REVOKED, read its timeline, and look
 * at the week picture of debianx and the workstations' health. Screenshots go to {@code target/screenshots/}.
 */
@QuarkusTest
class AdminJourneyBrowserTest {

    static final Duration WAIT = Duration.ofSeconds(15);

    @Inject
    TestClock clock;

    @Inject
    Fixtures fixtures;

    @TestHTTPResource("/")
    URL portal;

    Chromium chromium;
    WebDriver driver;
    String base;
    String maggieSession;
    final List<UUID> history = new ArrayList<>();
    final List<String> workstations = new ArrayList<>();
    Integer denyRule;

    @BeforeAll
    static void chromiumIsInstalled() {
        Chromium.requireInstalled();
    }

    @BeforeEach
    void setUp() throws Exception {
        clock.berlin("2026-11-23T10:00"); // Monday: maggie's window is Mon+Tue 08:00-18:00 in Berlin
        base = "http://127.0.0.1:" + portal.getPort();
        // a week of history, so the log reads like an office's
        Object[][] past = {
                {"maggie", "leaptest", "2026-11-17T07:12:00Z", "EXPIRED", null},
                {"anne", "leaptest", "2026-11-18T08:05:00Z", "ENDED", null},
                {"charlie", "debianx", "2026-11-18T07:30:00Z", "EXPIRED", null},
                {"maggie", "leaptest", "2026-11-16T12:40:00Z", "ENDED", null},
                {"boss", "debianx", "2026-11-19T17:15:00Z", "ENDED", null},
                {"maggie", "leaptest", "2026-11-20T18:30:00Z", "REVOKED", 7L},
                {"ralph", "vm3", "2026-11-20T09:00:00Z", "EXPIRED", null}};
        for (Object[] p : past) {
            history.add(SessionRows.finished((String) p[0], (String) p[1], "mylap", Instant.parse((String) p[2]),
                    (String) p[3], (Long) p[4]));
        }
        // maggie opens leaptest now, from mylap (127.0.0.1), and fetches her launch file
        maggieSession = given().auth().preemptive().basic("maggie", "demo").contentType("application/json")
                .body(Map.of("console", "leaptest")).post("/api/v1/sessions").then().statusCode(201).extract().path("id");
        given().auth().preemptive().basic("maggie", "demo").get("/api/v1/sessions/" + maggieSession + "/console.vv")
                .then().statusCode(200);
        agents();
        // temps may not use debianx at weekends (a group without members: nobody else is affected)
        String temps = fixtures.group("temps");
        denyRule = given().auth().preemptive().basic("admin", "demo").contentType("application/json")
                .body(Map.of("console", "debianx", "group", temps, "effect", "DENY", "zone", "Europe/Berlin",
                        "windows", List.of(Map.of("days", List.of("SATURDAY", "SUNDAY"), "from", "08:00", "to", "20:00"))))
                .post("/api/v1/admin/rules").then().statusCode(201).extract().path("id");
        chromium = Chromium.start(1440, 1000);
        driver = chromium.driver;
    }

    /** Two workstations with agents: one reporting a drift, one silent for ten minutes. */
    void agents() {
        clock.berlin("2026-11-23T09:50");
        String drifting = enrolled("reception", "10.9.0.21");
        clock.berlin("2026-11-23T10:00");
        String silent = enrolled("lab-pc", "10.9.0.22");
        ack(drifting, "/usr/bin/remote-viewer is root:root 0755, expected root:spicegrp 0750");
        ack(silent, null);
        clock.berlin("2026-11-23T09:40");
        ack(silent, null); // last seen 20 min before now: silent
        clock.berlin("2026-11-23T10:00");
        ack(drifting, "/usr/bin/remote-viewer is root:root 0755, expected root:spicegrp 0750");
    }

    final Map<String, String> secrets = new java.util.HashMap<>();

    String enrolled(String name, String address) {
        String ws = Fixtures.unique(name);
        String token = given().auth().preemptive().basic("admin", "demo").contentType("application/json")
                .body(Map.of("name", ws, "addresses", List.of(address))).post("/api/v1/admin/workstations")
                .then().statusCode(201).extract().path("enrollmentToken");
        String secret = given().contentType("application/json").body(Map.of("token", token, "hostname", ws + ".office.lan"))
                .post("/api/agent/v1/enroll").then().statusCode(200).extract().path("secret");
        secrets.put(ws, secret);
        workstations.add(ws);
        return ws;
    }

    void ack(String ws, String drift) {
        Map<String, Object> facts = new java.util.HashMap<>(Map.of("agentVersion", "0.1.0", "hostname", ws + ".office.lan",
                "strict", false, "remoteViewerPath", "/usr/bin/remote-viewer", "remoteViewerOwner", "root",
                "remoteViewerGroup", drift == null ? "spicegrp" : "root", "remoteViewerMode", drift == null ? "0750" : "0755"));
        if (drift != null) {
            facts.put("drift", drift);
        }
        given().header("Authorization", "Bearer " + secrets.get(ws)).contentType("application/json")
                .body(Map.of("version", 1, "applied", List.of(), "errors", List.of(), "facts", facts))
                .post("/api/agent/v1/ack").then().statusCode(204);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (chromium != null) {
                chromium.close();
            }
        } finally {
            // a failed run must not leave leaptest in use by maggie, nor our rows in the log
            List<String> live = given().auth().preemptive().basic("maggie", "demo").get("/api/v1/sessions")
                    .then().statusCode(200).extract().jsonPath().getList("findAll { it.state == 'ACTIVE' }.id");
            for (String id : live) {
                given().auth().preemptive().basic("maggie", "demo").delete("/api/v1/sessions/" + id);
            }
            if (denyRule != null) {
                given().auth().preemptive().basic("admin", "demo").delete("/api/v1/admin/rules/" + denyRule).then().statusCode(204);
            }
            for (UUID id : history) {
                Db.update("delete from console_session where id = ?", id);
            }
            for (String ws : workstations) {
                Number id = given().auth().preemptive().basic("admin", "demo").get("/api/v1/admin/workstations")
                        .then().extract().path("find { it.name == '" + ws + "' }.id");
                given().auth().preemptive().basic("admin", "demo").delete("/api/v1/admin/workstations/" + id);
            }
        }
    }

    @Test
    void theAdministratorAuditsEndsASessionAndLooksAtTheWeek() throws Exception {
        WebDriverWait wait = new WebDriverWait(driver, WAIT);

        driver.get(base + "/login?next=/admin");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys("admin", Keys.TAB);
        driver.switchTo().activeElement().sendKeys("demo", Keys.ENTER);
        wait.until(ExpectedConditions.urlToBe(base + "/admin"));
        assertEquals("Administration", driver.findElement(By.tagName("h1")).getText());
        assertTrue(Integer.parseInt(driver.findElement(By.id("stat-live")).getText()) >= 1);
        assertTrue(Integer.parseInt(driver.findElement(By.id("stat-drift")).getText()) >= 1);
        assertTrue(Integer.parseInt(driver.findElement(By.id("stat-silent")).getText()) >= 1);
        chromium.fullPageScreenshot("admin-home.png");

        // the session log, filtered to maggie
        driver.findElement(By.linkText("Session log")).click();
        wait.until(ExpectedConditions.urlToBe(base + "/admin/log"));
        WebElement user = driver.findElement(By.id("f-user"));
        user.sendKeys("maggie");
        user.submit();
        wait.until(ExpectedConditions.urlContains("user=maggie"));
        List<WebElement> rows = driver.findElements(By.cssSelector("table.log tbody tr"));
        assertFalse(rows.isEmpty());
        for (WebElement row : rows) {
            assertEquals("maggie", row.getAttribute("data-user"));
        }
        assertFalse(driver.findElements(By.id("log-" + maggieSession)).isEmpty(), "today's session is in the log");
        assertEquals("ACTIVE", driver.findElement(By.id("log-" + maggieSession)).getAttribute("data-state"));
        chromium.fullPageScreenshot("admin-log.png");

        // the CSV export, with the same filter
        driver.findElement(By.id("export-csv")).click();
        Path csv = chromium.awaitDownload("spicegate-sessions.csv", WAIT);
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        assertTrue(lines.get(0).startsWith("id,user,console,workstation,source,starts_at"), lines.get(0));
        assertTrue(lines.size() >= 5, "the header and maggie's four sessions: " + lines);
        for (String line : lines.subList(1, lines.size())) {
            assertEquals("maggie", line.split(",")[1], line);
        }
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(maggieSession + ",maggie,leaptest,mylap,127.0.0.1,")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains(",request #7,")), "authorised by request #7: " + lines);

        // Live sessions: end maggie's with a reason
        driver.findElement(By.linkText("Live sessions")).click();
        wait.until(ExpectedConditions.urlToBe(base + "/admin/sessions"));
        WebElement row = driver.findElement(By.id("live-" + maggieSession));
        assertEquals("none", row.findElement(By.cssSelector("[data-firewall]")).getText());
        chromium.screenshot("live-sessions.png");
        WebElement reason = row.findElement(By.name("reason"));
        assertEquals("Reason for ending maggie's session on leaptest",
                driver.findElement(By.cssSelector("label[for='" + reason.getAttribute("id") + "']")).getAttribute("textContent"));
        reason.sendKeys("maintenance of the web server at 10:00");
        row.findElement(By.cssSelector("button[type=submit]")).click();
        WebElement notice = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("ended")));
        assertTrue(notice.getText().contains("is now REVOKED"), notice.getText());
        assertTrue(driver.findElements(By.id("live-" + maggieSession)).isEmpty(), "no longer live");
        assertEquals("REVOKED", given().auth().preemptive().basic("maggie", "demo").get("/api/v1/sessions/" + maggieSession)
                .then().statusCode(200).extract().path("state"));
        chromium.fullPageScreenshot("live-sessions-ended.png");

        // its timeline: opened, launch file, revoked by admin with the reason
        notice.findElement(By.linkText("Timeline")).click();
        wait.until(ExpectedConditions.urlToBe(base + "/admin/log/" + maggieSession));
        List<String> actions = driver.findElements(By.cssSelector("ol.timeline li")).stream()
                .map(li -> li.getAttribute("data-action")).toList();
        assertEquals(List.of("SESSION_OPENED", "VV_DOWNLOADED", "SESSION_REVOKED"), actions);
        assertTrue(driver.findElement(By.cssSelector("ol.timeline")).getText().contains("Revoked by admin"));
        assertTrue(driver.findElement(By.cssSelector("ol.timeline")).getText().contains("maintenance of the web server"));
        assertEquals("revoked", driver.findElement(By.id("session-state")).getText());
        chromium.fullPageScreenshot("timeline.png");

        // debianx's week
        driver.findElement(By.linkText("Hosts & consoles")).click();
        driver.findElement(By.linkText("debianx")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("svg.week-svg")));
        assertEquals(5, driver.findElements(By.cssSelector("rect.band[data-subject='charlie']")).size());
        assertEquals(7, driver.findElements(By.cssSelector("rect.band[data-subject='boss']")).size());
        assertEquals("10:00", driver.findElement(By.cssSelector("g.now")).getAttribute("data-now"));
        List<WebElement> deny = driver.findElements(By.cssSelector("rect.band[data-effect='DENY']"));
        assertEquals(List.of("SATURDAY", "SUNDAY"), deny.stream().map(b -> b.getAttribute("data-day")).toList());
        assertEquals("url(#deny-hatch)", deny.get(0).getAttribute("fill"));
        chromium.fullPageScreenshot("week-view.png");

        // workstations: the drift and the silent agent stand out
        driver.findElement(By.linkText("Workstations")).click();
        wait.until(ExpectedConditions.urlToBe(base + "/admin/workstations"));
        WebElement drifting = driver.findElement(By.id("ws-" + workstations.get(0)));
        assertTrue(drifting.getAttribute("class").contains("attention"));
        assertTrue(drifting.getText().contains("drift"), drifting.getText());
        WebElement silent = driver.findElement(By.id("ws-" + workstations.get(1)));
        assertTrue(silent.getText().contains("silent"), silent.getText());
        assertTrue(silent.getText().contains("20 min ago"), silent.getText());
        chromium.fullPageScreenshot("workstations.png");

        // the other pages, for the record
        driver.findElement(By.linkText("Rules")).click();
        wait.until(ExpectedConditions.urlToBe(base + "/admin/rules"));
        chromium.fullPageScreenshot("rules.png");
        driver.findElement(By.cssSelector("#rules-debianx a[href^='/admin/rules/']:not([href*='new'])")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("form.rule-form")));
        chromium.fullPageScreenshot("rule-form.png");
        driver.findElement(By.linkText("Users")).click();
        wait.until(ExpectedConditions.urlToBe(base + "/admin/users"));
        chromium.fullPageScreenshot("users.png");
        driver.findElement(By.linkText("Audit")).click();
        wait.until(ExpectedConditions.urlToBe(base + "/admin/audit"));
        chromium.screenshot("audit.png");
        driver.findElement(By.id("verify")).click();
        WebElement verdict = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("verdict")));
        assertEquals("true", verdict.getAttribute("data-ok"));
        chromium.fullPageScreenshot("audit-verify.png");
    }
}
