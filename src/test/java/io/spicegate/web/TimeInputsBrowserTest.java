package io.spicegate.web;

import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.BrowserTest;
import io.spicegate.testing.Db;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Time fields in a US-English Chromium ({@code --lang=en-US}, whose own time pickers show 12-hour AM/PM): the request
 * form's "Later, at" and the admin rule form's windows show and accept "18:00", never "06:00 PM"; the "Later" day and
 * time can be typed only while Later is chosen (js/later.js), so Now never carries a stale time.
 */
@QuarkusTest
class TimeInputsBrowserTest extends BrowserTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @BeforeEach
    void mondayEvening() throws IOException {
        clock.berlin("2026-11-23T19:00");
        startChromium(390, 900, "--lang=en-US");
    }

    @Test
    void laterIsTyped24HourAndOnlyWhenChosen() throws IOException {
        String user = fixtures.user("vic");
        String console = fixtures.console("vm");
        fixtures.rule(console).user(user).window(Fixtures.weekdays(), "08:00", "18:00").approver(fixtures.user("boss")).save();
        logIn(user);
        driver.get(base + "/requests/new?console=" + console);
        WebElement time = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("start-time")));
        WebElement day = driver.findElement(By.id("start-date"));
        assertNoLocaleTimeFields();
        assertEquals("HH:MM", time.getAttribute("placeholder"));
        assertTrue(driver.findElement(By.id("when-now")).isSelected());
        wait.until(d -> !d.findElement(By.id("start-time")).isEnabled()); // later.js has run
        assertFalse(day.isEnabled(), "Now is chosen: the day and time cannot be typed");

        driver.findElement(By.id("when-later")).click();
        assertTrue(time.isEnabled() && day.isEnabled());
        ((JavascriptExecutor) driver).executeScript("arguments[0].value = arguments[1];", day, "2026-11-24");
        time.sendKeys("18:00");
        assertEquals("18:00", time.getAttribute("value"), "24-hour in a US-English browser");
        chromium.screenshot("time-later-en-us.png");

        // back to Now: the typed time goes dim and is not sent; then Later again, and send
        driver.findElement(By.id("when-now")).click();
        assertFalse(time.isEnabled());
        driver.findElement(By.id("when-later")).click();
        WebElement minutes = driver.findElement(By.id("minutes"));
        minutes.sendKeys(Keys.chord(Keys.CONTROL, "a"), "30");
        driver.findElement(By.id("reason")).sendKeys("Tuesday evening release.");
        driver.findElement(By.xpath("//button[normalize-space()='Send request']")).click();
        wait.until(ExpectedConditions.urlContains("/requests?asked="));
        assertTrue(driver.findElement(By.cssSelector("tr[data-state='PENDING']")).getText()
                .contains("Tue 24 Nov 18:00–18:30 (Europe/Berlin)"));
        assertEquals(List.of("2026-11-24 17:00"), Db.strings("select to_char(wanted_start at time zone 'UTC', "
                + "'YYYY-MM-DD HH24:MI') from access_request where console_name = ?", console));
    }

    @Test
    void theRuleFormsWindowsRead24Hour() {
        String admin = fixtures.user("adm", false, true);
        logIn(admin);
        driver.get(base + "/admin/rules/new");
        WebElement from = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("w0-from")));
        assertNoLocaleTimeFields();
        assertEquals("08:00", from.getAttribute("value"), "the new rule's suggestion, 24-hour");
        from.sendKeys(Keys.chord(Keys.CONTROL, "a"), "18:00");
        assertEquals("18:00", from.getAttribute("value"));
        WebElement to = driver.findElement(By.id("w0-to"));
        to.sendKeys(Keys.chord(Keys.CONTROL, "a"), "6:00 PM");
        Object valid = ((JavascriptExecutor) driver).executeScript("return arguments[0].checkValidity();", to);
        assertEquals(Boolean.FALSE, valid, "the field itself says 12-hour text is not a time");
        WebElement until = driver.findElement(By.id("validUntil-time"));
        until.sendKeys("23:30");
        assertEquals("23:30", until.getAttribute("value"));
    }

    void assertNoLocaleTimeFields() {
        Object n = ((JavascriptExecutor) driver).executeScript(
                "return document.querySelectorAll('input[type=time], input[type=datetime-local]').length;");
        assertEquals(0L, n, "no time field whose face depends on the browser's locale");
    }
}
