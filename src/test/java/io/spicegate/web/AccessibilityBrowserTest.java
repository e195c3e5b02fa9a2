package io.spicegate.web;

import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.Axe;
import io.spicegate.testing.Chromium;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * axe-core in a real Chromium on every page, for every role, in its empty state (a user with nothing), its filled
 * state (a live session, pending and decided requests, the demo office) and its error state (a refused login, request
 * and admin form, error pages): no serious or critical violation. After a refused form the keyboard focus is on the
 * error summary, and the focus ring stands out (at least 3:1) from white, the page and the cards.
 */
@QuarkusTest
class AccessibilityBrowserTest extends PageTourTest {

    private static final Pattern RGB = Pattern.compile("rgba?\\((\\d+), (\\d+), (\\d+)(?:, ([\\d.]+))?\\)");

    String base;
    WebDriver driver;
    JavascriptExecutor js;

    @Test
    void everyPageForEveryRoleInEveryStateHasNoSeriousViolation() throws Exception {
        base = portal();
        PageTour tour = PageTour.build(fixtures, clock);
        List<String> problems = new ArrayList<>();
        int checked = 0;
        try (Chromium chromium = Chromium.start(1280, 900)) {
            driver = chromium.driver;
            js = (JavascriptExecutor) driver;
            PageTour.Role current = null;
            for (PageTour.Visit visit : tour.visits(problems)) {
                if (visit.role() != current) {
                    tour.become(driver, base, visit.role());
                    current = visit.role();
                }
                driver.get(base + visit.path());
                check(visit.toString(), problems);
                checked++;
            }
            assertTrue(checked >= 30, "only " + checked + " pages checked: the tour is broken");

            // control: axe runs and reports here (an image without a text alternative is critical)
            tour.become(driver, base, tour.anonymous);
            driver.get(base + "/login");
            js.executeScript("var i = document.createElement('img'); i.src = '/favicon.svg'; document.querySelector('main').appendChild(i);");
            assertTrue(Axe.violations(driver).stream().anyMatch(v -> v.startsWith("image-alt (critical)")),
                    "axe-core did not report an image without alt text: this test would prove nothing");

            // error states: a refused login, request and admin form; focus lands on the error summary
            driver.get(base + "/login");
            driver.findElement(By.id("username")).sendKeys(tour.user.username());
            driver.findElement(By.id("password")).sendKeys("not-the-password", Keys.ENTER);
            refused("a refused login", "login-error", problems);

            tour.become(driver, base, tour.user);
            driver.get(base + "/requests/new?console=" + tour.askConsole);
            driver.findElement(By.id("when-later")).click();
            js.executeScript("document.getElementById('start-date').value = '2026-11-20';" // last Friday: in the past
                    + "document.getElementById('start-time').value = '10:00';");
            submitUnchecked(driver.findElement(By.id("minutes")));
            refused("a request for a time in the past", "request-error", problems);

            tour.become(driver, base, tour.admin);
            driver.get(base + "/admin/users/new");
            submitUnchecked(driver.findElement(By.id("username")));
            refused("a new user without a name", "form-error", problems);

            // error pages, logged in and not
            for (var page : List.of(new String[]{"/sessions/00000000-0000-4000-8000-000000000000", "404"},
                    new String[]{"/admin", "403"})) {
                tour.become(driver, base, tour.user);
                driver.get(base + page[0]);
                assertTrue(driver.getTitle().startsWith(page[1]), page[0] + ": " + driver.getTitle());
                check(page[1] + " page as the user", problems);
            }
            tour.become(driver, base, tour.anonymous);
            driver.get(base + "/no/such/page");
            check("an unknown address, anonymous", problems);
            checked += 6;

            focusRingStandsOut(tour, problems);
        } finally {
            tour.close();
        }
        System.out.printf("AccessibilityBrowserTest: axe-core on %d pages%n", checked);
        if (!problems.isEmpty()) {
            fail(problems.size() + " accessibility problem(s):\n  " + String.join("\n  ", problems));
        }
    }

    /** Sends the field's form as it stands, past the browser's own checks (required, min, max): the server must refuse it. */
    private void submitUnchecked(WebElement field) {
        js.executeScript("var f = arguments[0].form; f.noValidate = true; f.requestSubmit();", field);
    }

    /** A refused form's page: the summary is shown, has the focus, and axe finds nothing serious. */
    private void refused(String what, String summaryId, List<String> problems) {
        List<WebElement> summary = driver.findElements(By.id(summaryId));
        if (summary.isEmpty()) {
            problems.add(what + ": no error summary #" + summaryId + " on " + driver.getCurrentUrl());
            return;
        }
        assertEquals("alert", summary.get(0).getAttribute("role"), what);
        String focused = (String) js.executeScript("var a = document.activeElement; return a.tagName + '#' + a.id;");
        if (!focused.equals("P#" + summaryId)) {
            problems.add(what + ": the focus is on " + focused + ", not on the error summary #" + summaryId);
        }
        check(what, problems);
    }

    private void check(String what, List<String> problems) {
        for (String v : Axe.violations(driver)) {
            problems.add(what + ": " + v);
        }
    }

    /** The focus ring of a link, a button and a text field: a visible outline of at least 3:1 on white, page and card. */
    private void focusRingStandsOut(PageTour tour, List<String> problems) {
        tour.become(driver, base, tour.user);
        for (String[] at : List.of(new String[]{"/requests", "main a[href]"}, new String[]{"/requests", "main button[type=submit]"},
                new String[]{"/account", "main input[type=password]"})) {
            driver.get(base + at[0]);
            WebElement target = driver.findElement(By.cssSelector(at[1]));
            String page = background("body");
            String card = background("main .card, main table.list");
            // focused with no pointer used, as a person tabbing there: :focus-visible applies (checked below)
            js.executeScript("arguments[0].focus();", target);
            String name = target.getTagName() + " '" + target.getAccessibleName() + "' on " + at[0];
            assertEquals(Boolean.TRUE, js.executeScript("return arguments[0].matches(':focus-visible');", target), name);
            String style = target.getCssValue("outline-style");
            double width = Double.parseDouble(target.getCssValue("outline-width").replace("px", ""));
            String color = target.getCssValue("outline-color");
            if ("none".equals(style) || width < 2) {
                problems.add("focus ring of " + name + ": " + style + " " + width + " px");
                continue;
            }
            for (String against : List.of("rgb(255, 255, 255)", page, card)) {
                double ratio = contrast(color, against);
                if (ratio < 3) {
                    problems.add(String.format(Locale.ROOT, "focus ring of %s: %s on %s is %.2f:1, below 3:1", name, color, against, ratio));
                }
            }
        }
    }

    private String background(String selector) {
        return driver.findElement(By.cssSelector(selector)).getCssValue("background-color");
    }

    /** WCAG's contrast ratio of two CSS colours (rgb()/rgba(), opaque). */
    static double contrast(String a, String b) {
        double la = luminance(a);
        double lb = luminance(b);
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    }

    private static double luminance(String css) {
        Matcher m = RGB.matcher(css);
        assertTrue(m.find(), "not a colour: " + css);
        assertTrue(m.group(4) == null || Double.parseDouble(m.group(4)) == 1, "a transparent colour: " + css);
        double[] c = new double[3];
        for (int i = 0; i < 3; i++) {
            double v = Integer.parseInt(m.group(i + 1)) / 255.0;
            c[i] = v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    }
}
