package io.spicegate.sessions;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.spicegate.audit.AuditLog;
import io.spicegate.consoles.Console;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.spicegate.enrollment.AgentKey;
import io.spicegate.enrollment.AgentMemory;
import jakarta.annotation.PostConstruct;
import io.spicegate.protocol.Ack;
import io.spicegate.protocol.Destination;
import io.spicegate.protocol.Grant;
import io.spicegate.protocol.GrantError;
import io.spicegate.protocol.GrantSet;
import io.spicegate.protocol.HostFacts;
import io.spicegate.protocol.ProtocolJson;
import io.spicegate.shared.Secrets;
import io.spicegate.workstations.Workstation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Grants (DESIGN.md rule 3): what one workstation's agent must allow now, derived from its ACTIVE sessions,
 * with a version that bumps on every change; and the agent's acknowledgements.
 */
@ApplicationScoped
public class GrantService extends AgentWork {

    /** The NOTIFY payload saying the consoles or their hosts changed: every replica forgets its destinations. */
    public static final String DESTINATIONS_CHANGED = "destinations";
    /** Host names are resolved again after this long even when no console changed (their DNS may have). */
    static final Duration RESOLVE_AGAIN = Duration.ofMinutes(1);

    /** A workstation's grant set at one version had no grants: its answer is the destinations, and these two facts. */
    private record Idle(long version, boolean strict) {
    }

    /** The protected destinations as read at {@code generation} and {@code at}. */
    private record Destinations(long generation, Instant at, Protected kept) {
    }

    @Inject AgentMemory memory;

    private final AtomicLong destinationsGeneration = new AtomicLong();
    private volatile Destinations destinations;
    private AgentMemory.Memo<Idle> idle;

    @PostConstruct
    void init() {
        idle = memory.memo();
    }

    /** Marks the workstation's grants changed; agents polling any replica wake when the transaction commits. */
    public Long bump(Long workstationId) {
        return workstationId == null ? null : versions.bump(AgentKey.workstation(workstationId));
    }

    /** The current grant set of a workstation. */
    @Transactional
    public GrantSet grants(long workstationId) {
        Instant now = clock.instant();
        long since = memory.generation();
        Workstation ws = Workstation.findById(workstationId);
        List<ConsoleSession> live = ConsoleSession.list(
                "workstation.id = ?1 and state = ?2 and endsAt > ?3 order by startsAt", workstationId, SessionState.ACTIVE, now);
        List<Grant> grants = new ArrayList<>(live.size());
        for (ConsoleSession s : live) {
            if (s.console == null) {
                continue;
            }
            long left = Math.max(0, Duration.between(now, s.endsAt).toSeconds());
            // strict: the agent writes the file (with the session's one-time password where the host has an agent);
            // null once that password is used up or forgotten: the agent then keeps the file it wrote
            String vv = ws.strict ? LaunchFile.of(s, now, config.displayZone()).orElse(null) : null;
            for (String address : addresses(s.console.host.address)) {
                grants.add(new Grant(s.id.toString(), s.unixUsername, s.consoleName, address, s.console.ports(),
                        s.endsAt, left, vv, s.zone != null ? s.zone : config.displayZone()));
            }
        }
        AgentKey agent = AgentKey.workstation(workstationId);
        if (grants.isEmpty()) {
            idle.put(agent, new Idle(ws.grantVersion, ws.strict), since);
        } else {
            idle.remove(agent);
        }
        Protected p = protectedSet();
        return new GrantSet(ws.grantVersion, config.agent().leaseSeconds(), ws.strict, p.list(), grants, p.tag());
    }

    /**
     * The grant set of a workstation whose version is still {@code version}, without reading its rows, when this
     * replica answered that version with no grants: a session that becomes live bumps the version, so no grant can
     * have appeared since, and {@code left} and launch files exist only with grants. Memory only, any thread: null
     * when not remembered, or when the protected destinations are due to be read again.
     */
    public GrantSet unchanged(long workstationId, long version) {
        Idle known = idle.get(AgentKey.workstation(workstationId));
        Protected p = kept();
        if (known == null || known.version() != version || p == null) {
            return null;
        }
        return new GrantSet(version, config.agent().leaseSeconds(), known.strict(), p.list(), List.of(), p.tag());
    }

    /**
     * Every console's host address with all its SPICE ports: REJECTed on workstations for everyone not granted.
     * Kept in memory: read again after {@link #DESTINATIONS_CHANGED} reaches this replica (or its notifications
     * reconnect), and every {@link #RESOLVE_AGAIN} for host names' sake.
     */
    public List<Destination> protectedDestinations() {
        return protectedSet().list();
    }

    /** The protected destinations and their tag: the same list has the same tag on every replica. */
    public record Protected(List<Destination> list, String tag) {

        static Protected of(List<Destination> list) {
            try {
                return new Protected(list, Secrets.sha256(ProtocolJson.mapper().writeValueAsString(list)).substring(0, 32));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("destinations are plain records", e);
            }
        }
    }

    /** {@link #protectedDestinations()} with its tag. */
    public Protected protectedSet() {
        long generation = destinationsGeneration.get();
        Instant now = clock.instant();
        Protected kept = kept(generation, now);
        if (kept != null) {
            return kept;
        }
        Protected read = Protected.of(QuarkusTransaction.joiningExisting().call(this::readDestinations));
        synchronized (destinationsGeneration) {
            if (destinationsGeneration.get() == generation) {
                destinations = new Destinations(generation, now, read);
            }
        }
        return read;
    }

    /** The protected destinations while the ones kept in memory stand, else null: memory only, any thread. */
    private Protected kept() {
        return kept(destinationsGeneration.get(), clock.instant());
    }

    private Protected kept(long generation, Instant now) {
        Destinations known = destinations;
        // a clock set back reads again too
        return known != null && known.generation() == generation && !now.isBefore(known.at())
                && now.isBefore(known.at().plus(RESOLVE_AGAIN)) ? known.kept() : null;
    }

    /**
     * In the admin's transaction that changed a console or host: every replica forgets its protected destinations
     * when it commits. Sent before the agents' own notifications, so the agents they wake read the new list.
     */
    public void destinationsChanged() {
        em.createNativeQuery("select pg_notify('" + GrantNotifier.CHANNEL + "', ?1)").setParameter(1, DESTINATIONS_CHANGED)
                .getSingleResult();
    }

    /** The protected destinations are read again at the next call. */
    void forgetDestinations() {
        synchronized (destinationsGeneration) {
            destinationsGeneration.incrementAndGet();
            destinations = null;
        }
    }

    private List<Destination> readDestinations() {
        Map<String, Set<Integer>> byAddress = new TreeMap<>();
        Map<String, List<String>> resolved = new HashMap<>(); // a host's address once, however many consoles it has
        List<Object[]> rows = em.createQuery("select h.address, c.tlsPort, c.port from Console c join c.host h", Object[].class)
                .getResultList();
        for (Object[] row : rows) {
            for (String a : resolved.computeIfAbsent((String) row[0], GrantService::addresses)) {
                Set<Integer> ports = byAddress.computeIfAbsent(a, k -> new TreeSet<>());
                for (int i = 1; i <= 2; i++) {
                    if (row[i] != null) {
                        ports.add((Integer) row[i]);
                    }
                }
            }
        }
        List<Destination> out = new ArrayList<>();
        byAddress.forEach((a, ports) -> out.add(new Destination(a, List.copyOf(ports))));
        // one unmodifiable list, handed to every answer while it is kept: its JSON is written once (ProtocolJson)
        return List.copyOf(out);
    }

    /**
     * The agent applied a grant set: record what it applied and removed, and its host facts. Rows are written in the
     * order every session change takes them (the sessions, then the workstation's row, then the audit chain), so an
     * ack beside End session, a revocation or the expiry sweep of the same session waits instead of deadlocking.
     */
    @Transactional
    public void ack(long workstationId, Ack ack) {
        Instant now = clock.instant();
        Workstation ws = Workstation.findById(workstationId);
        List<AuditLog.Entry> events = new ArrayList<>();
        Set<UUID> applied = Acks.sessions(ack.applied(), new HashSet<>());
        for (UUID id : applied) {
            ConsoleSession s = ConsoleSession.findById(id);
            if (s != null && s.workstation != null && s.workstation.id == workstationId && s.grantAppliedAt == null) {
                s.grantAppliedAt = now;
                s.firewallError = null;
                events.add(AuditLog.event("GRANT_APPLIED").actor(ws.name).user(s.username).console(s.consoleName)
                        .workstation(ws.name).session(s.id).detail("acked version " + ack.version() + " at " + now));
            }
        }
        for (GrantError e : ack.errors() == null ? List.<GrantError>of() : ack.errors()) {
            Acks.session(e.session()).map(id -> ConsoleSession.<ConsoleSession>findById(id)).ifPresent(s -> {
                if (s.workstation != null && s.workstation.id == workstationId && s.firewallError == null) {
                    s.firewallError = Acks.clip(e.error(), 500);
                    events.add(AuditLog.event("GRANT_FAILED").actor(ws.name).user(s.username).console(s.consoleName)
                            .workstation(ws.name).session(s.id).detail(s.firewallError));
                }
            });
        }
        List<ConsoleSession> open = ConsoleSession.list(
                "workstation.id = ?1 and grantAppliedAt is not null and grantRemovedAt is null", workstationId);
        for (ConsoleSession s : open) {
            if (!applied.contains(s.id) && (s.state.isTerminal() || !s.endsAt.isAfter(now))) {
                s.grantRemovedAt = now;
                events.add(AuditLog.event("GRANT_REMOVED").actor(ws.name).user(s.username).console(s.consoleName)
                        .workstation(ws.name).session(s.id).detail("acked version " + ack.version() + " at " + now));
            }
        }
        em.flush(); // the session rows first ...
        ws.acked(ack.version(), now);
        HostFacts f = ack.facts();
        if (f != null) {
            ws.agentVersion = Acks.clip(f.agentVersion(), 64);
            ws.agentHostname = Acks.clip(f.hostname(), 255);
            ws.remoteViewer = f.remoteViewerPath() == null ? null : Acks.clip(f.remoteViewerOwner() + ":" + f.remoteViewerGroup()
                    + " " + f.remoteViewerMode() + " " + f.remoteViewerPath(), 200);
            String drift = Acks.clip(f.drift(), 500);
            if (drift != null && !drift.equals(ws.drift)) {
                events.add(0, AuditLog.event("AGENT_DRIFT").actor(ws.name).workstation(ws.name).detail(drift));
            }
            ws.drift = drift;
        }
        em.flush(); // ... then the workstation's ...
        for (AuditLog.Entry event : events) {
            audit.append(event, now); // ... and the audit chain last
        }
    }

    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile("[0-9.]+");

    /** Firewalls need IP literals: a host given by name is resolved (every address it has). */
    static List<String> addresses(String address) {
        if (address == null) {
            return List.of();
        }
        try {
            if (IPV4.matcher(address).matches() || address.contains(":")) {
                return List.of(InetAddress.getByName(address).getHostAddress());
            }
            List<String> out = new ArrayList<>();
            for (InetAddress a : InetAddress.getAllByName(address)) {
                out.add(a.getHostAddress());
            }
            return out;
        } catch (UnknownHostException e) {
            return List.of();
        }
    }
}
