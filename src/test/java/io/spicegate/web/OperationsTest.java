package io.spicegate.web;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** What operators and script writers rely on: health, OpenAPI, JSON errors for unknown routes. */
@QuarkusTest
class OperationsTest {

    @Test
    void healthIsUpWithTheDatabase() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body(containsString("Database connections health check"));
        given().get("/q/health/live").then().statusCode(200);
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
