package io.spicegate.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.spicegate.testing.Fixtures;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code spicegate_agent_parked_polls} counts the long-polls parked on this replica: up while one waits, down when it is answered. */
@QuarkusTest
class ParkedPollsMetricTest {

    @Inject Fixtures fixtures;
    @Inject MeterRegistry registry;

    @Test
    void aParkedPollIsCountedUntilItIsAnswered() throws Exception {
        String admin = fixtures.user("parkroot", false, true);
        String address = "10.95." + (1 + (int) (Math.random() * 250)) + "." + (1 + (int) (Math.random() * 250));
        Fixtures.Enrolled ws = Fixtures.enrolledWorkstation(admin,
                Map.of("name", Fixtures.unique("park"), "addresses", List.of(address)), "h");
        long version = given().header("Authorization", "Bearer " + ws.secret()).get("/api/agent/v1/grants")
                .then().statusCode(200).extract().jsonPath().getLong("version");
        double before = parked();

        CompletableFuture<HttpResponse<String>> poll = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + RestAssured.port + "/api/agent/v1/grants?after=" + version))
                .header("Authorization", "Bearer " + ws.secret()).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (parked() < before + 1 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(before + 1, parked());

        // a change of the workstation wakes the poll
        Fixtures.as(admin).body(Map.of("strict", true)).put("/api/v1/admin/workstations/" + ws.id()).then().statusCode(200);
        assertEquals(200, poll.get(20, TimeUnit.SECONDS).statusCode());
        assertEquals(before, parked());
    }

    private double parked() {
        return registry.get("spicegate_agent_parked_polls").gauge().value();
    }
}
