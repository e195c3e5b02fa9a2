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
                Api.bearer(first.base, secret).get("/api/agent/v1/grants").expect(200);
                first.close(); // SIGTERM, as systemd and Kubernetes stop it
                assertFalse(first.isAlive(), "the portal stopped within 20 s of SIGTERM");
                log = first.logText();
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
