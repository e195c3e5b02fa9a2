package io.spicegate.testing;

import io.restassured.specification.RequestSpecification;

import java.net.URL;

/**
 * Requests to the management interface (health, metrics) of the portal under test, which listens on its own free
 * port in tests. A test injects the interface's URL with {@code @TestHTTPResource(value = "/", management = true)}
 * and passes it here; the URL carries the root path (/q), so requests name full paths such as /q/metrics.
 */
public final class Management {

    private Management() {
    }

    public static RequestSpecification given(URL management) {
        return io.restassured.RestAssured.given().baseUri(origin(management));
    }

    public static String origin(URL management) {
        return management.getProtocol() + "://" + management.getHost() + ":" + management.getPort();
    }
}
