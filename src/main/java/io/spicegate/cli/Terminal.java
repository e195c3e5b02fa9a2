package io.spicegate.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;

/**
 * What one run of the command sees of the world: environment variables, stdin/stdout/stderr, the console (null when
 * stdin is not a terminal), the clock and the zone times are shown in, and how long {@code open} waits for the
 * agents. Tests hand in their own.
 */
record Terminal(Map<String, String> env, BufferedReader in, PrintStream out, PrintStream err, Console console,
                Clock clock, ZoneId zone, Duration openWait) {

    /** How long {@code open} waits for the firewall and the ticket, like the page does, before giving up. */
    static final Duration OPEN_WAIT = Duration.ofSeconds(60);

    /** The real process: its environment, its streams, the system clock and the local zone ({@code TZ}). */
    static Terminal system() {
        Console console = System.console();
        Charset charset = console != null ? console.charset() : Charset.defaultCharset();
        return new Terminal(System.getenv(), new BufferedReader(new InputStreamReader(System.in, charset)), System.out,
                System.err, console, Clock.systemUTC(), ZoneId.systemDefault(), OPEN_WAIT);
    }

    /** A variable's value, or null when it is unset or blank. */
    String env(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** The user's home: {@code $HOME}, else the JVM's idea of it. */
    Path home() {
        String home = env("HOME");
        return Path.of(home != null ? home : System.getProperty("user.home"));
    }
}
