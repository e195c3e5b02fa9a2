package io.spicegate.audit;

import io.spicegate.shared.SpicegateConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.util.List;

/**
 * Walks the audit chain in its order ({@code chain_seq}, given by the {@link AuditSealer}) from the first row and
 * names the first row that was altered, removed or re-ordered: a row whose own hash does not match its content was
 * altered; a row whose prev_hash does not match the row before it follows a removal or a re-ordering. A row carrying
 * a link but no place in the chain was planted. Cutting off the newest rows is caught against a checkpoint kept
 * outside the table ({@code expectHead}). Rows from {@code audit_chain.keyed_from} on are checked with the key
 * (HMAC-SHA-256); the older prefix, written before the chain was keyed, with plain SHA-256. Rows not sealed yet are
 * the chain's tail to come: fine for a moment, an alarm once the oldest has waited longer than
 * {@code spicegate.audit.seal-alarm-seconds} (then no replica is sealing).
 */
@ApplicationScoped
public class AuditVerifier {

    private static final int PAGE = 2000;

    @Inject EntityManager em;
    @Inject AuditKey key;
    @Inject AuditSealer sealer;
    @Inject SpicegateConfig config;

    /**
     * The result: {@code firstBad} is the id of the first bad row (null when ok), {@code problem} says what is wrong,
     * {@code keyedFrom} the first row checked with the key; {@code unsealed} rows wait for the sealer, the oldest for
     * {@code unsealedSeconds}; {@code sealAlarm} when that is too long (then {@code problem} says what to do).
     */
    public record Result(boolean ok, long checked, Long firstBad, String problem, Long headId, String headHash, long keyedFrom,
                         long unsealed, long unsealedSeconds, boolean sealAlarm) {

        static Result bad(long checked, Long firstBad, String problem, Long headId, String headHash, long keyedFrom) {
            return new Result(false, checked, firstBad, problem, headId, headHash, keyedFrom, 0, 0, false);
        }
    }

    @Transactional
    public Result verify(Long expectHeadId, String expectHeadHash) {
        Object[] boundaries = (Object[]) em.createNativeQuery("select keyed_from, row_mac_from from audit_chain").getSingleResult();
        long keyedFrom = ((Number) boundaries[0]).longValue();
        long rowMacFrom = ((Number) boundaries[1]).longValue();
        String prev = AuditLog.GENESIS;
        long checked = 0;
        Long headId = null;
        // from the smallest place there is, not from 1: a row planted with a place before the first must be checked too
        long lastSeq = Long.MIN_VALUE;
        while (true) {
            List<AuditEvent> page = em.createQuery("from AuditEvent e where e.chainSeq > ?1 order by e.chainSeq", AuditEvent.class)
                    .setParameter(1, lastSeq).setMaxResults(PAGE).getResultList();
            if (page.isEmpty()) {
                break;
            }
            for (AuditEvent e : page) {
                checked++;
                if (!prev.equals(e.prevHash)) {
                    return Result.bad(checked, e.id, "row " + e.id + " does not follow the row before it: a row "
                            + "before it was removed, inserted or moved", null, null, keyedFrom);
                }
                String expected = e.id >= keyedFrom ? key.mac(AuditLog.canonical(e)) : AuditLog.sha256(e);
                if (!expected.equals(e.hash)) {
                    return Result.bad(checked, e.id, "row " + e.id + " was altered: its content does not match its hash",
                            null, null, keyedFrom);
                }
                if (e.chainSeq >= rowMacFrom && (e.rowNonce == null || e.rowMac == null
                        || !key.mac(AuditLog.rowMacText(e)).equals(e.rowMac))) {
                    return Result.bad(checked, e.id, "row " + e.id + " is not as the portal wrote it: its row MAC does "
                            + "not match (inserted into the table directly, or altered before the sealer linked it)", null, null, keyedFrom);
                }
                prev = e.hash;
                headId = e.id;
                lastSeq = e.chainSeq;
            }
            em.clear();
        }
        Number planted = (Number) em.createNativeQuery("select min(id) from audit_event where chain_seq is null "
                + "and (hash is not null or prev_hash is not null)").getSingleResult();
        if (planted != null) {
            return Result.bad(checked, planted.longValue(), "row " + planted + " carries a link but has no place in the chain: "
                    + "it was planted, or the chain's order was removed from it", headId, prev, keyedFrom);
        }
        if (expectHeadId != null) {
            @SuppressWarnings("unchecked")
            List<String> at = em.createNativeQuery("select hash from audit_event where id = ?1")
                    .setParameter(1, expectHeadId).getResultList();
            if (at.isEmpty()) {
                return Result.bad(checked, expectHeadId, "the checkpointed row " + expectHeadId
                        + " is missing: the newest rows were cut off", headId, prev, keyedFrom);
            }
            if (expectHeadHash != null && !expectHeadHash.equals(at.get(0))) {
                return Result.bad(checked, expectHeadId, "row " + expectHeadId + " differs from its checkpoint",
                        headId, prev, keyedFrom);
            }
        }
        AuditSealer.Tail tail = sealer.tail();
        long waited = (long) tail.oldestSeconds();
        int alarm = config.audit().sealAlarmSeconds();
        if (tail.rows() > 0 && tail.oldestSeconds() > alarm) {
            return new Result(false, checked, tail.oldestId(), tail.rows() + " audit row(s) are not sealed into the chain, the "
                    + "oldest (row " + tail.oldestId() + ") for " + waited + " s, longer than the " + alarm + " s alarm: no "
                    + "replica is sealing. Check that a portal replica is running and reaches the database (its log says "
                    + "'audit sealer'); the rows are kept and are sealed once one does", headId, prev, keyedFrom,
                    tail.rows(), waited, true);
        }
        return new Result(true, checked, null, null, headId, prev, keyedFrom, tail.rows(), waited, false);
    }
}
