package io.spicegate.enrollment;

import com.fasterxml.jackson.databind.JsonNode;
import io.spicegate.testing.Api;
import io.spicegate.testing.PortalProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged portal on its embedded database writes its agents' last seen when it is stopped (README: "and at
 * shutdown"): the embedded PostgreSQL stops only after Quarkus, not alongside it.
 */
class LastSeenAtShutdownIT {

    @Test
    void anAgentSeenJustBeforeAStopIsSeenAfterTheRestart() throws Exception {
        Path dataDir = Files.createTempDirectory("spicegate-last-seen-");
        try {
            String wsId;
            String log;
            try (PortalProcess first = PortalProcess.start("last-seen-1", Map.of("SPICEGATE_DATA_DIR", dataDir.toString()))) {
                Api admin = Api.basic(first.base, "admin", "demo");
                JsonNode ws = admin.post("/api/v1/admin/workstations",
                        Map.of("name", "seen-ws", "addresses", List.of("10.99.32.1"))).expect(201).json();
                wsId = ws.path("id").asText();
                String secret = Api.anonymous(first.base).post("/api/agent/v1/enroll",
                        Map.of("token", ws.path("enrollmentToken").asText(), "hostname", "seen-ws"))
                        .expect(200).json().path("secret").asText();
                // seen now; written a minute later by the batch, or at the stop below, whichever comes first
                long version = Api.bearer(first.base, secret).get("/api/agent/v1/grants").expect(200).json()
                        .path("version").asLong();
                // polls parked at the stop (the fast route's and the resource's alike) are told to poll again, not cut
                java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
                List<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> parked = new java.util.ArrayList<>();
                for (String feed : List.of("/api/agent/v1/grants?after=" + version + "&wait=30",
                        "/api/agent/v1/grants?after=" + version + "&wait=30&have=x", "/api/agent/v1/tickets?after=1&wait=30")) {
                    parked.add(http.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(first.base + feed))
                            .header("Authorization", "Bearer " + secret).build(), java.net.http.HttpResponse.BodyHandlers.ofString()));
                }
                Thread.sleep(1000);
                first.close(); // SIGTERM, as systemd and Kubernetes stop it
                assertFalse(first.isAlive(), "the portal stopped within 20 s of SIGTERM");
                log = first.logText();
                java.net.http.HttpResponse<String> grants = parked.get(0).get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(503, grants.statusCode(), grants.body());
                assertEquals("1", grants.headers().firstValue("Retry-After").orElse(null), grants.headers().toString());
                assertTrue(grants.body().contains("restarting: poll again"), grants.body());
                assertEquals(503, parked.get(1).get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode());
                // a workstation's bearer on the hosts' feed: refused at once, before the stop
                assertEquals(401, parked.get(2).get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode());
            }
            assertFalse(log.contains("not written at shutdown"), "last seen was written at the stop:\n" + tail(log));
            assertFalse(log.contains("ARJUNA"), "no transaction failed at the stop:\n" + tail(log));
            assertFalse(log.lines().anyMatch(l -> l.contains("WARN") && l.contains("audit sealer")),
                    "the sealer stops quietly:\n" + tail(log));

            try (PortalProcess second = PortalProcess.start("last-seen-2", Map.of("SPICEGATE_DATA_DIR", dataDir.toString()))) {
                JsonNode again = Api.basic(second.base, "admin", "demo").get("/api/v1/admin/workstations/" + wsId)
                        .expect(200).json();
                assertTrue(again.hasNonNull("lastSeen") && !again.path("lastSeen").asText().isEmpty(),
                        "the poll before the stop is on record after the restart: " + again);
            }
        } finally {
            try (Stream<Path> paths = Files.walk(dataDir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static String tail(String log) {
        return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    }
}
