package io.spicegate.audit;

import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;

/**
 * Appends events to the audit log inside the caller's transaction, so an event is recorded exactly when
 * the change it describes commits (and is lost with it on a crash, never alone). A row is inserted unchained: no
 * lock, no read of the chain's head, so audited transactions never wait for each other's commit. The one
 * {@link AuditSealer} of the cluster links committed rows into the chain within milliseconds, woken by the
 * {@code NOTIFY} this transaction sends at its commit. Each row's link is an HMAC-SHA-256 with {@link AuditKey} over
 * the previous link and the row's fields, so rewriting rows needs the key, not just write access to the table. As
 * the sealer links any committed row, each row also carries the appender's own HMAC over a random nonce and its fields
 * ({@link #rowMacText}): a row inserted by someone without the key is linked, and then named by the verifier.
 */
@ApplicationScoped
public class AuditLog {

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    public static final String GENESIS = "0".repeat(64);

    @Inject EntityManager em;
    @Inject AuditKey key;
    @Inject io.spicegate.shared.RequestSource requestSource;

    /** What happened, to whom, where; build with {@link #event(String)}. */
    public static final class Entry {
        final String action;
        String actor;
        String username;
        String console;
        String workstation;
        UUID sessionId;
        String source;
        String detail;

        private Entry(String action) {
            this.action = Objects.requireNonNull(action);
        }

        public Entry actor(String v) { this.actor = v; return this; }
        public Entry user(String v) { this.username = v; return this; }
        public Entry console(String v) { this.console = v; return this; }
        public Entry workstation(String v) { this.workstation = v; return this; }
        public Entry session(UUID v) { this.sessionId = v; return this; }
        public Entry source(String v) { this.source = v; return this; }
        public Entry detail(String v) { this.detail = v; return this; }
    }

    public static Entry event(String action) {
        return new Entry(action);
    }

    /** The current request's client address, for rows whose caller did not name one; null outside a request. */
    private String requestSource() {
        return io.quarkus.arc.Arc.container().requestContext().isActive() ? requestSource.address() : null;
    }

    /** The detail with a note of the personal API token the row's actor made the current request with, if any. */
    private String withCredential(String actor, String detail) {
        String via = io.quarkus.arc.Arc.container().requestContext().isActive() ? requestSource.credential(actor) : null;
        if (via == null) {
            return detail;
        }
        return detail == null || detail.isBlank() ? "via " + via : detail + " (via " + via + ")";
    }

    @Transactional(Transactional.TxType.REQUIRED)
    public AuditEvent append(Entry e, Instant now) {
        AuditEvent row = new AuditEvent();
        row.at = now.truncatedTo(ChronoUnit.MICROS); // what PostgreSQL keeps, so the verifier recomputes the same hash
        row.actor = clip(e.actor, 64);
        row.action = e.action;
        row.username = clip(e.username, 64);
        row.console = clip(e.console, 64);
        row.workstation = clip(e.workstation, 64);
        row.sessionId = e.sessionId;
        row.source = clip(e.source != null ? e.source : requestSource(), 64);
        row.detail = clean(withCredential(e.actor, e.detail));
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        row.rowNonce = HexFormat.of().formatHex(nonce);
        row.rowMac = key.mac(rowMacText(row));
        row.persist();
        // delivered at commit, folded with any other in this transaction; a rolled-back append wakes nobody
        em.createNativeQuery("select pg_notify('" + AuditSealer.CHANNEL + "', '')").getSingleResult();
        Log.infof("audit %s actor=%s user=%s console=%s workstation=%s", row.action, row.actor, row.username,
                row.console, row.workstation);
        return row;
    }

    /** The previous link and every field of the row, in a fixed order: what a link is computed over. */
    public static String canonical(AuditEvent r) {
        return r.prevHash + "\u001f" + content(r);
    }

    /** What the appender's row MAC is computed over: a label, the nonce and every field of the row (not the link). */
    static String rowMacText(AuditEvent r) {
        return "row\u001f" + r.rowNonce + "\u001f" + content(r);
    }

    /** Every field of the row, in a fixed order. */
    private static String content(AuditEvent r) {
        return String.join("\u001f", r.at.toString(), n(r.actor), r.action, n(r.username), n(r.console),
                n(r.workstation), r.sessionId == null ? "" : r.sessionId.toString(), n(r.source), n(r.detail));
    }

    /** The unkeyed link of rows written before the chain was keyed (see {@code audit_chain.keyed_from}). */
    public static String sha256(AuditEvent r) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(canonical(r).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static String n(String s) {
        return s == null ? "" : s;
    }

    private static String clip(String s, int max) {
        if (s == null) {
            return null;
        }
        String c = clean(s);
        return c.length() <= max ? c : c.substring(0, max);
    }

    /** PostgreSQL text refuses U+0000. */
    private static String clean(String s) {
        return s == null ? null : s.replace('\u0000', '\uFFFD');
    }
}
