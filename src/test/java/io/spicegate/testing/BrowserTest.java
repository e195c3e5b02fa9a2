package io.spicegate.testing;

import io.quarkus.test.common.http.TestHTTPResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.URL;
import java.time.Duration;

/**
 * The frame of a {@code @QuarkusTest} that drives the portal in a real Chromium: fails (never skips) without the
 * browser, opens it on the portal as workstation {@code mylap} (127.0.0.1, not localhost), logs people in with the
 * keyboard as a person would, and closes the browser after each test.
 */
public abstract class BrowserTest {

    /** How long a page may take to show what a test waits for; generous, since no timing is asserted. */
    protected static final Duration PATIENCE = Duration.ofSeconds(30);

    @TestHTTPResource("/")
    protected URL portal;

    protected Chromium chromium;
    protected WebDriver driver;
    protected WebDriverWait wait;
    /** The portal's address as the browser uses it: the loopback address of workstation mylap. */
    protected String base;

    @BeforeAll
    static void chromiumIsInstalled() {
        Chromium.requireInstalled();
    }

    /** Starts Chromium with a window of this size; {@code extraArguments} are added to its command line. */
    protected void startChromium(int width, int height, String... extraArguments) throws IOException {
        base = "http://127.0.0.1:" + portal.getPort();
        chromium = Chromium.start(width, height, extraArguments);
        driver = chromium.driver;
        wait = new WebDriverWait(driver, PATIENCE);
    }

    @AfterEach
    void quitChromium() throws IOException {
        if (chromium != null) {
            chromium.close();
            chromium = null;
        }
    }

    /** Logs {@code who} (a {@link Fixtures} user) in through the login form and lands on My consoles. */
    protected void logIn(String who) {
        logIn(who, Fixtures.PASSWORD);
    }

    /** Logs {@code who} in through the login form with the keyboard, as a person would, and lands on My consoles. */
    protected void logIn(String who, String password) {
        driver.get(base + "/login");
        WebElement username = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        username.sendKeys(who, Keys.TAB);
        driver.switchTo().activeElement().sendKeys(password, Keys.ENTER);
        wait.until(ExpectedConditions.urlToBe(base + "/consoles"));
    }
}
