package io.spicegate.agent;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Commands for the tests that need root, iptables and namespaces: a missing tool or privilege fails loudly. */
final class Sh {

    private static final CommandRunner RUNNER = CommandRunner.system();

    private Sh() {
    }

    /** Runs a command and returns its stdout; fails the test when it exits non-zero. */
    static String run(String... argv) {
        CommandRunner.Result result = tryRun(argv);
        if (!result.ok()) {
            fail(String.join(" ", argv) + " failed (" + result.exitCode() + "): " + result.stderr() + result.stdout());
        }
        return result.stdout();
    }

    /** Runs a command and returns what it did; fails the test only when it cannot be started. */
    static CommandRunner.Result tryRun(String... argv) {
        try {
            return RUNNER.run(List.of(argv), null);
        } catch (IOException e) {
            return fail("cannot run " + argv[0] + " (is it installed?): " + e.getMessage());
        }
    }

    /** These tests change the firewall, users and sudoers of the machine: they must run as root (CI does). */
    static void requireRoot(String... tools) {
        assertEquals("root", System.getProperty("user.name"), "this test needs root (CI runs as root)");
        for (String tool : tools) {
            if (CommandRunner.locate(tool).equals(tool)) {
                fail(tool + " is not installed; the agent's tests need iproute2, iptables, python3 and sudo");
            }
        }
    }

    /** A short random suffix for names of namespaces, users and groups. */
    static String random() {
        return String.format("%06x", java.util.concurrent.ThreadLocalRandom.current().nextInt(0x1000000));
    }

    /** The rules of the agent's chain in a namespace, without the {@code -N} line. */
    static List<String> chain(String netns, Family family) {
        return run("ip", "netns", "exec", netns, family.tables(), "-S", RestoreScript.CHAIN).lines()
                .filter(l -> l.startsWith("-A ")).toList();
    }

    /** The rules of OUTPUT in a namespace. */
    static List<String> output(String netns, Family family) {
        return run("ip", "netns", "exec", netns, family.tables(), "-S", "OUTPUT").lines()
                .filter(l -> l.startsWith("-A ")).toList();
    }
}
