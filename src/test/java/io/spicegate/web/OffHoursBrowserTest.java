package io.spicegate.web;

import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.Db;
import io.spicegate.testing.BrowserTest;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Off-hours access in a real Chromium on Monday 23 Nov 2026, 19:00 in Berlin: anne asks for leaptest for an
 * hour, the boss approves it from his inbox (seeing anne's normal Wed/Thu windows), anne's dashboard shows
 * leaptest available and Open console delivers the launch file; and a denied request shows the boss's note
 * to anne. Screenshots in {@code target/screenshots/}.
 */
@QuarkusTest
class OffHoursBrowserTest extends BrowserTest {

    static final Duration DOWNLOAD_TIMEOUT = Duration.ofSeconds(15);
    static final Pattern ASKED = Pattern.compile("/requests\\?asked=(\\d+)$");

    @Inject
    TestClock clock;

    @BeforeEach
    void mondayEvening() throws IOException {
        clock.berlin("2026-11-23T19:00"); // Monday evening: anne's window is Wed+Thu 08:00-18:00
        startChromium(1280, 1000, "--lang=en-US");
    }

    @AfterEach
    void quitChromiumAndFreeLeaptest() throws IOException {
        try {
            if (chromium != null) {
                chromium.close(); // also deletes the downloads: the launch file holds the console password
            }
        } finally {
            chromium = null;
            driver = null;
            // whatever happened, anne holds no session (leaptest stays free for the other tests) and no pending request
            List<String> live = given().auth().preemptive().basic("anne", "demo").get("/api/v1/sessions")
                    .then().statusCode(200).extract().jsonPath().getList("findAll { it.state == 'ACTIVE' }.id");
            for (String id : live) {
                given().auth().preemptive().basic("anne", "demo").delete("/api/v1/sessions/" + id);
            }
            List<Integer> pending = given().auth().preemptive().basic("anne", "demo").get("/api/v1/requests")
                    .then().statusCode(200).extract().jsonPath().getList("findAll { it.state == 'PENDING' }.id");
            for (Integer id : pending) {
                given().auth().preemptive().basic("anne", "demo").post("/api/v1/requests/" + id + "/cancel");
            }
        }
    }

    @Test
    void anneAsksTheBossApprovesAndSheOpensLeaptest() throws Exception {
        logIn("anne");
        WebElement leaptest = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("console-leaptest")));
        assertEquals("NEEDS_APPROVAL", leaptest.getAttribute("data-decision"));
        assertEquals("off-hours — next window Wed 25 Nov 08:00 (Europe/Berlin)", leaptest.findElement(By.cssSelector("p.status")).getText());
        screenshot("anne-offhours.png");
        leaptest.findElement(By.linkText("Ask for access")).click();

        // the form: Now is chosen; the minutes and the reason are typed with the keyboard
        wait.until(ExpectedConditions.urlToBe(base + "/requests/new?console=leaptest"));
        assertEquals("Ask for leaptest", driver.findElement(By.tagName("h1")).getText());
        assertTrue(driver.findElement(By.id("when-now")).isSelected());
        assertTrue(driver.findElement(By.id("start-zone")).getText().contains("Europe/Berlin"));
        WebElement minutes = driver.findElement(By.id("minutes"));
        minutes.sendKeys(Keys.chord(Keys.CONTROL, "a"), "60", Keys.TAB);
        assertEquals("reason", driver.switchTo().activeElement().getAttribute("id"), "Tab leads from Minutes to Reason");
        driver.switchTo().activeElement().sendKeys("Customer demo tomorrow morning: I need to prepare leaptest tonight.");
        screenshot("request-form.png");
        driver.findElement(By.xpath("//button[normalize-space()='Send request']")).click();

        wait.until(ExpectedConditions.urlMatches(ASKED.pattern()));
        Matcher m = ASKED.matcher(driver.getCurrentUrl());
        assertTrue(m.find(), driver.getCurrentUrl());
        long id = Long.parseLong(m.group(1));
        WebElement row = driver.findElement(By.id("request-" + id));
        assertEquals("PENDING", row.getAttribute("data-state"));
        assertTrue(row.getText().contains("Mon 23 Nov 19:00–20:00 (Europe/Berlin)"), row.getText());

        // the boss: his inbox, with anne's normal windows, and Approve with a note
        logOut();
        logIn("boss");
        int waiting = given().auth().preemptive().basic("boss", "demo").get("/api/v1/approvals")
                .then().statusCode(200).extract().jsonPath().getList("$").size();
        assertEquals("Approvals (" + waiting + ")", driver.findElement(By.id("nav-approvals")).getText());
        driver.findElement(By.id("nav-approvals")).click();
        WebElement item = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("inbox-" + id)));
        assertEquals("anne", item.getAttribute("data-requester"));
        assertEquals("Mon 23 Nov 19:00–20:00 (Europe/Berlin), 60 minutes", item.findElement(By.cssSelector("[data-wanted]")).getText());
        assertEquals("Wed, Thu 08:00–18:00 (Europe/Berlin)", item.findElement(By.cssSelector("[data-windows]")).getText());
        assertTrue(item.findElement(By.cssSelector("[data-reason]")).getText().startsWith("Customer demo tomorrow"));
        screenshot("inbox.png");
        item.findElement(By.id("note-" + id)).sendKeys("Good luck with the demo.");
        item.findElement(By.xpath(".//button[normalize-space()='Approve']")).click();
        wait.until(ExpectedConditions.urlToBe(base + "/approvals?approved=" + id));
        assertTrue(driver.findElements(By.id("inbox-" + id)).isEmpty(), "decided: out of the inbox");

        // anne: told in the nav, leaptest available until 20:00, Open console delivers the launch file
        logOut();
        logIn("anne");
        assertEquals("My requests (1)", driver.findElement(By.id("nav-requests")).getText());
        leaptest = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("console-leaptest")));
        assertEquals("ALLOWED", leaptest.getAttribute("data-decision"));
        assertEquals("available now until 20:00", leaptest.findElement(By.cssSelector("p.status")).getText());
        screenshot("anne-dashboard.png");
        leaptest.findElement(By.cssSelector("form button[type=submit]")).click();
        wait.until(ExpectedConditions.urlMatches(OpenConsoleBrowserTest.SESSION_URL.pattern()));
        Matcher s = OpenConsoleBrowserTest.SESSION_URL.matcher(driver.getCurrentUrl());
        assertTrue(s.find());
        String session = s.group(1);
        Path vv = awaitDownload("leaptest.vv");
        OpenConsoleBrowserTest.assertLaunchFile(Files.readString(vv, StandardCharsets.UTF_8));
        assertEquals(List.of(Long.toString(id)), Db.strings(
                "select approved_request_id::text from console_session where id = ?::uuid", session));
        assertEquals("2026-11-23T19:00:00Z", given().auth().preemptive().basic("anne", "demo")
                .get("/api/v1/sessions/" + session).then().statusCode(200).extract().path("endsAt"));

        // and she ends it: leaptest is free again
        driver.findElement(By.xpath("//form[contains(@action,'/end')]//button[normalize-space()='End session']")).click();
        wait.until(ExpectedConditions.urlToBe(base + "/sessions"));
        driver.findElement(By.id("nav-requests")).click();
        WebElement approved = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("request-" + id)));
        assertTrue(approved.getText().contains("Approved by boss: you may open it Mon 23 Nov 19:00–20:00 (Europe/Berlin)."),
                approved.getText());
        assertTrue(approved.getText().contains("Good luck with the demo."), approved.getText());
    }

    @Test
    void aDeniedRequestShowsTheNoteToTheRequester() throws Exception {
        logIn("anne");
        driver.get(base + "/requests/new?console=leaptest");
        // later: Tuesday 19:00 in Berlin, chosen in the day field and typed 24-hour in the time field
        driver.findElement(By.id("when-later")).click();
        WebElement day = driver.findElement(By.id("start-date"));
        ((JavascriptExecutor) driver).executeScript("arguments[0].value = arguments[1];", day, "2026-11-24");
        driver.findElement(By.id("start-time")).sendKeys("19:00");
        WebElement minutes = driver.findElement(By.id("minutes"));
        minutes.sendKeys(Keys.chord(Keys.CONTROL, "a"), "30");
        driver.findElement(By.id("reason")).sendKeys("Tuesday evening <hotfix> for the web shop.");
        driver.findElement(By.xpath("//button[normalize-space()='Send request']")).click();
        wait.until(ExpectedConditions.urlMatches(ASKED.pattern()));
        Matcher m = ASKED.matcher(driver.getCurrentUrl());
        assertTrue(m.find());
        long id = Long.parseLong(m.group(1));
        assertTrue(driver.findElement(By.id("request-" + id)).getText().contains("Tue 24 Nov 19:00–19:30 (Europe/Berlin)"));

        logOut();
        logIn("boss");
        driver.findElement(By.id("nav-approvals")).click();
        WebElement item = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("inbox-" + id)));
        assertEquals("Tuesday evening <hotfix> for the web shop.", item.findElement(By.cssSelector("[data-reason]")).getText());
        // Deny without a note is refused with a sentence; with one it goes through
        item.findElement(By.xpath(".//button[normalize-space()='Deny']")).click();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("decision-error")));
        assertTrue(error.getText().startsWith("Say why you deny it"), error.getText());
        item = driver.findElement(By.id("inbox-" + id));
        item.findElement(By.id("note-" + id)).sendKeys("Not on Tuesday: the server is being patched. Ask for Wednesday.");
        item.findElement(By.xpath(".//button[normalize-space()='Deny']")).click();
        wait.until(ExpectedConditions.urlToBe(base + "/approvals?denied=" + id));

        logOut();
        logIn("anne");
        WebElement nav = driver.findElement(By.id("nav-requests"));
        assertEquals("My requests (1)", nav.getText());
        nav.click();
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("request-" + id)));
        assertEquals("DENIED", row.getAttribute("data-state"));
        assertTrue(row.getText().contains("Denied by boss."), row.getText());
        assertTrue(row.getText().contains("Not on Tuesday: the server is being patched. Ask for Wednesday."), row.getText());
        assertEquals("My requests", driver.findElement(By.id("nav-requests")).getText(), "seen: the count is gone");
        screenshot("denied.png");
    }

    /** The demo office's people, whose password is {@code demo}. */
    @Override
    protected void logIn(String user) {
        logIn(user, "demo");
    }

    void logOut() {
        driver.findElement(By.xpath("//form[@action='/logout']//button")).click();
        wait.until(ExpectedConditions.urlContains("/login"));
    }

    Path awaitDownload(String name) throws IOException, InterruptedException {
        return chromium.awaitDownload(name, DOWNLOAD_TIMEOUT);
    }

    void screenshot(String name) throws IOException {
        chromium.screenshot(name);
    }
}
