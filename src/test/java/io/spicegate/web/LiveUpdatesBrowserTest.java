package io.spicegate.web;

import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.BrowserTest;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live updates in a real Chromium (js/live.js polling the pulse): the requester's open My requests page shows the
 * approval without a reload, and the approver's open Approvals page and nav count show a new request; a note being
 * typed in the inbox survives the update. "Without a reload" is checked with a marker set on the page's window
 * object, which a navigation would drop. Waits are generous; no timing is asserted.
 */
@QuarkusTest
class LiveUpdatesBrowserTest extends BrowserTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    String user;
    String boss;
    String console;

    @BeforeEach
    void mondayEvening() throws IOException {
        Fixtures.OffHours o = fixtures.offHoursConsole("lia", "boss", "vm"); // Monday 19:00, weekdays 08:00-18:00
        user = o.user();
        boss = o.approver();
        console = o.console();
        startChromium(1280, 900, "--lang=en-US");
    }

    long ask() {
        return ((Number) Fixtures.as(user).body(Map.of("console", console, "minutes", 30, "reason", "live"))
                .post("/api/v1/requests").then().statusCode(201).extract().path("id")).longValue();
    }

    @Test
    void anApprovalReachesTheRequestersOpenPageWithoutAReload() throws IOException {
        long id = ask();
        logIn(user);
        driver.get(base + "/requests");
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("request-" + id)));
        assertEquals("PENDING", row.getAttribute("data-state"));
        assertEquals("My requests", driver.findElement(By.id("nav-requests")).getText());
        markPage();

        Fixtures.as(boss).body(Map.of("note", "Go ahead.")).post("/api/v1/requests/" + id + "/approve")
                .then().statusCode(200);

        wait.until(ExpectedConditions.attributeToBe(By.id("request-" + id), "data-state", "APPROVED"));
        row = driver.findElement(By.id("request-" + id));
        assertTrue(row.getText().contains("approved"), row.getText());
        assertTrue(row.getText().contains("Go ahead."), row.getText());
        assertTrue(pageIsTheSame(), "the page was updated in place, not reloaded");
        chromium.screenshot("live-requests-approved.png");

        // on another page the nav count follows the pulse alone
        clock.berlin("2026-11-23T19:45"); // past the approved half hour: off-hours again, so lia may ask again
        long denied = ask();
        driver.get(base + "/account");
        markPage();
        Fixtures.as(boss).body(Map.of("note", "No.")).post("/api/v1/requests/" + denied + "/deny").then().statusCode(200);
        wait.until(ExpectedConditions.textToBe(By.id("nav-requests"), "My requests (1)"));
        assertTrue(pageIsTheSame());
    }

    @Test
    void aNewRequestReachesTheApproversOpenInboxAndNavCount() throws IOException {
        long first = ask();
        logIn(boss);
        driver.get(base + "/approvals");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("inbox-" + first)));
        String before = driver.findElement(By.id("nav-approvals")).getText();
        assertEquals("Approvals (1)", before);
        driver.findElement(By.id("note-" + first)).sendKeys("typing a note");
        markPage();

        // the requester withdraws and asks again: one leaves, one arrives
        Fixtures.as(user).post("/api/v1/requests/" + first + "/cancel").then().statusCode(200);
        long second = ask();
        WebElement item = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("inbox-" + second)));
        assertEquals(user, item.getAttribute("data-requester"));
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("inbox-" + first)));
        assertEquals("Approvals (1)", driver.findElement(By.id("nav-approvals")).getText());
        assertTrue(pageIsTheSame(), "the inbox was updated in place, not reloaded");

        // a second requester: the count goes to 2 without a reload; a note being typed survives the update
        driver.findElement(By.id("note-" + second)).sendKeys("half a sentence");
        String other = fixtures.user("max");
        fixtures.rule(console).user(other).window(Fixtures.weekdays(), "08:00", "18:00").approver(boss).save();
        long third = ((Number) Fixtures.as(other).body(Map.of("console", console, "minutes", 30, "reason", "me too"))
                .post("/api/v1/requests").then().statusCode(201).extract().path("id")).longValue();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("inbox-" + third)));
        wait.until(ExpectedConditions.textToBe(By.id("nav-approvals"), "Approvals (2)"));
        assertEquals("half a sentence", driver.findElement(By.id("note-" + second)).getAttribute("value"));
        assertTrue(pageIsTheSame());
        chromium.screenshot("live-approvals.png");

        // after a refused decision the browser shows the form's POST address; the inbox still updates itself
        driver.findElement(By.id("inbox-" + third)).findElement(By.xpath(".//button[normalize-space()='Deny']")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("decision-error")));
        assertTrue(driver.getCurrentUrl().endsWith("/approvals/" + third), driver.getCurrentUrl());
        markPage();
        Fixtures.as(user).post("/api/v1/requests/" + second + "/cancel").then().statusCode(200);
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("inbox-" + second)));
        wait.until(ExpectedConditions.textToBe(By.id("nav-approvals"), "Approvals (1)"));
        assertTrue(pageIsTheSame());
    }

    @Test
    void withoutScriptsAReloadShowsTheSame() {
        long id = ask();
        String html = io.spicegate.testing.Browser.login(user, Fixtures.PASSWORD).request().get("/requests")
                .then().statusCode(200).extract().asString();
        assertTrue(html.matches("(?s).*<script src=\"/js/live\\.js\\?v=[0-9a-f]{12}\" defer></script>.*"),
                "the script is a file (under its versioned URL), not inline");
        assertTrue(html.contains("id=\"request-" + id + "\" data-state=\"PENDING\""));
        Fixtures.as(boss).body(Map.of("note", "ok")).post("/api/v1/requests/" + id + "/approve").then().statusCode(200);
        html = io.spicegate.testing.Browser.login(user, Fixtures.PASSWORD).request().get("/requests")
                .then().statusCode(200).extract().asString();
        assertTrue(html.contains("id=\"request-" + id + "\" data-state=\"APPROVED\""));
    }

    void markPage() {
        ((JavascriptExecutor) driver).executeScript("window.__sameDocument = 'yes';");
    }

    boolean pageIsTheSame() {
        return "yes".equals(((JavascriptExecutor) driver).executeScript("return window.__sameDocument;"));
    }
}
