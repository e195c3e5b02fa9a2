package io.spicegate.web;

import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.BrowserTest;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Open for a chosen length and Extend in a real Chromium (issue 16 points 2–4): the length choice on My consoles, the
 * last-15-minutes warning with Extend on the session page, Extend from My sessions, a refusal that says how far, and
 * "Ask boss for more" leading to a request form pre-filled for the extra time.
 */
@QuarkusTest
class SessionExtendBrowserTest extends BrowserTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    String user;
    String boss;
    String console;

    @BeforeEach
    void setUp() throws IOException {
        Fixtures.OffHours o = fixtures.offHoursConsole("ext", "boss", "vm"); // Monday 19:00, weekdays 08:00-18:00
        user = o.user();
        boss = o.approver();
        console = o.console();
        clock.berlin("2026-11-23T17:20"); // inside the window, 40 minutes before its end
        startChromium(1280, 900);
    }

    String sessionId() {
        return Fixtures.as(user).get("/api/v1/sessions").then().statusCode(200).extract().jsonPath()
                .getString("find { it.state == 'ACTIVE' }.id");
    }

    String endsAt(String id) {
        return Fixtures.as(user).get("/api/v1/sessions/" + id).then().statusCode(200).extract().path("endsAt");
    }

    List<String> options(String selectId) {
        return new Select(driver.findElement(By.id(selectId))).getOptions().stream().map(WebElement::getText).toList();
    }

    @Test
    void openForAChosenLengthThenTheWarningAndExtendOnTheSessionPage() throws Exception {
        logIn(user);
        // 17:20: allowed until 18:00, so only the lengths shorter than 40 min are offered
        assertEquals(List.of("as long as allowed (until 18:00)", "15 min", "30 min"), options("minutes-" + console));
        new Select(driver.findElement(By.id("minutes-" + console))).selectByVisibleText("30 min");
        driver.findElement(By.cssSelector("#console-" + console + " form button[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("?opened=1"));
        String id = sessionId();
        assertEquals("2026-11-23T16:50:00Z", endsAt(id), "17:50 Berlin: the 30 minutes asked for");
        assertTrue(driver.findElements(By.id("ending")).isEmpty(), "30 min left: no warning yet");

        // ten minutes before the end, the page warns and offers Extend
        clock.berlin("2026-11-23T17:40");
        driver.get(base + "/sessions/" + id);
        WebElement warning = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("ending")));
        assertEquals(console + " ends at 17:50 (10 min left): save your work, or extend it.", warning.getText());
        assertEquals(base + "/sessions/" + id + "#extend", warning.findElement(By.linkText("extend it")).getAttribute("href"));
        chromium.screenshot("session-ending-soon.png");
        // ten minutes to the window's end: no +15, only "the most allowed"
        assertEquals(List.of("until 18:00 (the most allowed)"), options("extend-minutes-" + id));
        driver.findElement(By.cssSelector("#extend button[type=submit]")).click();

        wait.until(ExpectedConditions.urlToBe(base + "/sessions/" + id + "?extended=1"));
        assertEquals("Extended: your session now runs until 18:00.", driver.findElement(By.id("extended")).getText());
        assertEquals("2026-11-23T17:00:00Z", endsAt(id));
        // nothing more fits: the page says why and whom to ask, with the request pre-filled for the hour after
        WebElement why = driver.findElement(By.id("no-extend-" + id));
        assertTrue(why.getText().startsWith(console + " can run until 18:00 at most: your window ends then."), why.getText());
        WebElement ask = why.findElement(By.linkText("Ask " + boss + " for more"));
        chromium.screenshot("session-extended-to-the-limit.png");
        ask.click();
        wait.until(ExpectedConditions.urlContains("/requests/new"));
        assertTrue(driver.findElement(By.id("when-later")).isSelected(), "Later is chosen");
        assertEquals("2026-11-23", driver.findElement(By.id("start-date")).getAttribute("value"));
        assertEquals("18:00", driver.findElement(By.id("start-time")).getAttribute("value"));
        assertEquals("60", driver.findElement(By.id("minutes")).getAttribute("value"));
        assertEquals("Ask for " + console, driver.findElement(By.tagName("h1")).getText());
    }

    @Test
    void extendFromMySessionsAndARefusalThatSaysHowFar() throws Exception {
        clock.berlin("2026-11-23T10:00");
        String id = Fixtures.as(user).body(Map.of("console", console, "minutes", 15)).post("/api/v1/sessions")
                .then().statusCode(201).extract().path("id");
        logIn(user);
        driver.get(base + "/sessions");
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("session-" + id)));
        assertEquals("ends soon", row.findElement(By.id("ending-" + id)).getText(), "15 min left: the warning shows");
        assertEquals(List.of("+15 min (until 10:30)", "+30 min (until 10:45)", "+1 h (until 11:15)",
                "until 18:00 (the most allowed)"), options("extend-minutes-" + id));
        new Select(row.findElement(By.id("extend-minutes-" + id))).selectByVisibleText("+30 min (until 10:45)");
        row.findElement(By.xpath(".//button[normalize-space()='Extend']")).click();

        wait.until(ExpectedConditions.urlToBe(base + "/sessions#session-" + id));
        assertEquals("2026-11-23T09:45:00Z", endsAt(id));
        row = driver.findElement(By.id("session-" + id));
        assertTrue(row.getText().contains("45 min left"), row.getText());
        assertTrue(row.findElements(By.id("ending-" + id)).isEmpty(), "no warning with 45 minutes left");

        // another tab took it to the limit meanwhile: this page's +1 h is refused with the sentence, nothing changes
        Fixtures.as(user).body(Map.of("minutes", 435)).post("/api/v1/sessions/" + id + "/extend").then().statusCode(200);
        new Select(driver.findElement(By.id("extend-minutes-" + id))).selectByVisibleText("+1 h (until 11:45)");
        driver.findElement(By.id("session-" + id)).findElement(By.xpath(".//button[normalize-space()='Extend']")).click();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
        assertEquals(console + " can run until 18:00 at most: your window ends then. For more, ask for off-hours access "
                + "(My requests).", error.getText());
        assertEquals("2026-11-23T17:00:00Z", endsAt(id));
        assertTrue(driver.findElement(By.id("no-extend-" + id)).getText().contains("Ask " + boss + " for more"));
        chromium.screenshot("my-sessions-extend-refused.png");
    }
}
