package io.spicegate.web;

import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.BrowserTest;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Charlie on a phone (390 px wide, real Chromium), Wednesday 2 Dec 2026 06:30 in Berlin, after the boss approved
 * debianx for 07:00–07:45: My consoles names the approved slot; its link leads to the picture of his two weeks,
 * with the slot drawn and listed; neither page scrolls sideways. Screenshots in {@code target/screenshots/}.
 */
@QuarkusTest
class ConsolePictureBrowserTest extends BrowserTest {

    @Inject
    TestClock clock;

    @Test
    void charlieFollowsHisCardToThePictureOnANarrowScreen() throws Exception {
        ConsolePictureTest.charlieApprovedWednesdayMorning(clock);
        startChromium(390, 844, "--lang=en-US");
        // headless Chromium keeps windows at least 500 px wide: the viewport of a phone is set through DevTools
        ((ChromeDriver) driver).executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 390, "height", 844, "deviceScaleFactor", 1, "mobile", true));
        logIn("charlie", "demo");
        assertEquals(390L, ((Number) ((JavascriptExecutor) driver).executeScript("return window.innerWidth;")).longValue());

        WebElement card = driver.findElement(By.id("console-debianx"));
        assertEquals("off-hours — next window 08:00 (Europe/Berlin)", card.findElement(By.cssSelector("p.status")).getText());
        assertEquals("approved Wed 07:00–07:45 by boss", card.findElement(By.cssSelector("p.approved")).getText());
        assertTrue(card.findElements(By.linkText("Ask for access")).isEmpty(), "no Ask for access for an approved time");
        assertNoSidewaysScroll(driver, "My consoles");
        chromium.screenshot("picture-card-390.png");

        card.findElement(By.linkText("When can I use debianx?")).click();
        wait.until(ExpectedConditions.urlToBe(base + "/consoles/debianx"));
        assertEquals("debianx", driver.findElement(By.tagName("h1")).getText());
        assertTrue(driver.findElement(By.cssSelector("[data-zone]")).getText().contains("Europe/Berlin"));
        List<WebElement> pictures = driver.findElements(By.cssSelector("svg.week-svg"));
        assertEquals(2, pictures.size(), "this week and next");
        for (WebElement svg : pictures) {
            assertTrue(svg.isDisplayed());
            assertTrue(svg.getRect().getWidth() <= 390, "the picture fits: " + svg.getRect().getWidth());
        }
        WebElement slot = driver.findElement(By.cssSelector("rect.band.approved"));
        assertEquals("WEDNESDAY", slot.getAttribute("data-day"));
        assertEquals("07:00", slot.getAttribute("data-from"));
        assertEquals("07:45", slot.getAttribute("data-to"));
        assertEquals(10, driver.findElements(By.cssSelector("rect.band.open")).size(), "Mon–Fri, two weeks");
        String wednesday = driver.findElement(By.cssSelector("li[data-date='2026-12-02']")).getText();
        assertEquals("Wed 2 Dec (today): 07:00–07:45 — approved by boss; 08:00–18:00 — you may use it", wednesday);
        assertEquals("approved Wed 07:00–07:45 by boss", driver.findElement(By.cssSelector("p.approved")).getText());
        assertNoSidewaysScroll(driver, "/consoles/debianx");
        chromium.fullPageScreenshot("picture-390.png");

        // the way back
        driver.findElement(By.cssSelector(".crumbs a")).click();
        wait.until(ExpectedConditions.urlToBe(base + "/consoles"));
        assertFalse(driver.findElements(By.id("console-debianx")).isEmpty());
    }

    static void assertNoSidewaysScroll(WebDriver driver, String page) {
        Object fits = ((JavascriptExecutor) driver).executeScript(
                "return [document.documentElement.scrollWidth, window.innerWidth];");
        List<?> w = (List<?>) fits;
        long scroll = ((Number) w.get(0)).longValue();
        long inner = ((Number) w.get(1)).longValue();
        assertTrue(scroll <= inner, page + " scrolls sideways at 390 px: " + scroll + " > " + inner);
    }
}
