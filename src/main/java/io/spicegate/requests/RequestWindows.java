package io.spicegate.requests;

import io.spicegate.rules.ApprovedWindows;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Approved requests as the one-off windows the access decision reads ({@link ApprovedWindows}). */
@ApplicationScoped
public class RequestWindows implements ApprovedWindows {

    @Inject EntityManager em;

    @Override
    public List<Slot> slots(long userId, Long consoleId, Instant now) {
        var query = em.createQuery("""
                        select r.id, c.id, c.name, r.approvedStart, r.approvedEnd, r.decidedBy
                        from AccessRequest r join r.console c
                        where r.user.id = :user and r.state = :approved and r.approvedEnd > :now"""
                        + (consoleId == null ? "" : " and c.id = :console") + " order by r.id", Object[].class)
                .setParameter("user", userId).setParameter("approved", RequestState.APPROVED).setParameter("now", now);
        if (consoleId != null) {
            query.setParameter("console", consoleId);
        }
        List<Object[]> rows = query.getResultList();
        List<Slot> slots = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            slots.add(new Slot((Long) r[0], (Long) r[1], (String) r[2], (Instant) r[3], (Instant) r[4], (String) r[5]));
        }
        return slots;
    }
}
