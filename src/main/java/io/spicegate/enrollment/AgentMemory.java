package io.spicegate.enrollment;

import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one replica remembers about enrolled agents so that a parked poll's renewal needs no database round trip:
 * which agent a bearer hash belongs to, and per agent small facts (its version, its idle grant answer) in
 * {@link Memo}s. Memory is only ever a copy: every change that matters for an agent does
 * {@code pg_notify(<agent's payload>)} in its transaction, and the notification listener of every replica calls
 * {@link #forget(AgentKey)} (or {@link #forgetAll()} after a lost connection, when notifications may have been
 * missed). A read that started before such a forget must not store what it read: every store names the
 * {@link #generation()} taken before its read, and is dropped when any forget happened since.
 */
@ApplicationScoped
public class AgentMemory {

    /** A remembered bearer: the SHA-256 hex of the secret (never the secret itself) and whose it is. */
    private record Bearer(byte[] hash, AgentKey agent) {
    }

    private final AtomicLong generation = new AtomicLong();
    /** Only while this replica hears the notifications can it trust what it remembers. */
    private volatile boolean listening;
    private final Map<String, Bearer> bearers = new ConcurrentHashMap<>();
    private final Map<AgentKey, String> bearerOf = new ConcurrentHashMap<>();
    private final List<Memo<?>> memos = new CopyOnWriteArrayList<>();

    /** Bumped by every forget: a read that began at an older generation may have read what is now stale. */
    public long generation() {
        return generation.get();
    }

    /**
     * Whether this replica is LISTENing: while it is not, nothing is remembered or answered from memory (a
     * revocation it cannot hear of must still take effect at the agent's next call).
     */
    public void listening(boolean on) {
        forgetAll();
        listening = on;
    }

    /** The admitted agent of {@code kind} whose secret hashes to {@code hash}, if remembered; else null. */
    AgentKey bearer(AgentKind kind, String hash) {
        if (!listening) {
            return null;
        }
        Bearer b = bearers.get(hash);
        // the map lookup found it by this hash already; the constant-time compare keeps a timing side channel out
        // of the one step that compares secret material, whatever the map does
        if (b == null || b.agent().kind() != kind
                || !MessageDigest.isEqual(b.hash(), hash.getBytes(StandardCharsets.US_ASCII))) {
            return null;
        }
        return b.agent();
    }

    /** Remembers an admitted agent's bearer hash, unless something was forgotten since {@code since}. */
    void rememberBearer(String hash, AgentKey agent, long since) {
        synchronized (this) {
            if (!listening || generation.get() != since) {
                return;
            }
            String old = bearerOf.put(agent, hash);
            if (old != null && !old.equals(hash)) {
                bearers.remove(old);
            }
            bearers.put(hash, new Bearer(hash.getBytes(StandardCharsets.US_ASCII), agent));
        }
    }

    /** The agent's credentials, version or work may have changed: nothing about it is remembered any longer. */
    public void forget(AgentKey agent) {
        synchronized (this) {
            generation.incrementAndGet();
            String hash = bearerOf.remove(agent);
            if (hash != null) {
                bearers.remove(hash);
            }
        }
        memos.forEach(m -> m.values.remove(agent));
    }

    /** Notifications may have been missed: nothing is remembered any longer. */
    public void forgetAll() {
        synchronized (this) {
            generation.incrementAndGet();
            bearers.clear();
            bearerOf.clear();
        }
        memos.forEach(m -> m.values.clear());
    }

    /** How many bearers are remembered (for tests and the metrics). */
    public int bearers() {
        return bearers.size();
    }

    /** A new per-agent memo, forgotten with the agent. */
    public <V> Memo<V> memo() {
        Memo<V> m = new Memo<>(this);
        memos.add(m);
        return m;
    }

    /** One remembered fact per agent, dropped by {@link #forget(AgentKey)} and {@link #forgetAll()}. */
    public static final class Memo<V> {

        private final AgentMemory memory;
        private final Map<AgentKey, V> values = new ConcurrentHashMap<>();

        private Memo(AgentMemory memory) {
            this.memory = memory;
        }

        /** The remembered value, or null. */
        public V get(AgentKey agent) {
            return memory.listening ? values.get(agent) : null;
        }

        /** Remembers {@code value}, unless something was forgotten since {@code since} (then the read may be stale). */
        public void put(AgentKey agent, V value, long since) {
            synchronized (memory) {
                if (memory.listening && memory.generation.get() == since) {
                    values.put(agent, value);
                }
            }
        }

        /** Forgets this agent's value only. */
        public void remove(AgentKey agent) {
            values.remove(agent);
        }
    }
}
