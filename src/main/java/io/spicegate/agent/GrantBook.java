package io.spicegate.agent;

import io.spicegate.protocol.Grant;
import io.spicegate.protocol.GrantSet;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The grants that are live now, each with its own deadline on the agent's monotonic clock (DESIGN.md rule 4):
 * deadline = receipt + {@code secondsLeft}, never a comparison of wall clocks. A grant that expired here stays
 * expired even if the portal keeps answering an older set that still lists it. Without a successful poll for
 * {@code leaseSeconds} every grant is dropped (the REJECTs stay; that is the firewall's business). Not thread-safe:
 * the agent calls it under its own lock, passing the time it read once per operation.
 */
public final class GrantBook {

    /** A live grant and the monotonic instant (nanos) at which it ends. */
    public record Entry(Grant grant, long deadline) {
    }

    private final Map<String, Entry> live = new LinkedHashMap<>();
    private final Set<String> expired = new HashSet<>();
    private long version = -1;
    private long leaseDeadline;
    private boolean leaseRunning;

    /**
     * Takes the answer of a successful poll, received at {@code now}. A newer version is fresh information and
     * sets each deadline anew; the same version again can only shorten a deadline. Sessions missing from the set
     * are gone. Sessions that already expired here are not brought back.
     */
    public void receive(GrantSet set, long now) {
        boolean newer = set.version() > version;
        Set<String> listed = new HashSet<>();
        Map<String, Entry> next = new LinkedHashMap<>();
        for (Grant grant : set.grants() == null ? List.<Grant>of() : set.grants()) {
            if (grant == null || grant.session() == null) {
                continue;
            }
            listed.add(grant.session());
            if (grant.secondsLeft() <= 0 || expired.contains(grant.session())) {
                continue;
            }
            long deadline = now + TimeUnit.SECONDS.toNanos(grant.secondsLeft());
            Entry known = live.get(grant.session());
            if (known != null && !newer && known.deadline() - deadline < 0) {
                deadline = known.deadline();
            }
            next.put(grant.session(), new Entry(grant, deadline));
        }
        live.clear();
        live.putAll(next);
        expired.retainAll(listed); // a session the portal no longer lists cannot come back: forget it
        version = Math.max(version, set.version());
        leaseDeadline = now + TimeUnit.SECONDS.toNanos(Math.max(1, set.leaseSeconds()));
        leaseRunning = true;
    }

    /**
     * Ends what is due at {@code now}: grants past their deadline, and every grant when the lease ran out.
     * Returns one sentence per change, empty when nothing changed.
     */
    public List<String> expire(long now) {
        List<String> changes = new ArrayList<>();
        if (leaseRunning && now - leaseDeadline >= 0) {
            leaseRunning = false;
            if (!live.isEmpty()) {
                changes.add("no successful poll within the lease: dropped " + live.size() + " grant(s)");
                dropAll();
            }
            return changes;
        }
        var entries = live.entrySet().iterator();
        while (entries.hasNext()) {
            Entry entry = entries.next().getValue();
            if (now - entry.deadline() >= 0) {
                entries.remove();
                expired.add(entry.grant().session());
                changes.add("grant expired: " + entry.grant());
            }
        }
        return changes;
    }

    /** Drops every grant (lease lapsed, workstation removed); the next set counts as new whatever its version. */
    public void dropAll() {
        live.clear();
        version = -1;
    }

    /** The live grants, in the portal's order. */
    public List<Grant> grants() {
        return live.values().stream().map(Entry::grant).toList();
    }

    /** The live entries with their deadlines. */
    public List<Entry> entries() {
        return List.copyOf(live.values());
    }

    /** The highest version received since the last drop, or -1. */
    public long version() {
        return version;
    }

    /** True from a successful poll until its lease lapses. */
    public boolean leaseRunning() {
        return leaseRunning;
    }
}
