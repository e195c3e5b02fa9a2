package io.spicegate.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The commands against a fake {@code /api/v1}: what they call, what they print, and how every failure maps to one
 * line and an exit code (4xx refused: 3; no answer or a lasting 5xx: 4), with the token never printed; open's wait
 * for the agents, its one-shot file (0600) and its viewer.
 */
class CliPortalTest {

    static final String ID = "0f8c2a8e-1111-4222-8333-444455556666";
    static final String OTHER = "1f8c2a8e-1111-4222-8333-444455556666";
    static final String VV = "[virt-viewer]\ntype=spice\nhost=127.0.0.1\ntls-port=20002\npassword=one-time-secret\ndelete-this-file=1\n";

    @TempDir
    Path dir;
    FakeApi api;

    @BeforeEach
    void start() throws IOException {
        api = new FakeApi();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    static String session(String id, String console, String state, String firewall, String ticket, String vvUrl,
                          String command, String problem) {
        return """
                {"id": "%s", "console": "%s", "workstation": "mylap", "startsAt": "2026-12-03T16:35:00Z",
                 "endsAt": "2026-12-03T17:05:00Z", "state": "%s", "secondsLeft": 1800, "vvUrl": %s,
                 "vvAvailable": %s, "firewall": "%s", "ticket": "%s", "command": %s, "problem": %s}
                """.formatted(id, console, state, vvUrl == null ? "null" : "\"" + vvUrl + "\"", vvUrl != null, firewall,
                ticket, command == null ? "null" : "\"" + command + "\"", problem == null ? "null" : "\"" + problem + "\"");
    }

    static String ready(String id) {
        return session(id, "debianx", "ACTIVE", "none", "none", "/api/v1/sessions/" + id + "/console.vv", null, null);
    }

    void assertOneLineAndNoToken(FakeApi.Result r) {
        assertEquals(1, r.err().lines().count(), "one line on stderr: " + r.err());
        assertTrue(r.err().startsWith("spicegate: "), r.err());
        assertFalse(r.all().contains(FakeApi.TOKEN), "the token was printed");
    }

    @Test
    void consolesAsATableAndAsTheApisJson() {
        String json = "[{\"name\":\"debianx\",\"decision\":\"ALLOWED\",\"until\":null,\"nextWindowStart\":null,\"inUseBy\":null}]";
        api.answer = c -> FakeApi.Reply.json(200, json);
        FakeApi.Result table = api.run("consoles");
        assertEquals(0, table.code());
        assertEquals("CONSOLE  NOW      UNTIL  NEXT WINDOW  IN USE\ndebianx  allowed  -      -            -\n", table.out());
        FakeApi.Result raw = api.run("consoles", "--json");
        assertEquals(json + "\n", raw.out());
        assertEquals(List.of("Bearer " + FakeApi.TOKEN), api.calls.stream().map(FakeApi.Call::authorization).distinct().toList());
    }

    @Test
    void aRefusalIsThePortalsSentenceWithExit3() {
        api.answer = c -> FakeApi.Reply.json(404, "{\"error\": \"There is no console 'nosuch'.\"}");
        FakeApi.Result r = api.run("open", "nosuch", "--vv-out", dir.resolve("x.vv").toString());
        assertEquals(3, r.code());
        assertEquals("spicegate: There is no console 'nosuch'.\n", r.err());
        assertFalse(Files.exists(dir.resolve("x.vv")), "the file made for the launch file is gone again");
        assertOneLineAndNoToken(r);

        api.answer = c -> FakeApi.Reply.json(401, "{\"error\": \"This token is not valid (revoked, expired or unknown).\"}");
        FakeApi.Result unauthorized = api.run("sessions");
        assertEquals(3, unauthorized.code());
        assertEquals("spicegate: This token is not valid (revoked, expired or unknown). Make a new token on My account "
                + "and run spicegate login.\n", unauthorized.err());

        api.answer = c -> new FakeApi.Reply(302, "", Map.of("Location", "/login"));
        FakeApi.Result redirect = api.run("consoles");
        assertEquals(3, redirect.code());
        assertOneLineAndNoToken(redirect);

        api.answer = c -> new FakeApi.Reply(200, "<html>hello</html>", Map.of("Content-Type", "text/html"));
        FakeApi.Result html = api.run("consoles");
        assertEquals(3, html.code());
        assertTrue(html.err().contains("is not the portal's JSON"), html.err());
    }

    @Test
    void a503IsAskedAgainAndALasting5xxIsUnreachable() {
        AtomicInteger calls = new AtomicInteger();
        api.answer = c -> calls.incrementAndGet() < 3
                ? new FakeApi.Reply(503, "{\"error\": \"Restarting: try again.\"}", Map.of("Retry-After", "1"))
                : FakeApi.Reply.json(200, "[]");
        assertEquals(0, api.run("sessions").code());
        assertEquals(3, calls.get());

        api.answer = c -> new FakeApi.Reply(503, "{\"error\": \"Not ready yet.\"}", Map.of("Retry-After", "1"));
        api.calls.clear();
        FakeApi.Result busy = api.run("sessions");
        assertEquals(4, busy.code());
        assertEquals(PortalApi.ATTEMPTS, api.calls.size());
        assertEquals("spicegate: The portal at " + api.url() + " failed (HTTP 503: Not ready yet.); try again in a minute.\n", busy.err());

        api.answer = c -> FakeApi.Reply.json(500, "{\"error\": \"Something broke.\"}");
        FakeApi.Result broken = api.run("consoles");
        assertEquals(4, broken.code());
        assertOneLineAndNoToken(broken);
    }

    @Test
    void aClosedPortIsUnreachable() throws IOException {
        String closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = "http://127.0.0.1:" + s.getLocalPort();
        }
        Map<String, String> env = new java.util.HashMap<>(api.env());
        env.put("SPICEGATE_URL", closed);
        FakeApi.Result r = FakeApi.run(env, "", "consoles");
        assertEquals(4, r.code());
        assertEquals("spicegate: Cannot reach the portal at " + closed + ": connection refused.\n", r.err());
        assertOneLineAndNoToken(r);
    }

    @Test
    void openWaitsForTheAgentsThenWritesThePrivateFile() throws IOException {
        AtomicInteger polls = new AtomicInteger();
        AtomicInteger downloads = new AtomicInteger();
        api.answer = c -> switch (c.method() + " " + c.path()) {
            case "POST /api/v1/sessions" -> FakeApi.Reply.json(201, session(ID, "debianx", "ACTIVE", "pending", "none",
                    "/api/v1/sessions/" + ID + "/console.vv", null, null));
            case "GET /api/v1/sessions/" + ID -> FakeApi.Reply.json(200, polls.incrementAndGet() < 2
                    ? session(ID, "debianx", "ACTIVE", "ready", "pending", "/api/v1/sessions/" + ID + "/console.vv", null, null)
                    : ready(ID));
            case "GET /api/v1/sessions/" + ID + "/console.vv" -> downloads.incrementAndGet() == 1
                    ? new FakeApi.Reply(503, "{\"error\": \"Not yet.\"}", Map.of("Retry-After", "1"))
                    : new FakeApi.Reply(200, VV, Map.of("Content-Type", "application/x-virt-viewer"));
            default -> FakeApi.Reply.json(404, "{\"error\": \"no\"}");
        };
        Path out = dir.resolve("debianx.vv");
        FakeApi.Result r = api.run("open", "debianx", "--minutes", "30", "--vv-out", out.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(out + "\n", r.out());
        assertEquals("Waiting for the Spicegate agents to get debianx ready on mylap (up to 4 s)...\n", r.err());
        assertEquals(VV, Files.readString(out));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        assertEquals("{\"console\":\"debianx\",\"minutes\":30}", api.calls.get(0).body());
        assertEquals(2, polls.get(), "re-read while the ticket was pending, not after it was ready");
        assertFalse(r.all().contains("one-time-secret"), "the launch file's content is never printed");
    }

    @Test
    void openNeverOverwritesAFile() throws IOException {
        Path out = Files.writeString(dir.resolve("mine.vv"), "keep me");
        FakeApi.Result r = api.run("open", "debianx", "--vv-out", out.toString());
        assertEquals(2, r.code());
        assertEquals("spicegate: " + out + " already exists: give --vv-out a new file's name (spicegate never overwrites one).\n", r.err());
        assertEquals("keep me", Files.readString(out));
        assertEquals(List.of(), api.calls, "nothing opened, so no one-shot file was spent");
    }

    @Test
    void aProblemEndsTheWaitWithItsSentence() {
        String problem = "The agent on mylap did not answer within 20 s: ask your administrator to check it.";
        api.answer = c -> c.method().equals("POST")
                ? FakeApi.Reply.json(201, session(ID, "debianx", "ACTIVE", "pending", "none", "/api/v1/sessions/" + ID + "/console.vv", null, null))
                : FakeApi.Reply.json(200, session(ID, "debianx", "ACTIVE", "error", "none", "/api/v1/sessions/" + ID + "/console.vv", null, problem));
        FakeApi.Result r = api.run("open", "debianx", "--vv-out", dir.resolve("p.vv").toString());
        assertEquals(3, r.code());
        assertEquals("spicegate: " + problem + "\n", r.err().lines().skip(1).findFirst().orElse("") + "\n");
        assertFalse(Files.exists(dir.resolve("p.vv")));
        assertFalse(r.all().contains(FakeApi.TOKEN));
    }

    @Test
    void theWaitIsBounded() {
        api.answer = c -> FakeApi.Reply.json(c.method().equals("POST") ? 201 : 200,
                session(ID, "debianx", "ACTIVE", "pending", "none", "/api/v1/sessions/" + ID + "/console.vv", null, null));
        FakeApi.Result r = api.run("open", "debianx", "--vv-out", dir.resolve("w.vv").toString());
        assertEquals(4, r.code());
        assertTrue(r.err().endsWith("spicegate: The Spicegate agents did not get debianx ready within 4 s: run spicegate "
                + "open debianx again, or ask your administrator.\n"), r.err());
        assertTrue(api.calls.stream().noneMatch(c -> c.path().endsWith("/console.vv")), "no launch file fetched");
    }

    @Test
    void aStrictWorkstationHasNoFileToWrite() {
        api.answer = c -> FakeApi.Reply.json(201, session(ID, "debianx", "ACTIVE", "pending", "none", null, "spicegate-open debianx", null));
        FakeApi.Result r = api.run("open", "debianx", "--vv-out", dir.resolve("s.vv").toString());
        assertEquals(3, r.code());
        assertEquals("spicegate: mylap is a strict workstation: the portal never hands out its launch files, so --vv-out "
                + "cannot work here; run spicegate open debianx without it.\n", r.err());
        assertFalse(Files.exists(dir.resolve("s.vv")));
    }

    @Test
    void aStrictCommandOfAnotherShapeIsNeverRun() {
        api.answer = c -> FakeApi.Reply.json(201, session(ID, "debianx", "ACTIVE", "ready", "none", null, "rm -rf /", null));
        Map<String, String> env = new java.util.HashMap<>(api.env());
        env.put("SPICEGATE_VIEWER", "/bin/true");
        FakeApi.Result r = FakeApi.run(env, "", "open", "debianx");
        assertEquals(3, r.code());
        assertEquals("spicegate: The portal asks to run 'rm -rf /', which is not spicegate-open <console>: not run.\n", r.err());
    }

    @Test
    void openStartsTheViewerOnAPrivateFileInTheRuntimeDir() throws Exception {
        api.answer = c -> switch (c.method() + " " + c.path()) {
            case "POST /api/v1/sessions" -> FakeApi.Reply.json(201, ready(ID));
            case "GET /api/v1/sessions/" + ID + "/console.vv" -> new FakeApi.Reply(200, VV, Map.of("Content-Type", "application/x-virt-viewer"));
            default -> FakeApi.Reply.json(404, "{\"error\": \"no\"}");
        };
        Path runtime = Files.createDirectory(dir.resolve("run"));
        Path log = dir.resolve("viewer.log");
        Path viewer = dir.resolve("fake-viewer");
        // records the file it got, its mode and content, then deletes it as remote-viewer does (delete-this-file=1)
        Files.writeString(viewer, "#!/bin/sh\n{ echo \"$1\"; stat -c %a \"$1\"; cat \"$1\"; } > " + log + ".tmp\nrm -f \"$1\"\nmv "
                + log + ".tmp " + log + "\n");
        Files.setPosixFilePermissions(viewer, PosixFilePermissions.fromString("rwx------"));
        Map<String, String> env = new java.util.HashMap<>(api.env());
        env.put("SPICEGATE_VIEWER", viewer.toString());
        env.put("XDG_RUNTIME_DIR", runtime.toString());
        FakeApi.Result r = FakeApi.run(env, "", "open", "debianx");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().matches("Started remote-viewer \\(PID \\d+\\) on debianx; your session ends at "
                + "2026-12-03 18:05 CET \\(in 30 min\\)\\.\n"), r.out());
        long pid = Long.parseLong(r.out().replaceAll("(?s).*PID (\\d+).*", "$1"));
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().orTimeout(10, TimeUnit.SECONDS).join());
        List<String> seen = Files.readAllLines(log);
        Path file = Path.of(seen.get(0));
        assertEquals(runtime, file.getParent());
        assertTrue(file.getFileName().toString().matches("spicegate-debianx-.*\\.vv"), file.toString());
        assertEquals("600", seen.get(1));
        assertEquals(VV, String.join("\n", seen.subList(2, seen.size())) + "\n");
    }

    @Test
    void openFindsTheViewerBeforeItOpensAnything() {
        Map<String, String> env = new java.util.HashMap<>(api.env());
        env.put("SPICEGATE_VIEWER", dir.resolve("no-such-viewer").toString());
        FakeApi.Result r = FakeApi.run(env, "", "open", "debianx");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("spicegate: Cannot find " + dir.resolve("no-such-viewer")), r.err());
        assertEquals(List.of(), api.calls);
        env.remove("SPICEGATE_VIEWER");
        env.put("PATH", dir.toString());
        assertEquals("spicegate: Cannot find remote-viewer to start: install virt-viewer (apt install virt-viewer), "
                + "set SPICEGATE_VIEWER, or use --vv-out FILE.\n", FakeApi.run(env, "", "open", "debianx").err());
    }

    @Test
    void endAndExtendNameASessionByItsConsole() {
        String two = "[" + ready(ID) + "," + ready(OTHER).replace("mylap", "otherlap") + "]";
        api.answer = c -> c.method().equals("GET") ? FakeApi.Reply.json(200, two) : fail("nothing may change: " + c);
        FakeApi.Result several = api.run("end", "debianx");
        assertEquals(3, several.code());
        assertEquals("spicegate: You have 2 active sessions on debianx: " + ID + " (on mylap), " + OTHER
                + " (on otherlap); name one by its id.\n", several.err());

        String mine = "[" + ready(ID) + "," + session(OTHER, "debianx", "ENDED", "none", "none", null, null, null) + "]";
        api.answer = c -> switch (c.method() + " " + c.path()) {
            case "GET /api/v1/sessions" -> FakeApi.Reply.json(200, mine);
            case "DELETE /api/v1/sessions/" + ID -> FakeApi.Reply.json(200, session(ID, "debianx", "ENDED", "none", "none", null, null, null));
            case "POST /api/v1/sessions/" + ID + "/extend" -> FakeApi.Reply.json(200, ready(ID).replace("17:05", "17:35"));
            default -> FakeApi.Reply.json(404, "{\"error\": \"no\"}");
        };
        api.calls.clear();
        FakeApi.Result extend = api.run("extend", "debianx");
        assertEquals(0, extend.code(), extend.toString());
        assertEquals("debianx now ends at 2026-12-03 18:35 CET (in 1 h).\n", extend.out());
        assertEquals("{\"minutes\":30}", api.calls.get(1).body());
        FakeApi.Result end = api.run("end", "debianx");
        assertEquals("Ended your session on debianx (" + ID + ").\n", end.out());
        assertEquals("DELETE /api/v1/sessions/" + ID, api.calls.get(3).method() + " " + api.calls.get(3).path());

        api.calls.clear();
        assertEquals(0, api.run("end", ID.toUpperCase()).code());
        assertEquals(List.of("DELETE /api/v1/sessions/" + ID), api.calls.stream().map(c -> c.method() + " " + c.path()).toList());

        api.answer = c -> FakeApi.Reply.json(200, "[]");
        FakeApi.Result none = api.run("extend", "leaptest", "--minutes", "10");
        assertEquals(3, none.code());
        assertEquals("spicegate: You have no active session on leaptest: spicegate sessions lists yours.\n", none.err());
    }

    @Test
    void requestSendsTheLocalTimeAsAnInstant() {
        api.answer = c -> FakeApi.Reply.json(201, """
                {"id": 7, "console": "leaptest", "start": "2026-12-05T18:00:00Z", "minutes": 90, "reason": "release",
                 "state": "PENDING"}""");
        FakeApi.Result r = api.run("request", "leaptest", "--at", "2026-12-05 19:00", "--minutes", "90", "--reason", "release night");
        assertEquals(0, r.code(), r.toString());
        assertEquals("{\"console\":\"leaptest\",\"start\":\"2026-12-05T18:00:00Z\",\"minutes\":90,\"reason\":\"release night\"}",
                api.calls.get(0).body());
        assertEquals("Asked for leaptest from 2026-12-05 19:00 CET for 90 min (request 7, pending); an approver answers on the portal.\n", r.out());
        assertEquals(0, api.run("request", "leaptest", "--at=2026-12-05T18:00:00Z", "--minutes=90", "--reason=x").code());
        assertTrue(api.calls.get(1).body().contains("\"start\":\"2026-12-05T18:00:00Z\""));
    }
}
