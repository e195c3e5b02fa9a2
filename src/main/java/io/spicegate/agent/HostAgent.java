package io.spicegate.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.spicegate.protocol.EnrollResponse;
import io.spicegate.protocol.GrantError;
import io.spicegate.protocol.ProtocolJson;
import io.spicegate.protocol.TicketAck;
import io.spicegate.protocol.TicketJob;
import io.spicegate.protocol.TicketSet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The KVM host agent ({@code mode=host}, DESIGN.md): enrolls once with a host token, long-polls the portal's
 * ticket set, and for every new session (and re-open) sets that session's one-time SPICE password with a short
 * expiry on the VM (QMP {@code set_password} + {@code expire_password}, or libvirt {@code passwdValidTo}), then
 * acks, so the portal hands out the launch file only once the VM accepts it. It also owns the {@code SPICEGATE-IN}
 * chain: only loopback and enrolled, active workstations reach the console ports. Fail closed: on start, on stop,
 * when the portal refuses the agent and when no poll succeeded within the lease, only loopback gets in.
 */
public final class HostAgent {

    private static final Logger LOG = Logger.getLogger(HostAgent.class.getName());
    private static final long REAPPLY_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);

    private final AgentConfig config;
    private final Ticker ticker;
    private final Duration tickInterval;
    private final ObjectMapper mapper = ProtocolJson.mapper();
    private final HostFirewall firewall;
    private final Libvirt libvirt;
    private final StateDir state;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "spicegate-host-timer");
        thread.setDaemon(true);
        return thread;
    });

    private PortalClient portal;
    private Thread poller;
    private volatile boolean running;
    // guarded by this
    private List<String> allowed = List.of();
    private List<Integer> ports = List.of();
    private long version = -1;
    private long leaseDeadline;
    private boolean leaseRunning;
    private boolean refused;
    private boolean unreachable;
    private long lastApply;
    /** session → SHA-256 of the password set on its VM: a ticket listed again (a lost ack) is not set twice. */
    private final Map<String, String> set = new HashMap<>();

    /** A host agent on the real clocks, checking its lease every 200 ms. */
    public HostAgent(AgentConfig config) {
        this(config, Ticker.SYSTEM, CommandRunner.system(), Clock.systemUTC(), Duration.ofMillis(200));
    }

    /** A host agent with injected clocks and command runner (tests). */
    public HostAgent(AgentConfig config, Ticker ticker, CommandRunner runner, Clock wallClock, Duration tickInterval) {
        this.config = config;
        this.ticker = ticker;
        this.tickInterval = tickInterval;
        this.firewall = new HostFirewall(runner, config.netns());
        this.libvirt = new Libvirt(runner, config.libvirtUri(), wallClock);
        this.state = new StateDir(config.stateDir(), mapper);
    }

    /** Closes the console ports to all but loopback (the last known ports, kept in state.dir), then starts polling. */
    public synchronized void start() throws IOException {
        try {
            ports = state.guardedPorts();
        } catch (IOException e) {
            LOG.warning("cannot read the last console ports in " + config.stateDir() + ": " + e.getMessage());
        }
        applyFirewall();
        portal = new PortalClient(config, mapper);
        running = true;
        lastApply = ticker.nanos();
        poller = new Thread(this::pollLoop, "spicegate-host-poller");
        poller.setDaemon(true);
        poller.start();
        long period = tickInterval.toMillis();
        timer.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
        LOG.info("host agent started: " + config);
    }

    /** Stops polling and lets only loopback reach the console ports. Safe to call twice. */
    public void stop() {
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
        synchronized (this) {
            allowed = List.of();
            applyFirewall();
        }
        exit.complete(0);
        LOG.info("host agent stopped: only loopback reaches the console ports");
    }

    /** Completes with the process exit code: 0 after {@link #stop()}, {@link Agent#EXIT_CONFIG} when enrollment is impossible. */
    public CompletableFuture<Integer> exitCode() {
        return exit;
    }

    private void pollLoop() {
        try {
            String secret = obtainSecret();
            if (secret == null) {
                return;
            }
            long backoff = 1;
            boolean full = true;
            while (running) {
                long after;
                synchronized (this) {
                    after = full ? -1 : version;
                }
                try {
                    TicketSet received = portal.pollTickets(secret, after);
                    TicketAck ack = onTicketSet(received);
                    full = false;
                    if (ack != null) {
                        full = true; // until the ack is in, ask for the whole set again at once
                        portal.ackTickets(secret, ack);
                        full = false;
                    }
                    backoff = 1;
                } catch (PortalClient.PortalException e) {
                    if (e.refused()) {
                        onRefused(e);
                        sleep(config.retry().toSeconds());
                    } else {
                        onUnreachable(e);
                        sleep(backoff);
                        backoff = Math.min(backoff * 2, config.retry().toSeconds());
                    }
                } catch (IOException | RuntimeException e) {
                    onUnreachable(e);
                    sleep(backoff);
                    backoff = Math.min(backoff * 2, config.retry().toSeconds());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The stored secret, or one got by enrolling with a host token; null (and the exit code set) when impossible. */
    private String obtainSecret() throws InterruptedException {
        long backoff = 1;
        while (running) {
            try {
                String stored = state.secret();
                if (stored != null) {
                    return stored;
                }
                if (config.enrollmentToken() == null) {
                    fatal("not enrolled: set enrollment.token (shown once when an admin adds this KVM host) in the config");
                    return null;
                }
                EnrollResponse enrolled = portal.enroll(config.enrollmentToken(), HostFactsProbe.hostname(config));
                if (!"host".equals(enrolled.mode())) {
                    fatal("the portal enrolled this agent as a " + enrolled.mode() + ", not as a KVM host: give it the token"
                            + " from POST /api/v1/admin/hosts (or /hosts/{id}/enrollment)");
                    return null;
                }
                state.saveSecret(enrolled.secret());
                LOG.info("enrolled as KVM host '" + enrolled.name() + "'; secret kept in " + state.secretFile());
                return enrolled.secret();
            } catch (PortalClient.PortalException e) {
                if (e.refused()) {
                    fatal("the portal refused the enrollment token (" + e.getMessage()
                            + "): it is used up or wrong; ask an admin for a new one");
                    return null;
                }
                onUnreachable(e);
            } catch (IOException | RuntimeException e) {
                onUnreachable(e);
            }
            sleep(backoff);
            backoff = Math.min(backoff * 2, config.retry().toSeconds());
        }
        return null;
    }

    private void fatal(String message) {
        LOG.severe(message + "; only loopback reaches the console ports");
        exit.complete(Agent.EXIT_CONFIG);
    }

    /**
     * A successful poll: renew the lease, take the allowed sources and ports, set the new passwords. Returns the
     * ack to send, or null when there is nothing new to report.
     */
    synchronized TicketAck onTicketSet(TicketSet received) {
        long now = ticker.nanos();
        if (refused || unreachable) {
            LOG.info("portal reachable again (version " + received.version() + ")");
        }
        refused = false;
        unreachable = false;
        leaseDeadline = now + TimeUnit.SECONDS.toNanos(Math.max(1, received.leaseSeconds()));
        leaseRunning = true;
        allowed = usableSources(received.allowed());
        List<Integer> nextPorts = received.ports() == null ? List.of()
                : received.ports().stream().filter(p -> p != null && p >= 1 && p <= 65535).distinct().sorted().toList();
        if (!nextPorts.equals(ports)) {
            ports = nextPorts;
            try {
                state.saveGuardedPorts(ports);
            } catch (IOException e) {
                LOG.warning("cannot keep the console ports in " + config.stateDir() + ": " + e.getMessage());
            }
        }
        applyFirewall();
        lastApply = now;

        List<TicketJob> jobs = received.tickets() == null ? List.of() : received.tickets();
        List<String> applied = new ArrayList<>();
        List<GrantError> errors = new ArrayList<>();
        Set<String> listed = new HashSet<>();
        for (TicketJob job : jobs) {
            if (job == null || job.session() == null || job.password() == null) {
                continue;
            }
            listed.add(job.session());
            String digest = sha256(job.password());
            if (digest.equals(set.get(job.session()))) {
                applied.add(job.session());
                continue;
            }
            String error = setTicket(job);
            if (error == null) {
                set.put(job.session(), digest);
                applied.add(job.session());
            } else {
                errors.add(new GrantError(job.session(), error));
            }
        }
        set.keySet().retainAll(listed);
        boolean newer = received.version() > version;
        version = Math.max(version, received.version());
        if (!newer && applied.isEmpty() && errors.isEmpty()) {
            return null;
        }
        return new TicketAck(received.version(), applied, errors);
    }

    /** Sets one ticket on its VM; null when done, else a sentence for the portal (never containing the password). */
    private String setTicket(TicketJob job) {
        AgentConfig.ConsoleTarget target = config.consoles().get(job.console());
        if (target == null) {
            String error = "console " + job.console() + " is not configured on this host: add console." + job.console()
                    + ".qmp=<socket> or console." + job.console() + ".libvirt=<domain> to the agent's config";
            LOG.warning("session " + job.session() + ": " + error);
            return error;
        }
        long seconds = Math.max(1, Math.min(config.ticketTime().toSeconds(), job.seconds()));
        try {
            switch (target.kind()) {
                case QMP -> Qmp.setTicket(Path.of(target.target()), job.password(), seconds, QMP_TIMEOUT);
                case LIBVIRT -> libvirt.setTicket(target.target(), job.password(), seconds);
                default -> throw new IllegalStateException(target.kind().name());
            }
            LOG.info("one-time password set on console " + job.console() + " for session " + job.session()
                    + ", valid for new connections for " + seconds + " s");
            return null;
        } catch (IOException | RuntimeException e) {
            String message = Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName())
                    .replace(job.password(), "***");
            LOG.warning("session " + job.session() + ": cannot set the password on console " + job.console() + ": " + message);
            return "cannot set the one-time password on console " + job.console() + ": " + message;
        }
    }

    private synchronized void onRefused(PortalClient.PortalException e) {
        if (!refused) {
            LOG.warning("the portal refused this agent (" + e.getMessage() + "): host removed or re-enrolled, or wrong"
                    + " secret; only loopback reaches the console ports now, retrying every " + config.retry().toSeconds() + " s");
        }
        refused = true;
        leaseRunning = false;
        version = -1;
        set.clear();
        allowed = List.of();
        applyFirewall();
    }

    private synchronized void onUnreachable(Exception e) {
        if (!unreachable) {
            LOG.warning("portal unreachable (" + describe(e) + "); the allowed workstations stay until the lease lapses");
        }
        unreachable = true;
    }

    /** The timer: close the ports when the lease lapsed, and every 30 s re-apply to repair what other tools changed. */
    private void tick() {
        try {
            synchronized (this) {
                long now = ticker.nanos();
                if (leaseRunning && now - leaseDeadline >= 0) {
                    leaseRunning = false;
                    if (!allowed.isEmpty()) {
                        LOG.warning("no successful poll within the lease: only loopback reaches the console ports");
                    }
                    allowed = List.of();
                    applyFirewall();
                    lastApply = now;
                } else if (now - lastApply >= REAPPLY_NANOS) {
                    firewall.invalidate();
                    applyFirewall();
                    lastApply = now;
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "timer: " + describe(e), e);
        }
    }

    private void applyFirewall() {
        try {
            firewall.apply(allowed, ports);
        } catch (Firewall.FirewallException e) {
            LOG.severe(e.getMessage());
        }
    }

    /** The allowed sources that can become rules; a malformed one is logged and left out. */
    static List<String> usableSources(List<String> sources) {
        List<String> usable = new ArrayList<>();
        for (String source : sources == null ? List.<String>of() : sources) {
            try {
                Family.of(source);
                usable.add(source);
            } catch (IllegalArgumentException e) {
                LOG.warning("allowed source left out: " + e.getMessage());
            }
        }
        return usable.stream().distinct().sorted().toList();
    }

    private void sleep(long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (running && System.nanoTime() < deadline) {
            Thread.sleep(Math.min(200, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
