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
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The session page tells the truth in a real Chromium (issue 16 point 4): after the automatic download it says the file
 * was downloaded and offers no link that would fail; a used link shows a page saying why; the help page; without
 * scripts the server renders the same truth at the next load; an agent that stays silent past the ack timeout shows its
 * sentence on the page itself, which then stops refreshing.
 */
@QuarkusTest
class SessionStateBrowserTest extends BrowserTest {

    private static final AtomicInteger NET = new AtomicInteger();

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    String user;
    String console;

    @BeforeEach
    void setUp() {
        clock.berlin("2026-11-23T10:00");
        user = fixtures.user("truth");
        console = fixtures.console("vm");
        fixtures.rule(console).user(user).window(Fixtures.weekdays(), "08:00", "18:00").save();
    }

    void start(String... extraArguments) throws IOException {
        startChromium(1280, 900, extraArguments); // as workstation mylap, which has no agent
        logIn(user);
    }

    /** Open console on My consoles; returns the session id from the page it lands on. */
    String openConsole() {
        driver.findElement(By.cssSelector("#console-" + console + " form button[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("?opened=1"));
        return driver.getCurrentUrl().replaceAll(".*/sessions/([0-9a-f-]{36})\\?opened=1$", "$1");
    }

    @Test
    void afterTheDownloadThePageSaysSoAndOffersNoLinkThatWouldFail() throws Exception {
        start();
        String id = openConsole();
        chromium.awaitDownload(console + ".vv", Duration.ofSeconds(15));
        // the script asks the API and switches "downloading" to "downloaded"
        wait.until(ExpectedConditions.textToBe(By.id("launch-state"), console + ".vv downloaded — open it with remote-viewer."));
        assertTrue(driver.findElements(By.id("download")).isEmpty(), "no Download link for a used file");
        chromium.screenshot("session-downloaded.png");

        // without the script's help, a reload renders the same truth
        driver.get(base + "/sessions/" + id);
        assertEquals(console + ".vv downloaded — open it with remote-viewer.", driver.findElement(By.id("launch-state")).getText());
        assertTrue(driver.findElements(By.id("download")).isEmpty());
        assertTrue(driver.findElements(By.cssSelector("a[download]")).isEmpty(), "no link that downloads silently");
        assertTrue(driver.findElements(By.cssSelector("meta[http-equiv=refresh]")).isEmpty());

        // How do I open it?
        driver.findElement(By.linkText("How do I open it?")).click();
        wait.until(ExpectedConditions.urlToBe(base + "/help/remote-viewer"));
        String help = driver.findElement(By.tagName("main")).getText();
        for (String needed : List.of("sudo apt install virt-viewer", "sudo dnf install virt-viewer", "virt-viewer MSI",
                "Always open files of this type", "application/x-virt-viewer")) {
            assertTrue(help.contains(needed), needed + " missing from the help page");
        }
        chromium.screenshot("help-remote-viewer.png");

        // fetching the used file anyway: the browser shows a page saying why, and downloads nothing
        driver.get(base + "/sessions/" + id + "/console.vv");
        String page = wait.until(ExpectedConditions.visibilityOfElementLocated(By.tagName("main"))).getText();
        assertTrue(page.contains("already downloaded and works only once"), page);
        Thread.sleep(1000); // give a (wrong) second download the time to show up
        assertEquals(List.of(console + ".vv"), chromium.files());
    }

    @Test
    void withoutScriptsThePageStillTellsTheTruth() throws Exception {
        start("--blink-settings=scriptEnabled=false");
        new Select(driver.findElement(By.id("minutes-" + console))).selectByVisibleText("30 min");
        String id = openConsole();
        chromium.awaitDownload(console + ".vv", Duration.ofSeconds(15));
        driver.get(base + "/sessions/" + id);
        assertEquals(console + ".vv downloaded — open it with remote-viewer.", driver.findElement(By.id("launch-state")).getText());
        assertTrue(driver.findElements(By.id("download")).isEmpty());
        // and Extend works as a plain form: its first choice is +15 min
        assertEquals("+15 min (until 10:45)", new Select(driver.findElement(By.id("extend-minutes-" + id)))
                .getFirstSelectedOption().getText());
        driver.findElement(By.cssSelector("#extend button[type=submit]")).click();
        wait.until(ExpectedConditions.urlToBe(base + "/sessions/" + id + "?extended=1"));
        assertEquals("Extended: your session now runs until 10:45.", driver.findElement(By.id("extended")).getText());
    }

    @Test
    void aSilentAgentsSentenceShowsOnThePageWhichStopsRefreshing() throws Exception {
        String admin = fixtures.mondayMorningAdmin("root");
        String address = "10.89.7." + (1 + NET.incrementAndGet() % 250); // a range no other test uses
        Fixtures.enrolledWorkstation(admin, Map.of("name", Fixtures.unique("ws"), "addresses", List.of(address)), "silent");
        start();
        // this browser works from the enrolled workstation (X-Forwarded-For is trusted from loopback in tests)
        ChromeDriver chrome = (ChromeDriver) driver;
        chrome.executeCdpCommand("Network.enable", Map.of());
        chrome.executeCdpCommand("Network.setExtraHTTPHeaders", Map.of("headers", Map.of("X-Forwarded-For", address)));
        driver.get(base + "/consoles");
        String id = openConsole();
        assertTrue(id.matches("[0-9a-f-]{36}"), id);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("firewall"), "Opening the firewall of your workstation"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("meta[http-equiv=refresh]"))); // refreshes while waiting

        clock.advance(Duration.ofSeconds(11)); // past spicegate.agent.ack-timeout-seconds, the agent never acked
        WebElement problem = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("problem")));
        assertTrue(problem.getText().contains("has not opened the firewall after 11 seconds"), problem.getText());
        assertTrue(driver.findElements(By.cssSelector("meta[http-equiv=refresh]")).isEmpty(), "stops refreshing");
        assertTrue(driver.findElements(By.id("firewall")).isEmpty());
        chromium.screenshot("session-agent-silent.png");
        assertEquals(problem.getText(), Fixtures.as(user).get("/api/v1/sessions/" + id).then().statusCode(200)
                .extract().path("problem"), "the JSON API says the same");
        assertEquals(List.of(), chromium.files(), "nothing was downloaded");
    }
}
