package io.spicegate.agent;

import io.spicegate.protocol.HostFacts;
import io.spicegate.protocol.ProtocolJson;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The command line: {@code java -jar spicegate-agent.jar [--config FILE] [--apply-base | --remove | --check-drift]}.
 * Without a flag it runs the agent until SIGTERM, which leaves only the REJECT rules; {@code mode=host} runs the
 * KVM host agent instead ({@link HostAgent}).
 */
public final class AgentMain {

    static final String USAGE = """
            usage: java -jar spicegate-agent.jar [--config FILE] [--apply-base | --remove | --check-drift]
              (no flag)       run the agent: enroll once, long-poll the portal, enforce the grants
                              (mode=host: set one-time SPICE passwords, guard the console ports)
              --config FILE   settings (default /etc/spicegate/agent.properties)
              --apply-base    apply the REJECT-only chain (last protected list or console ports) and exit; for boot
              --remove        remove the chain, its jump, the sudoers drop-in and launch files, and exit; for uninstall
              --check-drift   print remote-viewer's owner, group and mode; exit 1 when strict mode's 0750 root:spicegrp drifted
            """;

    private AgentMain() {
    }

    /** Entry point of the agent jar. */
    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", ShutdownSafeLogManager.class.getName());
        }
        configureLogging();
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line and returns the exit code (the agent itself returns only when it stops). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Path configFile = AgentConfig.DEFAULT_FILE;
        String action = "run";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        err.print("--config needs a file\n" + USAGE);
                        return 2;
                    }
                    configFile = Path.of(args[++i]);
                }
                case "--apply-base", "--remove", "--check-drift" -> {
                    if (!action.equals("run")) {
                        err.print("give at most one of --apply-base, --remove, --check-drift\n" + USAGE);
                        return 2;
                    }
                    action = args[i].substring(2);
                }
                case "--help", "-h" -> {
                    out.print(USAGE);
                    return 0;
                }
                default -> {
                    err.print("unknown argument: " + args[i] + "\n" + USAGE);
                    return 2;
                }
            }
        }
        AgentConfig config;
        try {
            if (!Files.isRegularFile(configFile)) {
                err.println("no config file at " + configFile + " (see deploy/agent.properties.example)");
                return Agent.EXIT_CONFIG;
            }
            config = AgentConfig.load(configFile);
        } catch (IOException | IllegalArgumentException e) {
            err.println("cannot read the config: " + e.getMessage());
            return Agent.EXIT_CONFIG;
        }
        CommandRunner runner = CommandRunner.system();
        if (config.mode() == AgentConfig.Mode.HOST) {
            return runHostMode(action, config, runner, out, err);
        }
        Firewall firewall = new Firewall(runner, config.netns());
        try {
            switch (action) {
                case "apply-base" -> {
                    List<io.spicegate.protocol.Destination> destinations =
                            new StateDir(config.stateDir(), ProtocolJson.mapper()).protectedDestinations();
                    firewall.applyBase(destinations);
                    out.println("applied the REJECT-only base for " + destinations.size() + " protected destination(s)");
                    return 0;
                }
                case "remove" -> {
                    firewall.remove();
                    new StrictFiles(config, runner).clear();
                    out.println("removed the " + RestoreScript.CHAIN + " chains, their jumps and the strict-mode files");
                    return 0;
                }
                case "check-drift" -> {
                    return checkDrift(config, out);
                }
                default -> {
                    return serve(config, () -> new Agent(config), err);
                }
            }
        } catch (IOException e) {
            err.println(action + " failed: " + e.getMessage());
            return 1;
        }
    }

    /** The same command line for a KVM host agent: its chain is SPICEGATE-IN, jumped to from INPUT. */
    private static int runHostMode(String action, AgentConfig config, CommandRunner runner, PrintStream out, PrintStream err) {
        HostFirewall firewall = new HostFirewall(runner, config.netns());
        try {
            switch (action) {
                case "apply-base" -> {
                    List<Integer> ports = new StateDir(config.stateDir(), ProtocolJson.mapper()).guardedPorts();
                    firewall.applyBase(ports);
                    out.println("applied the closed base: only loopback reaches the " + ports.size() + " console port(s)");
                    return 0;
                }
                case "remove" -> {
                    firewall.remove();
                    out.println("removed the " + InputScript.CHAIN + " chains and their jumps");
                    return 0;
                }
                case "check-drift" -> {
                    out.println("mode=host: there is no remote-viewer to check on a KVM host");
                    return 0;
                }
                default -> {
                    return serve(config, () -> new HostAgent(config), err);
                }
            }
        } catch (IOException e) {
            err.println(action + " failed: " + e.getMessage());
            return 1;
        }
    }

    private static int checkDrift(AgentConfig config, PrintStream out) {
        HostFacts facts = new HostFactsProbe(config).facts();
        out.println(facts.remoteViewerPath() + ": " + (facts.remoteViewerOwner() == null ? "missing"
                : facts.remoteViewerOwner() + ":" + facts.remoteViewerGroup() + " " + facts.remoteViewerMode()));
        if (!config.strict()) {
            out.println("strict=false: remote-viewer's permissions are not enforced on this workstation");
            return 0;
        }
        if (facts.drift() != null) {
            out.println("DRIFT: " + facts.drift());
            return 1;
        }
        out.println("ok: root:" + config.strictGroup() + " 0750");
        return 0;
    }

    /** Runs the agent of either kind until it stops: after SIGTERM, or at once when it cannot run as configured. */
    private static int serve(AgentConfig config, Supplier<PollingAgent<?>> kind, PrintStream err) {
        String missing = config.missingForPortal();
        if (missing != null) {
            err.println("cannot start the agent: " + missing);
            return Agent.EXIT_CONFIG;
        }
        PollingAgent<?> agent = kind.get();
        Runtime.getRuntime().addShutdownHook(new Thread(agent::stop, "spicegate-shutdown"));
        try {
            agent.start();
        } catch (IOException e) {
            err.println("cannot start the agent: " + e.getMessage());
            agent.stop();
            return Agent.EXIT_CONFIG;
        }
        return agent.exitCode().join();
    }

    /** One concise line per record on stderr (journald adds the time); JUL's own config wins when set. */
    private static void configureLogging() {
        if (System.getProperty("java.util.logging.config.file") != null) {
            return;
        }
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new LineFormatter());
        root.addHandler(handler);
    }

    /**
     * JUL's own shutdown hook closes every handler, racing the agent's hook that restores the REJECT-only base:
     * this manager keeps logging through shutdown, so the last lines (and any failure) still reach the journal.
     */
    public static final class ShutdownSafeLogManager extends java.util.logging.LogManager {

        @Override
        public void reset() {
            // deliberately kept: handlers live until the JVM is gone
        }
    }

    /** {@code LEVEL message}, plus the exception's message (no stack trace) when there is one. */
    static final class LineFormatter extends Formatter {

        @Override
        public String format(LogRecord record) {
            String line = record.getLevel().getName() + " " + formatMessage(record);
            if (record.getThrown() != null) {
                line += " (" + record.getThrown() + ")";
            }
            return line + System.lineSeparator();
        }
    }
}
