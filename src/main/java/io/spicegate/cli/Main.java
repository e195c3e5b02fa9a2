package io.spicegate.cli;

import java.util.Arrays;
import java.util.List;

/**
 * The {@code spicegate} command for people at a workstation ({@code java -jar spicegate-cli.jar}, installed as
 * {@code /usr/bin/spicegate}): see {@link #USAGE}. Every failure is one sentence on stderr, prefixed
 * {@code spicegate: }, never a stack trace; exit 0 ok, 2 usage, 3 refused by the portal, 4 portal unreachable.
 */
public final class Main {

    static final String USAGE = """
            usage: spicegate <command> [arguments]
              login                          ask for the portal's URL and a personal API token (My account), check
                                             them and save them to ~/.config/spicegate/cli.properties (0600)
              consoles [--json]              my consoles: may I use them now, until when, next window, in use by whom
              open <console> [--minutes N] [--vv-out FILE]
                                             open (or re-open) my session, wait for the agents, start remote-viewer
                                             (strict workstation: run spicegate-open); --vv-out writes the one-shot
                                             launch file to FILE (0600, must not exist) and starts nothing
              sessions [--json]              my sessions
              end <console|id>               end my session (a console name: my active session on it)
              extend <console|id> [--minutes N]
                                             move my session's end N minutes later (default 30)
              request <console> --at TIME --minutes N --reason TEXT
                                             ask an approver for off-hours access; TIME is an ISO instant
                                             (2026-12-03T17:00:00Z) or a local date-time (2026-12-03T18:00)
              help, --help                   this text
              --version                      the version
            settings: SPICEGATE_URL and SPICEGATE_TOKEN (and SPICEGATE_CA, a PEM file to trust for https) win over
              the keys url, token and ca of $XDG_CONFIG_HOME/spicegate/cli.properties (default ~/.config/...)
            exit codes: 0 ok, 2 usage or no settings, 3 refused by the portal, 4 portal unreachable
            """;

    private Main() {
    }

    /** Entry point of the command's jar. */
    public static void main(String[] args) {
        Terminal terminal = Terminal.system();
        int code = run(args, terminal);
        terminal.out().flush();
        System.exit(code);
    }

    /** Runs one command line and returns its exit code; failures are printed as one line on stderr. */
    static int run(String[] args, Terminal t) {
        try {
            if (args.length == 0) {
                throw CliException.usage("Name a command (login, consoles, open, sessions, end, extend, request): run spicegate --help.");
            }
            List<String> rest = Arrays.asList(args).subList(1, args.length);
            switch (args[0]) {
                case "help", "--help", "-h" -> {
                    t.out().print(USAGE);
                    return 0;
                }
                case "--version", "version" -> {
                    if (!rest.isEmpty()) {
                        throw CliException.usage(args[0] + " takes nothing after it: run spicegate --version.");
                    }
                    t.out().println("spicegate " + version());
                    return 0;
                }
                default -> {
                    if (rest.contains("--help") || rest.contains("-h")) {
                        t.out().print(USAGE);
                        return 0;
                    }
                    return new Commands(t).run(args[0], rest);
                }
            }
        } catch (CliException e) {
            t.err().println("spicegate: " + e.getMessage());
            return e.exitCode();
        } catch (RuntimeException e) {
            t.err().println("spicegate: unexpected failure (" + reason(e) + "); please report it.");
            return 1;
        }
    }

    /** The jar's version (its manifest's Implementation-Version), "dev" when run from classes. */
    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    /** {@code text} with every character outside printable ASCII as '?', cut to {@code max} characters. */
    static String printable(String text, int max) {
        String cut = text.length() > max ? text.substring(0, max) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** A throwable's message (or its kind), printable and short, for the end of a sentence. */
    static String reason(Throwable e) {
        String message = e.getMessage();
        String text = message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
        while (text.endsWith(".")) {
            text = text.substring(0, text.length() - 1);
        }
        return printable(text, 200);
    }
}
