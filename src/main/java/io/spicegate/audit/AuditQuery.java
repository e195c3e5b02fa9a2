package io.spicegate.audit;

import io.spicegate.shared.Params;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Reads the audit log with filters, newest first, by keyset pages (fast at any depth). */
@ApplicationScoped
public class AuditQuery {

    @Inject EntityManager em;

    /** Filters; null means any. */
    public record Filter(String user, String console, String workstation, String action, Instant from, Instant to,
                         UUID session) {

        /** Parses query parameters; a bad instant is a 400 with an example. */
        public static Filter of(String user, String console, String workstation, String action, String from, String to,
                                String session) {
            return new Filter(blank(user), blank(console), blank(workstation), blank(action), Params.instant(from, "from"),
                    Params.instant(to, "to"), uuid(session));
        }

        private static String blank(String s) {
            return s == null || s.isBlank() ? null : s.strip();
        }

        private static UUID uuid(String s) {
            return Params.optional(s, UUID::fromString, "'session' is a session id such as 0f8c2a1e-….");
        }
    }

    /** An audit row as the API shows it. */
    public record Event(long id, Instant at, String actor, String action, String user, String console,
                        String workstation, UUID session, String source, String detail) {
        static Event of(AuditEvent e) {
            return new Event(e.id, e.at, e.actor, e.action, e.username, e.console, e.workstation, e.sessionId, e.source, e.detail);
        }
    }

    /** One page; {@code next} is the cursor for the following (older) page, or null at the end. */
    public record Page(List<Event> events, Long next) { }

    /** Rows on a page when the caller does not say, and at most. */
    public static final int DEFAULT_PAGE = 100;
    public static final int MAX_PAGE = 500;

    @Transactional
    public Page page(Filter f, Long before, int limit) {
        int size = Math.max(1, Math.min(limit, MAX_PAGE));
        List<AuditEvent> rows = query(f, before).setMaxResults(size + 1).getResultList();
        List<Event> out = new ArrayList<>(Math.min(rows.size(), size));
        for (int i = 0; i < Math.min(rows.size(), size); i++) {
            out.add(Event.of(rows.get(i)));
        }
        return new Page(out, rows.size() > size ? out.get(out.size() - 1).id() : null);
    }

    /** Streams every matching row, newest first, in pages, to the consumer (for CSV export). */
    @Transactional
    public void forEach(Filter f, java.util.function.Consumer<Event> consumer) {
        Long before = null;
        while (true) {
            List<AuditEvent> rows = query(f, before).setMaxResults(1000).getResultList();
            for (AuditEvent e : rows) {
                consumer.accept(Event.of(e));
            }
            if (rows.size() < 1000) {
                return;
            }
            before = rows.get(rows.size() - 1).id;
            em.clear();
        }
    }

    /**
     * The story of one console session, oldest first: its own rows and, when an approved request authorised it,
     * that request's rows (REQUEST_* rows about the user whose detail starts "request #id").
     */
    @Transactional
    public List<Event> timeline(UUID session, String username, Long requestId) {
        List<AuditEvent> rows = new ArrayList<>(em.createQuery("from AuditEvent e where e.sessionId = ?1 order by e.id",
                AuditEvent.class).setParameter(1, session).setMaxResults(1000).getResultList());
        if (requestId != null && username != null) {
            String tag = "request #" + requestId;
            rows.addAll(em.createQuery("from AuditEvent e where e.username = ?1 and e.action like 'REQUEST%' "
                            + "and (e.detail = ?2 or e.detail like ?3 or e.detail like ?4) order by e.id", AuditEvent.class)
                    .setParameter(1, username).setParameter(2, tag).setParameter(3, tag + " %").setParameter(4, tag + ":%")
                    .setMaxResults(100).getResultList());
        }
        return rows.stream().sorted(java.util.Comparator.comparing((AuditEvent e) -> e.id)).map(Event::of).toList();
    }

    private TypedQuery<AuditEvent> query(Filter f, Long before) {
        StringBuilder jpql = new StringBuilder("from AuditEvent e where 1 = 1");
        Map<String, Object> params = new LinkedHashMap<>();
        if (f.user() != null) { jpql.append(" and e.username = :user"); params.put("user", f.user()); }
        if (f.console() != null) { jpql.append(" and e.console = :console"); params.put("console", f.console()); }
        if (f.workstation() != null) { jpql.append(" and e.workstation = :ws"); params.put("ws", f.workstation()); }
        if (f.action() != null) { jpql.append(" and e.action = :action"); params.put("action", f.action()); }
        if (f.from() != null) { jpql.append(" and e.at >= :from"); params.put("from", f.from()); }
        if (f.to() != null) { jpql.append(" and e.at < :to"); params.put("to", f.to()); }
        if (f.session() != null) { jpql.append(" and e.sessionId = :session"); params.put("session", f.session()); }
        if (before != null) { jpql.append(" and e.id < :before"); params.put("before", before); }
        jpql.append(" order by e.id desc");
        TypedQuery<AuditEvent> q = em.createQuery(jpql.toString(), AuditEvent.class);
        params.forEach(q::setParameter);
        return q;
    }
}
