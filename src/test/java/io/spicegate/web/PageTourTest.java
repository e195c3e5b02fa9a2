package io.spicegate.web;

import io.quarkus.test.common.http.TestHTTPResource;
import io.spicegate.testing.Chromium;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;

import java.net.URL;

/** What a browser test walking the {@link PageTour} needs: the fixtures, the clock, the portal's address and Chromium. */
abstract class PageTourTest {

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @TestHTTPResource("/")
    URL url;

    @BeforeAll
    static void chromiumIsInstalled() {
        Chromium.requireInstalled();
    }

    /** The portal as the browser reaches it (localhost: the origin the login cookies belong to). */
    String portal() {
        return "http://localhost:" + url.getPort();
    }
}
