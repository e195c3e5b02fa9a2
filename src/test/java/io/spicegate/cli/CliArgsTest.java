package io.spicegate.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line: help and version, and every malformed command refused with exit 2 and one sentence naming
 * what was wrong, before any call reaches the portal.
 */
class CliArgsTest {

    FakeApi api;

    @BeforeEach
    void start() throws IOException {
        api = new FakeApi();
        api.answer = c -> FakeApi.Reply.json(200, "[]");
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void helpListsEveryCommandOnStdout() {
        for (String help : List.of("--help", "help", "-h")) {
            FakeApi.Result r = api.run(help);
            assertEquals(0, r.code());
            assertEquals("", r.err());
            for (String command : List.of("login", "consoles [--json]", "open <console> [--minutes N] [--vv-out FILE]",
                    "sessions", "end <console|id>", "extend <console|id> [--minutes N]",
                    "request <console> --at TIME --minutes N --reason TEXT", "exit codes: 0 ok, 2 usage")) {
                assertTrue(r.out().contains(command), command + " in:\n" + r.out());
            }
        }
        assertEquals(0, api.run("open", "--help").code());
        assertEquals(List.of(), api.calls);
    }

    @Test
    void versionIsOneLine() {
        FakeApi.Result r = api.run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().matches("spicegate \\S+\n"), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "frobnicate",
            "open",
            "open debianx leaptest",
            "open debianx --minutes",
            "open debianx --minutes 0",
            "open debianx --minutes ten",
            "open debianx --minutes=99999",
            "open debianx -m 5",
            "open debianx --bogus",
            "consoles extra",
            "consoles --json --json",
            "sessions --table",
            "end",
            "extend debianx --minutes -3",
            "request debianx --minutes 30 --reason late",
            "request debianx --at tomorrow --minutes 30 --reason late",
            "request debianx --at 2026-12-05T19:00 --reason late",
            "request debianx --at 2026-12-05T19:00 --minutes 30",
            "login now",
            "--version extra",
            "version --json",
    })
    void malformedCommandsAreUsageErrorsAndCallNothing(String line) {
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        FakeApi.Result r = api.run(args);
        assertEquals(2, r.code(), line + " -> " + r);
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("spicegate: "), r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertEquals(List.of(), api.calls, "no call for a usage error");
    }

    @Test
    void aUsageErrorSaysWhatWasWrongAndHowToCallIt() {
        assertEquals("spicegate: open: missing <console>; usage: spicegate open <console> [--minutes N] [--vv-out FILE].\n",
                api.run("open").err());
        assertEquals("spicegate: There is no command 'frobnicate': run spicegate --help for the list.\n",
                api.run("frobnicate").err());
        assertEquals("spicegate: extend: --minutes takes whole minutes from 1 to 10080, not '-3'; usage: spicegate "
                + "extend <console|id> [--minutes N].\n", api.run("extend", "debianx", "--minutes=-3").err());
    }
}
