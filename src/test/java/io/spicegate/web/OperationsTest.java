package io.spicegate.web;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.Management;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * What operators and script writers rely on: health and metrics on the management interface and nowhere else,
 * OpenAPI on the public port, JSON errors for unknown routes.
 */
@QuarkusTest
class OperationsTest {

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void healthIsUpWithTheDatabaseOnTheManagementPort() {
        Management.given(management).get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body(containsString("Database connections health check"));
        Management.given(management).get("/q/health/live").then().statusCode(200);
        Management.given(management).get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
    }

    @Test
    void thePublicPortServesNoHealthNorMetrics() {
        for (String path : List.of("/q/health", "/q/health/ready", "/q/health/live", "/q/health/started", "/q/metrics")) {
            given().get(path).then().statusCode(404);
        }
    }

    @Test
    void openApiDescribesTheUserCalls() {
        given().get("/q/openapi").then().statusCode(200)
                .body(containsString("/api/v1/consoles"))
                .body(containsString("/api/v1/sessions/{id}/console.vv"));
    }

    @Test
    void unknownApiRoutesAnswerJson() {
        given().get("/api/v1/nope").then().statusCode(404).body("error", containsString("no such"));
    }
}
