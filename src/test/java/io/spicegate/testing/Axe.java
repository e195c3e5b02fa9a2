package io.spicegate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * axe-core, npm's {@code axe.min.js} as Deque ships it in {@code com.deque.html.axe-core:selenium}, run on the page a
 * real Chromium shows: its serious and critical violations, each as one line a person can act on (rule, impact,
 * the elements, what to fix and the page's address).
 */
public final class Axe {

    /** What fails a page: WCAG's and axe's two worst levels. */
    public static final Set<String> FAILING = Set.of("serious", "critical");
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Every rule axe runs by default, plus "label-content-name-mismatch" (WCAG 2.5.3, still marked experimental):
     * a control's accessible name must contain its visible label.
     */
    private static final String RUN = "var done = arguments[arguments.length - 1];"
            + "axe.run(document, {rules: {'label-content-name-mismatch': {enabled: true}}, resultTypes: ['violations']})"
            + ".then(function (r) { done(JSON.stringify(r.violations)); }, function (e) { done('ERROR ' + e); });";
    private static String source;

    private Axe() {
    }

    /** The serious and critical violations on the page the driver shows now; empty when there are none. */
    public static List<String> violations(WebDriver driver) {
        JavascriptExecutor js = (JavascriptExecutor) driver;
        if (!Boolean.TRUE.equals(js.executeScript("return typeof window.axe === 'object';"))) {
            js.executeScript(source());
        }
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        String result = String.valueOf(js.executeAsyncScript(RUN));
        if (result.startsWith("ERROR ")) {
            throw new AssertionError("axe-core failed on " + driver.getCurrentUrl() + ": " + result);
        }
        List<String> out = new ArrayList<>();
        try {
            for (JsonNode v : JSON.readTree(result)) {
                if (!FAILING.contains(v.path("impact").asText())) {
                    continue;
                }
                List<String> targets = new ArrayList<>();
                for (JsonNode node : v.path("nodes")) {
                    targets.add(node.path("target").toString());
                }
                out.add(v.path("id").asText() + " (" + v.path("impact").asText() + ") on " + driver.getCurrentUrl() + ": "
                        + v.path("help").asText() + " — " + targets.size() + " element(s) " + String.join(", ", targets)
                        + (v.path("nodes").isEmpty() ? "" : "; " + v.path("nodes").get(0).path("failureSummary").asText()
                        .replace('\n', ' ')));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** axe.min.js from the class path (Deque's Maven artifact holds npm's axe-core build at its root). */
    private static synchronized String source() {
        if (source == null) {
            try (InputStream in = Axe.class.getResourceAsStream("/axe.min.js")) {
                if (in == null) {
                    throw new AssertionError("/axe.min.js is not on the test class path: com.deque.html.axe-core:selenium is missing");
                }
                source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return source;
    }
}
