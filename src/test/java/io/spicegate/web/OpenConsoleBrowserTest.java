package io.spicegate.web;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.Chromium;
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

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Maggie's Monday morning in a real Chromium: log in with the keyboard, see leaptest available until 18:00,
 * Open console, receive the one-shot {@code .vv} as a download, and find that reloading does not hand it out
 * again. Screenshots of each page are kept in {@code target/screenshots/}.
 */
@QuarkusTest
class OpenConsoleBrowserTest {

    static final Duration DOWNLOAD_TIMEOUT = Duration.ofSeconds(15);
    static final Pattern SESSION_URL = Pattern.compile("/sessions/([0-9a-f-]{36})\\?opened=1$");

    @Inject
    TestClock clock;

    @TestHTTPResource("/")
    URL portal;

    Chromium chromium;
    WebDriver driver;
    String base;

    @BeforeAll
    static void chromiumIsInstalled() {
        Chromium.requireInstalled();
    }

    @BeforeEach
    void startChromium() throws IOException {
        clock.berlin("2026-11-23T10:00"); // Monday: maggie's window is Mon+Tue 08:00-18:00 in Berlin
        // 127.0.0.1, not localhost: the request must come from the loopback address of workstation mylap
        base = "http://127.0.0.1:" + portal.getPort();
        chromium = Chromium.start(1280, 900);
        driver = chromium.driver;
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
            // a failed run must not leave leaptest "in use by maggie" for the tests after it
            List<String> live = given().auth().preemptive().basic("maggie", "demo").get("/api/v1/sessions")
                    .then().statusCode(200).extract().jsonPath().getList("findAll { it.state == 'ACTIVE' }.id");
            for (String id : live) {
                given().auth().preemptive().basic("maggie", "demo").delete("/api/v1/sessions/" + id);
            }
        }
    }

    @Test
    void maggieOpensLeaptestFromTheDashboardAndGetsTheLaunchFileOnce() throws Exception {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15));

        // log in with the keyboard only: the username field has focus, Tab reaches the password, Enter submits
        driver.get(base + "/login");
        WebElement username = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        assertEquals(username, driver.switchTo().activeElement(), "the login page should put the focus in Username");
        username.sendKeys("maggie", Keys.TAB);
        assertEquals("password", driver.switchTo().activeElement().getAttribute("id"), "Tab should lead to Password");
        driver.switchTo().activeElement().sendKeys("demo", Keys.ENTER);

        wait.until(ExpectedConditions.urlToBe(base + "/consoles"));
        WebElement leaptest = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("console-leaptest")));
        screenshot("dashboard.png");
        assertEquals("My consoles", driver.findElement(By.tagName("h1")).getText());
        assertEquals("leaptest", leaptest.getAttribute("data-console"));
        assertEquals("ALLOWED", leaptest.getAttribute("data-decision"));
        assertEquals("available now until 18:00", leaptest.findElement(By.cssSelector("p.status")).getText());

        WebElement open = leaptest.findElement(By.cssSelector("form button[type=submit]"));
        assertEquals("Open console", open.getText());
        open.click();

        // 303 to the session page, whose meta refresh starts the download of the launch file
        wait.until(ExpectedConditions.urlMatches(SESSION_URL.pattern()));
        Matcher m = SESSION_URL.matcher(driver.getCurrentUrl());
        assertTrue(m.find(), driver.getCurrentUrl());
        String sessionId = m.group(1);
        assertEquals("leaptest", driver.findElement(By.tagName("h1")).getText());
        assertTrue(driver.findElement(By.cssSelector("p.status")).getText().startsWith("Your session is open until"),
                driver.findElement(By.cssSelector("p.status")).getText());
        screenshot("session.png");

        Path vv = awaitDownload("leaptest.vv");
        assertLaunchFile(Files.readString(vv, StandardCharsets.UTF_8));

        // reload: the page now says the file works only once, and does not start a second download
        driver.navigate().refresh();
        WebElement notice = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("section.card p.muted")));
        assertTrue(notice.getText().contains("works only once"), notice.getText());
        assertTrue(driver.findElements(By.id("launch")).isEmpty(), "no Download launch file link after the download");
        assertTrue(driver.findElements(By.cssSelector("meta[http-equiv=refresh]")).isEmpty(), "no second auto-download");
        screenshot("session-after-reload.png");
        Thread.sleep(1500); // give a (wrong) second download the time to show up
        assertEquals(List.of("leaptest.vv"), downloads(), "exactly one launch file was downloaded");
        given().auth().preemptive().basic("maggie", "demo").get("/api/v1/sessions/" + sessionId + "/console.vv")
                .then().statusCode(410);

        // End session frees leaptest for everyone else
        WebElement end = driver.findElement(By.xpath("//form[contains(@action,'/end')]//button[normalize-space()='End session']"));
        end.click();
        wait.until(ExpectedConditions.urlToBe(base + "/sessions"));
        assertEquals("ENDED", given().auth().preemptive().basic("maggie", "demo").get("/api/v1/sessions/" + sessionId)
                .then().statusCode(200).extract().path("state"));
    }

    /** The .vv keys remote-viewer needs for a verified TLS connection (DESIGN.md rule 5). */
    static void assertLaunchFile(String vv) {
        String[] lines = vv.split("\n", -1);
        assertEquals("[virt-viewer]", lines[0], vv.isEmpty() ? "empty launch file" : "first line");
        Map<String, String> keys = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            // every line is key=value: a PEM with real newlines would break out of its 'ca' line
            assertTrue(line.matches("[a-z][a-z-]*=.*"), "line " + (i + 1) + " is not key=value: " + line);
            int eq = line.indexOf('=');
            assertFalse(keys.containsKey(line.substring(0, eq)), "duplicate key in " + line);
            keys.put(line.substring(0, eq), line.substring(eq + 1));
        }
        assertEquals("spice", keys.get("type"));
        assertEquals("127.0.0.1", keys.get("host"));
        assertEquals("20004", keys.get("tls-port"));
        assertFalse(keys.containsKey("port"), "a TLS console must not offer a plain port");
        String ca = keys.get("ca");
        assertNotNull(ca, "ca=");
        assertTrue(ca.startsWith("-----BEGIN CERTIFICATE-----\\n"), "ca must start with the PEM header and a literal \\n: " + ca);
        assertTrue(ca.contains("\\n-----END CERTIFICATE-----"), "ca must hold the whole PEM");
        assertFalse(ca.contains("\r"), "no carriage returns in ca");
        assertTrue(keys.containsKey("host-subject") && !keys.get("host-subject").isBlank(), "host-subject=");
        assertEquals("all", keys.get("secure-channels"));
        assertEquals("1", keys.get("delete-this-file"));
        assertTrue(keys.containsKey("password") && !keys.get("password").isBlank(), "password=");
    }

    Path awaitDownload(String name) throws IOException, InterruptedException {
        return chromium.awaitDownload(name, DOWNLOAD_TIMEOUT);
    }

    List<String> downloads() throws IOException {
        return chromium.files();
    }

    void screenshot(String name) throws IOException {
        chromium.screenshot(name);
    }
}
