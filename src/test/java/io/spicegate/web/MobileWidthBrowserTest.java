package io.spicegate.web;

import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.Chromium;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every page, for every role, in a real Chromium 390 px wide (a phone): nothing makes the page scroll sideways.
 * The user's tables stack as cards with End session on screen; the admin's wide tables scroll inside their own
 * labelled, keyboard-focusable box. Screenshots in {@code target/screenshots/mobile-*.png}.
 */
@QuarkusTest
class MobileWidthBrowserTest extends PageTourTest {

    static final int WIDTH = 390;
    /**
     * The elements that stick out of the window, outside any box that scrolls by itself: what makes the page scroll.
     * An absolutely placed element (a hidden label) escapes a scrolling box that is not its containing block: always named.
     */
    static final String STICKING_OUT = "var w = window.innerWidth, out = [];"
            + "document.querySelectorAll('body *').forEach(function (e) {"
            + "  if (e.getBoundingClientRect().right <= w + 0.5) return;"
            + "  var placed = getComputedStyle(e).position; if (placed !== 'absolute' && placed !== 'fixed')"
            + "  for (var p = e.parentElement; p; p = p.parentElement) {"
            + "    var o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return; }"
            + "  var d = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined"
            + "    ? '.' + String(e.className).trim().split(/\\s+/).join('.') : '');"
            + "  out.push(d + ' (' + Math.round(e.getBoundingClientRect().width) + ' px)'); });"
            + "return out.slice(-4).join(', ');";

    @Test
    void noPageScrollsSidewaysAt390PixelsForAnyRole() throws Exception {
        String base = portal();
        PageTour tour = PageTour.build(fixtures, clock);
        List<String> problems = new ArrayList<>();
        int checked = 0;
        try (Chromium chromium = Chromium.start(WIDTH, 844)) {
            WebDriver driver = chromium.driver;
            JavascriptExecutor js = (JavascriptExecutor) driver;
            // a desktop Chromium window is never narrower than 500 px: the viewport is set to a phone's instead
            ((ChromeDriver) driver).executeCdpCommand("Emulation.setDeviceMetricsOverride",
                    Map.of("width", WIDTH, "height", 844, "deviceScaleFactor", 1, "mobile", false));
            List<PageTour.Visit> visits = tour.visits(problems);
            PageTour.Role current = null;
            for (PageTour.Visit visit : visits) {
                if (visit.role() != current) {
                    tour.become(driver, base, visit.role());
                    current = visit.role();
                }
                driver.get(base + visit.path());
                assertEquals(WIDTH, ((Number) js.executeScript("return window.innerWidth;")).intValue(),
                        "the window must be as wide as a phone for this test to mean anything");
                long scrollWidth = ((Number) js.executeScript("return document.documentElement.scrollWidth;")).longValue();
                if (scrollWidth > WIDTH) {
                    problems.add(visit + " scrolls sideways: " + scrollWidth + " px wide in a " + WIDTH + " px window; sticking out: "
                            + js.executeScript(STICKING_OUT));
                    chromium.fullPageScreenshot("mobile-too-wide-" + checked + ".png");
                }
                checked++;
            }
            assertTrue(checked >= 30, "only " + checked + " pages visited: the tour is broken");
            if (!problems.isEmpty()) {
                fail(problems.size() + " problem(s) at " + WIDTH + " px:\n  " + String.join("\n  ", problems));
            }

            // My sessions: a card per session, End session on screen
            tour.become(driver, base, tour.user);
            driver.get(base + "/sessions");
            WebElement row = driver.findElement(By.id("session-" + tour.liveSession));
            WebElement end = row.findElement(By.xpath(".//button[normalize-space()='End session']"));
            Map<?, ?> box = (Map<?, ?>) js.executeScript("var r = arguments[0].getBoundingClientRect();"
                    + "return {left: r.left, right: r.right};", end);
            assertTrue(((Number) box.get("left")).doubleValue() >= 0 && ((Number) box.get("right")).doubleValue() <= WIDTH,
                    "End session is off screen at " + WIDTH + " px: " + box);
            assertEquals("block", row.getCssValue("display"), "the live sessions stack as cards");
            assertEquals("\"Console: \"", js.executeScript("return getComputedStyle(arguments[0], '::before').content;",
                    row.findElement(By.cssSelector("td[data-label='Console']"))), "each card names its cells");
            chromium.fullPageScreenshot("mobile-my-sessions.png");

            // the admin audit scrolls inside its own box: a labelled region the keyboard can reach
            tour.become(driver, base, tour.admin);
            driver.get(base + "/admin/audit");
            WebElement region = driver.findElement(By.cssSelector(".scroll"));
            assertEquals("region", region.getAttribute("role"));
            assertEquals("0", region.getAttribute("tabindex"));
            assertTrue(!region.getAttribute("aria-label").isBlank(), "the scrolling box has a name");
            assertEquals(Boolean.TRUE, js.executeScript("return arguments[0].scrollWidth > arguments[0].clientWidth;", region),
                    "the audit table is wider than the phone: it scrolls inside its box");
            chromium.fullPageScreenshot("mobile-admin-audit.png");
        } finally {
            tour.close();
        }
        System.out.printf("MobileWidthBrowserTest: %d pages at %d px%n", checked, WIDTH);
    }
}
