package io.spicegate.agent;

import io.spicegate.protocol.EnrollResponse;
import io.spicegate.protocol.GrantSet;
import io.spicegate.protocol.ProtocolJson;
import io.spicegate.protocol.TicketSet;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToLongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The loop both agent kinds run (DESIGN.md rule 4): enroll once (or read the kept secret), long-poll the portal's
 * {@link PortalClient.Feed feed}, hand every answer to the {@link Workload}, back off while the portal cannot be
 * reached, retry slowly while it refuses the agent, and run the workload's timer. What an answer means, and what
 * "closed" is, belongs to the workload; the threads, the back-off, enrollment and the exit code live here, once.
 */
final class PollLoop<S> {

    private static final Logger LOG = Logger.getLogger(PollLoop.class.getName());
    /** Exit code when the agent cannot run as configured (sysexits EX_CONFIG); systemd does not restart it. */
    static final int EXIT_CONFIG = 78;

    /**
     * What tells the agent kinds apart in the loop: the feed, the answer's version, and the words for the log (what
     * the agent is, what stays while it enforces nothing, what a refusal means, what stays while the portal is away).
     */
    record Kind<S>(PortalClient.Feed<S> feed, ToLongFunction<S> version, String name, String label, String threads,
                   String closed, String whenRefused, String whenUnreachable, String whenStopped) {
    }

    /** The workstation agent: grants, enforced on OUTPUT. */
    static final Kind<GrantSet> WORKSTATION = new Kind<>(PortalClient.Feed.GRANTS, GrantSet::version, "workstation", "agent",
            "spicegate", "only the REJECT rules are in place",
            "workstation removed or disabled, or wrong secret; dropping every grant",
            "grants stay until their lease lapses", "only the REJECT rules remain");
    /** The KVM host agent: one-time passwords, console ports guarded on INPUT. */
    static final Kind<TicketSet> HOST = new Kind<>(PortalClient.Feed.TICKETS, TicketSet::version, "KVM host", "host agent",
            "spicegate-host", "only loopback reaches the console ports",
            "host removed or re-enrolled, or wrong secret; only loopback reaches the console ports now",
            "the allowed workstations stay until the lease lapses",
            "only loopback reaches the console ports");

    /** What one agent kind does with the loop's answers, on the poller thread (and {@link #tick} on the timer's). */
    interface Workload<S> {

        /** Before the first poll: the closed state, from what state.dir kept. */
        void open();

        /** The version to poll after: the portal answers at once when it has a newer one. */
        long after();

        /** The tag of the large part of the answer this agent has (the protected list), so it is not sent again; or null. */
        default String have() {
            return null;
        }

        /** A successful poll (acking what it applied, on this thread or another). */
        void received(S answer, String secret) throws IOException, InterruptedException;

        /** The portal refused the agent (401/403): fail closed. */
        void refused();

        /** Null when the portal enrolled this agent as this kind, else the sentence that stops it. */
        String misenrolled(EnrollResponse enrolled);

        /** The periodic work: expiry, the lease, the repair of the chain. */
        void tick();

        /** After the last poll and tick: leave the closed state. */
        void close();
    }

    private final AgentConfig config;
    private final StateDir state;
    private final Kind<S> kind;
    private final Workload<S> workload;
    private final Duration tickInterval;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final ScheduledExecutorService timer;

    private volatile PortalClient portal;
    private Thread poller;
    private volatile boolean running;
    private volatile String secret;
    // poller thread only: say a change of the portal's reachability once
    private boolean refused;
    private boolean unreachable;

    private final AtomicBoolean stopped = new AtomicBoolean();

    /** A loop of {@code kind} driving {@code workload}, whose timer ticks every {@code tickInterval}. */
    PollLoop(AgentConfig config, StateDir state, Kind<S> kind, Workload<S> workload, Duration tickInterval) {
        this.config = config;
        this.state = state;
        this.kind = kind;
        this.workload = workload;
        this.tickInterval = tickInterval;
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon(kind.threads() + "-timer"));
    }

    /** Lets the workload close what it guards, then starts the poller and the workload's timer. */
    void start() throws IOException {
        workload.open();
        portal = new PortalClient(config, ProtocolJson.mapper());
        running = true;
        poller = new Thread(this::run, kind.threads() + "-poller");
        poller.setDaemon(true);
        poller.start();
        long period = tickInterval.toMillis();
        timer.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
        LOG.info(kind.label() + " started: " + config);
    }

    /** Stops the poller and the timer, then lets the workload close and completes the exit code with 0. */
    void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return; // a refused start stops, and so does the shutdown hook after it
        }
        running = false;
        Thread thread = poller;
        if (thread != null) {
            thread.interrupt();
        }
        timer.shutdownNow();
        if (thread != null) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workload.close();
        exit.complete(0);
        LOG.info(kind.label() + " stopped: " + kind.whenStopped());
    }

    /** Completes with the process exit code: 0 after {@link #stop()}, {@link #EXIT_CONFIG} when enrollment is impossible. */
    CompletableFuture<Integer> exitCode() {
        return exit;
    }

    /** The client to ack with, once started. */
    PortalClient portal() {
        return portal;
    }

    /** The agent's secret once the poller has it, else null. */
    String secret() {
        return secret;
    }

    private void run() {
        try {
            String current = obtainSecret();
            if (current == null) {
                return;
            }
            secret = current;
            long backoff = 1;
            while (running) {
                try {
                    S answer = portal.poll(kind.feed(), current, workload.after(), workload.have());
                    if (refused || unreachable) {
                        LOG.info("portal reachable again (version " + kind.version().applyAsLong(answer) + ")");
                    }
                    refused = false;
                    unreachable = false;
                    workload.received(answer, current);
                    backoff = 1;
                } catch (PortalClient.PortalException e) {
                    if (e.refused()) {
                        if (!refused) {
                            LOG.warning("the portal refused this agent (" + e.getMessage() + "): " + kind.whenRefused()
                                    + ", retrying every " + config.retry().toSeconds() + " s");
                        }
                        refused = true;
                        workload.refused();
                        sleep(config.retry().toSeconds());
                    } else {
                        backoff = unreachable(e, backoff);
                    }
                } catch (IOException | RuntimeException e) {
                    backoff = unreachable(e, backoff);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Says so (once), waits {@code backoff} seconds, and returns the next back-off (doubled, up to the retry). */
    private long unreachable(Exception e, long backoff) throws InterruptedException {
        unreachable(e);
        sleep(backoff);
        return Math.min(backoff * 2, config.retry().toSeconds());
    }

    /** The stored secret, or one got by enrolling; null (and the exit code set) when that is impossible. */
    private String obtainSecret() throws InterruptedException {
        long backoff = 1;
        while (running) {
            try {
                String stored = state.secret();
                if (stored != null) {
                    if (config.enrollmentToken() != null) {
                        LOG.info("already enrolled: enrollment.token is not used again and may be removed from the config");
                    }
                    return stored;
                }
                if (config.enrollmentToken() == null) {
                    fatal("not enrolled: set enrollment.token (shown once when an admin adds this " + kind.name()
                            + ") in the config");
                    return null;
                }
                EnrollResponse enrolled = portal.enroll(config.enrollmentToken(), HostFactsProbe.hostname(config));
                String wrongKind = workload.misenrolled(enrolled);
                if (wrongKind != null) {
                    fatal(wrongKind);
                    return null;
                }
                state.saveSecret(enrolled.secret());
                LOG.info("enrolled as " + kind.name() + " '" + enrolled.name() + "'; secret kept in " + state.secretFile());
                return enrolled.secret();
            } catch (PortalClient.PortalException e) {
                if (e.refused()) {
                    fatal("the portal refused the enrollment token (" + e.getMessage()
                            + "): it is used up or wrong; ask an admin for a new one");
                    return null;
                }
                unreachable(e);
            } catch (IOException | RuntimeException e) {
                unreachable(e);
            }
            sleep(backoff);
            backoff = Math.min(backoff * 2, config.retry().toSeconds());
        }
        return null;
    }

    private void unreachable(Exception e) {
        if (!unreachable) {
            LOG.warning("portal unreachable (" + describe(e) + "); " + kind.whenUnreachable());
        }
        unreachable = true;
    }

    private void fatal(String message) {
        LOG.severe(message + "; " + kind.closed());
        exit.complete(EXIT_CONFIG);
    }

    private void tick() {
        try {
            workload.tick();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "timer: " + describe(e), e);
        }
    }

    /** Waits, but no longer than the agent runs. */
    private void sleep(long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (running && System.nanoTime() < deadline) {
            Thread.sleep(Math.min(200, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
        }
    }

    /** An exception's message, or its class when it has none: for the log. */
    static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** A thread factory of daemon threads named {@code name}. */
    static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
