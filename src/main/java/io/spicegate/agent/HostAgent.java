package io.spicegate.agent;

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
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The KVM host agent ({@code mode=host}, DESIGN.md): enrolls once with a host token, long-polls the portal's
 * ticket set, and for every new session (and re-open) sets that session's one-time SPICE password with a short
 * expiry on the VM (QMP {@code set_password} + {@code expire_password}, or libvirt {@code passwdValidTo}), then
 * acks, so the portal hands out the launch file only once the VM accepts it. It also owns the {@code SPICEGATE-IN}
 * chain: only loopback and enrolled, active workstations reach the console ports. Fail closed: on start, on stop,
 * when the portal refuses the agent and when no poll succeeded within the lease, only loopback gets in.
 */
public final class HostAgent extends PollingAgent<TicketSet> {

    private static final Logger LOG = Logger.getLogger(HostAgent.class.getName());
    private static final long REAPPLY_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);

    private final AgentConfig config;
    private final Ticker ticker;
    private final HostFirewall firewall;
    private final Libvirt libvirt;
    private final StateDir state;
    /** Poller thread only: until an ack is in, ask for the whole set again at once. */
    private boolean full = true;
    // guarded by this
    private List<String> allowed = List.of();
    private List<Integer> ports = List.of();
    private long version = -1;
    private long leaseDeadline;
    private boolean leaseRunning;
    private long lastApply;
    /** session → SHA-256 of the password set on its VM: a ticket listed again (a lost ack) is not set twice. */
    private final Map<String, String> set = new HashMap<>();

    /** A host agent on the real clocks, checking its lease every 200 ms. */
    public HostAgent(AgentConfig config) {
        this(config, Ticker.SYSTEM, CommandRunner.system(), Clock.systemUTC(), Duration.ofMillis(200));
    }

    /** A host agent with injected clocks and command runner (tests). */
    public HostAgent(AgentConfig config, Ticker ticker, CommandRunner runner, Clock wallClock, Duration tickInterval) {
        this(config, ticker, runner, wallClock, tickInterval, new StateDir(config.stateDir(), ProtocolJson.mapper()));
    }

    private HostAgent(AgentConfig config, Ticker ticker, CommandRunner runner, Clock wallClock, Duration tickInterval,
                      StateDir state) {
        super(config, state, PollLoop.HOST, tickInterval);
        this.config = config;
        this.ticker = ticker;
        this.firewall = new HostFirewall(runner, config.netns());
        this.libvirt = new Libvirt(runner, config.libvirtUri(), wallClock);
        this.state = state;
    }

    /** Closes the console ports to all but loopback (the last known ports, kept in state.dir). */
    @Override
    public synchronized void open() {
        ports = state.readOr(state::guardedPorts, List.of(), "console ports");
        applyFirewall();
        lastApply = ticker.nanos();
    }

    /** Lets only loopback reach the console ports. */
    @Override
    public synchronized void close() {
        allowed = List.of();
        applyFirewall();
    }

    @Override
    public synchronized long after() {
        return full ? -1 : version;
    }

    /** Sets the new passwords, then acks them on this thread; until the ack is in, the next poll asks for the whole set. */
    @Override
    public void received(TicketSet received, String secret) throws IOException, InterruptedException {
        TicketAck ack = onTicketSet(received);
        full = false;
        if (ack != null) {
            full = true;
            loop.portal().ack(PortalClient.Feed.TICKETS, secret, ack);
            full = false;
        }
    }

    @Override
    public String misenrolled(EnrollResponse enrolled) {
        if ("host".equals(enrolled.mode())) {
            return null;
        }
        return "the portal enrolled this agent as a " + enrolled.mode() + ", not as a KVM host: give it the token"
                + " from POST /api/v1/admin/hosts (or /hosts/{id}/enrollment)";
    }

    /**
     * A successful poll: renew the lease, take the allowed sources and ports, set the new passwords. Returns the
     * ack to send, or null when there is nothing new to report.
     */
    synchronized TicketAck onTicketSet(TicketSet received) {
        long now = ticker.nanos();
        leaseDeadline = now + TimeUnit.SECONDS.toNanos(Math.max(1, received.leaseSeconds()));
        leaseRunning = true;
        allowed = usableSources(received.allowed());
        List<Integer> nextPorts = received.ports() == null ? List.of()
                : received.ports().stream().filter(p -> p != null && p >= 1 && p <= 65535).distinct().sorted().toList();
        if (!nextPorts.equals(ports)) {
            ports = nextPorts;
            List<Integer> kept = ports;
            state.keep(() -> state.saveGuardedPorts(kept), "console ports");
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

    @Override
    public synchronized void refused() {
        leaseRunning = false;
        version = -1;
        set.clear();
        allowed = List.of();
        applyFirewall();
    }

    /** The timer: close the ports when the lease lapsed, and every 30 s re-apply to repair what other tools changed. */
    @Override
    public synchronized void tick() {
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

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
