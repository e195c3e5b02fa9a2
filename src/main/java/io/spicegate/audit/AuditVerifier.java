package io.spicegate.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.util.List;

/**
 * Walks the audit chain from the first row and names the first row that was altered, removed or re-ordered:
 * a row whose own hash does not match its content was altered; a row whose prev_hash does not match the
 * row before it follows a removal or a re-ordering. Cutting off the newest rows is caught against a
 * checkpoint kept outside the table ({@code expectHead}). Rows from {@code audit_chain.keyed_from} on are checked
 * with the key (HMAC-SHA-256); the older prefix, written before the chain was keyed, with plain SHA-256.
 */
@ApplicationScoped
public class AuditVerifier {

    private static final int PAGE = 2000;

    @Inject EntityManager em;
    @Inject AuditKey key;

    /**
     * The result: {@code firstBad} is the id of the first bad row (null when ok), {@code problem} says what is wrong,
     * {@code keyedFrom} the first row checked with the key.
     */
    public record Result(boolean ok, long checked, Long firstBad, String problem, Long headId, String headHash, long keyedFrom) { }

    @Transactional
    public Result verify(Long expectHeadId, String expectHeadHash) {
        long keyedFrom = ((Number) em.createNativeQuery("select keyed_from from audit_chain").getSingleResult()).longValue();
        String prev = AuditLog.GENESIS;
        long checked = 0;
        // from the smallest id there is, not from 0: a row planted with a non-positive id must be checked too
        long lastId = Long.MIN_VALUE;
        while (true) {
            List<AuditEvent> page = em.createQuery("from AuditEvent e where e.id > ?1 order by e.id", AuditEvent.class)
                    .setParameter(1, lastId).setMaxResults(PAGE).getResultList();
            if (page.isEmpty()) {
                break;
            }
            for (AuditEvent e : page) {
                checked++;
                if (!prev.equals(e.prevHash)) {
                    return new Result(false, checked, e.id, "row " + e.id + " does not follow the row before it: a row "
                            + "before it was removed, inserted or moved", null, null, keyedFrom);
                }
                String expected = e.id >= keyedFrom ? key.mac(AuditLog.canonical(e)) : AuditLog.sha256(e);
                if (!expected.equals(e.hash)) {
                    return new Result(false, checked, e.id, "row " + e.id + " was altered: its content does not match its hash",
                            null, null, keyedFrom);
                }
                prev = e.hash;
                lastId = e.id;
            }
            em.clear();
        }
        if (expectHeadId != null) {
            @SuppressWarnings("unchecked")
            List<String> at = em.createNativeQuery("select hash from audit_event where id = ?1")
                    .setParameter(1, expectHeadId).getResultList();
            if (at.isEmpty()) {
                return new Result(false, checked, expectHeadId, "the checkpointed row " + expectHeadId
                        + " is missing: the newest rows were cut off", checked == 0 ? null : lastId, prev, keyedFrom);
            }
            if (expectHeadHash != null && !expectHeadHash.equals(at.get(0))) {
                return new Result(false, checked, expectHeadId, "row " + expectHeadId + " differs from its checkpoint",
                        lastId, prev, keyedFrom);
            }
        }
        return new Result(true, checked, null, null, checked == 0 ? null : lastId, prev, keyedFrom);
    }
}
