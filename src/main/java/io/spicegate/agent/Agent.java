package io.spicegate.agent;

import io.spicegate.protocol.Ack;
import io.spicegate.protocol.Destination;
import io.spicegate.protocol.EnrollResponse;
import io.spicegate.protocol.Grant;
import io.spicegate.protocol.GrantError;
import io.spicegate.protocol.GrantSet;
import io.spicegate.protocol.ProtocolJson;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The workstation agent at work: enrolls once, long-polls the grant set, turns the live grants into the
 * {@code SPICEGATE} chain (and strict mode's files), acks, and fails closed (DESIGN.md rule 4): each grant ends
 * on the agent's own monotonic timer, every grant goes when no poll succeeded within the lease or the portal
 * refuses the agent, and start and stop leave only the REJECTs. One poller thread, one timer thread; the state
 * is changed under this object's lock only.
 */
public final class Agent extends PollingAgent<GrantSet> {

    private static final Logger LOG = Logger.getLogger(Agent.class.getName());
    /** Exit code when the agent cannot run as configured (sysexits EX_CONFIG); systemd does not restart it. */
    public static final int EXIT_CONFIG = PollLoop.EXIT_CONFIG;
    private static final long REAPPLY_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final AgentConfig config;
    private final Ticker ticker;
    private final Firewall firewall;
    private final UserDirectory users;
    private final StrictFiles strictFiles;
    private final HostFactsProbe facts;
    private final StateDir state;
    private final GrantBook book = new GrantBook();
    /** The desktop warnings before each grant's end; both null with {@code notify=false}. */
    private final EndWarnings warnings;
    private final DesktopNotifier desktop;
    private final ExecutorService acks = Executors.newSingleThreadExecutor(PollLoop.daemon("spicegate-ack"));
    // guarded by this
    private List<Destination> protectedDestinations = List.of();
    /** The portal's tag of the list above (null: unknown, the next poll gets the whole list). */
    private String protectedTag;
    private Ack lastAck;
    private long lastApply;
    /** Refused by the portal since the last successful poll: nothing is acked. */
    private boolean refused;
    private boolean strictMismatchWarned;

    /** An agent on the real system clock, checking its deadlines every 200 ms. */
    public Agent(AgentConfig config) {
        this(config, Ticker.SYSTEM, CommandRunner.system(), Duration.ofMillis(200));
    }

    /** An agent with an injected clock and command runner (tests). */
    public Agent(AgentConfig config, Ticker ticker, CommandRunner runner, Duration tickInterval) {
        this(config, ticker, runner, tickInterval, new StateDir(config.stateDir(), ProtocolJson.mapper()));
    }

    private Agent(AgentConfig config, Ticker ticker, CommandRunner runner, Duration tickInterval, StateDir state) {
        super(config, state, PollLoop.WORKSTATION, tickInterval);
        this.config = config;
        this.ticker = ticker;
        this.firewall = new Firewall(runner, config.netns());
        this.users = UserDirectory.getent(runner);
        this.strictFiles = new StrictFiles(config, runner);
        this.facts = new HostFactsProbe(config);
        this.state = state;
        this.warnings = EndWarnings.of(config);
        this.desktop = warnings == null ? null : new DesktopNotifier(runner, config.portalPublicUrl());
    }

    /**
     * Rebuilds the chain from scratch with the REJECT-only base (the last protected list kept in state.dir)
     * before anything else, and clears strict mode's files.
     */
    @Override
    public synchronized void open() {
        protectedDestinations = state.readOr(state::protectedDestinations, List.of(), "protected list");
        applyBase("start");
        if (config.strict()) {
            strictFiles.clear();
        }
        lastApply = ticker.nanos();
    }

    /** Leaves only the REJECTs (and no strict files). */
    @Override
    public synchronized void close() {
        acks.shutdownNow();
        if (desktop != null) {
            desktop.close();
        }
        book.dropAll();
        applyBase("stop");
        if (config.strict()) {
            strictFiles.clear();
        }
    }

    @Override
    public synchronized long after() {
        return book.version();
    }

    /** The tag of the protected list this agent guards, as the portal named it; null before the first answer. */
    @Override
    public synchronized String have() {
        return protectedTag;
    }

    @Override
    public void received(GrantSet set, String secret) {
        onGrantSet(set);
    }

    @Override
    public String misenrolled(EnrollResponse enrolled) {
        if (enrolled.mode() != null && !enrolled.mode().equals("workstation")) {
            LOG.warning("the portal enrolled this agent in mode '" + enrolled.mode() + "', but it runs as a workstation agent");
        }
        return null;
    }

    /** A successful poll: take the set, remember the protected list, apply, ack. */
    synchronized void onGrantSet(GrantSet set) {
        long now = ticker.nanos();
        refused = false;
        book.receive(set, now);
        List<Destination> destinations;
        if (set.protectedDestinations() == null) {
            // left out: the portal says the list this agent has stands (same tag). An absent list never shrinks the
            // guard: keep what is guarded, and if the tags differ, ask for the whole list at the next poll.
            destinations = protectedDestinations;
            protectedTag = protectedTag != null && protectedTag.equals(set.protectedTag()) ? protectedTag : null;
        } else {
            destinations = usable(set.protectedDestinations());
            protectedTag = set.protectedTag();
        }
        if (!destinations.equals(protectedDestinations)) {
            protectedDestinations = List.copyOf(destinations);
            List<Destination> kept = protectedDestinations;
            state.keep(() -> state.saveProtected(kept), "protected list");
        }
        if (set.strict() != config.strict() && !strictMismatchWarned) {
            strictMismatchWarned = true;
            LOG.warning("the portal expects strict=" + set.strict() + " for this workstation, but the local config says strict="
                    + config.strict() + " (set strict in the agent's config; it is reported to the portal)");
        }
        for (String change : book.expire(now)) {
            LOG.info(change);
        }
        applyCurrent(now, true);
        warn(now);
    }

    @Override
    public synchronized void refused() {
        refused = true;
        book.dropAll();
        lastAck = null;
        applyCurrent(ticker.nanos(), false);
    }

    /** The timer: end grants that are due, and every 30 s re-apply to repair what other tools changed. */
    @Override
    public synchronized void tick() {
        long now = ticker.nanos();
        List<String> changes = book.expire(now);
        changes.forEach(LOG::info);
        if (!changes.isEmpty()) {
            applyCurrent(now, !refused);
        } else if (now - lastApply >= REAPPLY_NANOS) {
            firewall.invalidate(); // rewrite even if unchanged: repairs what other tools did to the chain
            applyCurrent(now, !refused);
        }
        warn(now);
    }

    /** Hands the desktop warnings due at {@code now} to the notifier, which shows them on its own threads. */
    private void warn(long now) {
        if (warnings == null) {
            return;
        }
        EndWarnings.Update update = warnings.update(book.entries(), now);
        update.ended().forEach(desktop::ended);
        update.due().forEach(desktop::warn);
    }

    /** Resolves the live grants, writes the chain (and strict files), and acks when the outcome changed. */
    private void applyCurrent(long now, boolean ack) {
        lastApply = now;
        List<Grant> grants = book.grants();
        Resolved resolved = resolve(grants, users);
        Map<String, String> errors = new LinkedHashMap<>(resolved.errors());
        List<AcceptRule> accepts = resolved.accepts();
        Map<String, Grant> bySession = new LinkedHashMap<>();
        for (Grant grant : grants) {
            if (!errors.containsKey(grant.session())) {
                bySession.put(grant.session(), grant);
            }
        }
        try {
            firewall.apply(accepts, protectedDestinations);
        } catch (Firewall.FirewallException e) {
            LOG.severe(e.getMessage());
            for (AcceptRule rule : accepts) {
                String failure = e.failures().get(Family.of(rule.address()));
                if (failure != null) {
                    errors.put(rule.session(), "firewall: " + failure);
                    bySession.remove(rule.session());
                }
            }
        }
        if (config.strict()) {
            Map<String, String> strictErrors = strictFiles.apply(new ArrayList<>(bySession.values()));
            errors.putAll(strictErrors);
            strictErrors.keySet().forEach(bySession::remove);
        }
        List<String> applied = new ArrayList<>(bySession.keySet());
        List<GrantError> grantErrors = errors.entrySet().stream().map(e -> new GrantError(e.getKey(), e.getValue())).toList();
        Ack next = new Ack(Math.max(0, book.version()), applied, grantErrors, facts.facts());
        if (!next.equals(lastAck)) {
            LOG.info("applied version " + next.version() + ": " + applied.size() + " grant(s)"
                    + (grantErrors.isEmpty() ? "" : ", errors " + grantErrors));
            if (ack && loop.secret() != null) {
                lastAck = next;
                acks.execute(() -> sendAck(next));
            }
        }
    }

    /** The protected destinations that can become rules; a malformed one is logged and left out, not fatal. */
    static List<Destination> usable(List<Destination> destinations) {
        List<Destination> usable = new ArrayList<>();
        for (Destination destination : destinations == null ? List.<Destination>of() : destinations) {
            try {
                Family.of(destination.address());
                List<Integer> ports = destination.ports() == null ? List.of() : destination.ports().stream()
                        .filter(p -> p != null && p >= 1 && p <= 65535).toList();
                if (!ports.isEmpty()) {
                    usable.add(new Destination(destination.address(), ports));
                }
            } catch (IllegalArgumentException e) {
                LOG.warning("protected destination left out: " + e.getMessage());
            }
        }
        return usable;
    }

    /** The live grants turned into firewall rules, and an error sentence per grant that cannot be one. */
    record Resolved(List<AcceptRule> accepts, Map<String, String> errors) {
    }

    /** Checks each grant and looks up its user's UID; an unknown user or a malformed grant gets no rule. */
    static Resolved resolve(List<Grant> grants, UserDirectory users) {
        Map<String, String> errors = new LinkedHashMap<>();
        List<AcceptRule> accepts = new ArrayList<>();
        for (Grant grant : grants) {
            String problem;
            try {
                problem = check(grant);
                if (problem == null) {
                    OptionalInt uid = users.uid(grant.user());
                    if (uid.isEmpty()) {
                        problem = "no such local user: " + grant.user();
                    } else {
                        accepts.add(new AcceptRule(grant.session(), grant.user(), uid.getAsInt(), grant.address(), grant.ports()));
                    }
                }
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            } catch (IOException e) {
                problem = "cannot look up the user: " + e.getMessage();
            }
            if (problem != null) {
                errors.put(String.valueOf(grant.session()), problem);
            }
        }
        return new Resolved(accepts, errors);
    }

    private static String check(Grant grant) {
        if (!RestoreScript.SESSION.matcher(String.valueOf(grant.session())).matches()) {
            return "session id is not UUID-like";
        }
        if (grant.ports() == null || grant.ports().isEmpty()
                || grant.ports().stream().anyMatch(p -> p == null || p < 1 || p > 65535)) {
            return "no valid port";
        }
        Family.of(grant.address()); // throws with a sentence for anything but an address
        return null;
    }

    private void sendAck(Ack ack) {
        try {
            loop.portal().ack(PortalClient.Feed.GRANTS, loop.secret(), ack);
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                if (Objects.equals(lastAck, ack)) {
                    lastAck = null; // send it again after the next poll
                }
            }
            LOG.fine("ack failed: " + PollLoop.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void applyBase(String when) {
        try {
            firewall.applyBase(protectedDestinations);
        } catch (Firewall.FirewallException e) {
            LOG.severe(when + ": cannot apply the REJECT-only base: " + e.getMessage());
        }
    }
}
