package io.spicegate.audit;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** One row of the append-only, hash-chained audit log; names are copies, so rows survive deletes. */
@Entity
@Table(name = "audit_event")
public class AuditEvent extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public Instant at;

    /** Who did it (a username, {@code system}, or an agent's name). */
    public String actor;

    public String action;

    /** The user the event is about. */
    public String username;

    public String console;

    public String workstation;

    public UUID sessionId;

    /** Source address of the request, where there was one. */
    public String source;

    /** Free text; never a secret. */
    public String detail;

    /** The link to the row before it in the chain; null until the sealer links the row. */
    public String prevHash;

    /** HMAC-SHA-256 over {@link #prevHash} and the row's fields; null until sealed. */
    public String hash;

    /** The row's place in the chain, given by the sealer (ids are not commit order); null until sealed. */
    public Long chainSeq;

    /** A random value of the appender's, so that two rows of the same content still have different MACs. */
    public String rowNonce;

    /**
     * The appender's HMAC over the nonce and the row's content ({@link AuditLog#rowMacText}): only the portal, which holds the
     * key, can write a row the verifier accepts, even though the sealer links any committed row.
     */
    public String rowMac;

    /** When the database stored the row: how long it has waited for the sealer. Not hashed. */
    @Column(insertable = false, updatable = false)
    public Instant appendedAt;
}
