package io.spicegate.sessions;

import io.spicegate.shared.Csv;
import io.spicegate.shared.Params;
import io.spicegate.shared.Problem;
import io.spicegate.shared.TimeText;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The session log for administrators: who used which console, from where, when and on whose authority.
 * Console sessions (not raw audit rows), filtered, newest first, in keyset pages whose cursor is
 * {@code (starts_at, id)}: every filter has an index led by it and ending in the cursor (V4 migration), so a
 * page costs the same at the millionth row as at the first.
 */
@ApplicationScoped
public class SessionLog {

    public static final int DEFAULT_PAGE = 50;
    public static final int MAX_PAGE = 500;
    private static final int EXPORT_BATCH = 1000;
    private static final String COLUMNS = "s.id, s.username, s.console_name, s.workstation_name, s.source_address, "
            + "s.starts_at, s.ends_at, s.state, s.ended_at, s.ended_by, s.end_reason, s.approved_request_id, "
            + "s.vv_fetched_at, s.grant_applied_at, s.grant_removed_at, s.firewall_error";

    @Inject EntityManager em;
    @Inject Clock clock;

    /** How a session was authorised: by a rule's time window, or by an approved off-hours request. */
    public enum Authority { WINDOW, REQUEST }

    /** Filters; null means any. {@code from}/{@code to} bound the start: {@code from <= starts_at < to}. */
    public record Filter(String user, String console, String workstation, Instant from, Instant to, SessionState state,
                         Authority authority, Long requestId) {

        public static final Filter ANY = new Filter(null, null, null, null, null, null, null, null);

        /** Parses text parameters (instants are resolved by the caller); each bad value is a 400 with an example. */
        public static Filter of(String user, String console, String workstation, Instant from, Instant to, String state,
                                String authorisedBy, String request) {
            Long requestId = parseRequest(request);
            Authority authority = requestId != null ? Authority.REQUEST : parseAuthority(authorisedBy);
            return new Filter(blank(user), blank(console), blank(workstation), from, to, parseState(state), authority, requestId);
        }

        public boolean isEmpty() {
            return equals(ANY);
        }

        private static SessionState parseState(String s) {
            return Params.optional(s, v -> SessionState.valueOf(v.toUpperCase(Locale.ROOT)),
                    "'state' is one of ACTIVE, ENDED, EXPIRED or REVOKED.");
        }

        private static Authority parseAuthority(String s) {
            return Params.optional(s, v -> Authority.valueOf(v.toUpperCase(Locale.ROOT)),
                    "'authorisedBy' is \"window\" (a rule's time window) or \"request\" (an approved request).");
        }

        private static Long parseRequest(String s) {
            String v = blank(s);
            if (v == null) {
                return null;
            }
            v = v.startsWith("#") ? v.substring(1) : v;
            try {
                long id = Long.parseLong(v);
                if (id > 0) {
                    return id;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw Problem.badRequest("'request' is the number of an approved request, e.g. 12.");
        }

        static String blank(String s) {
            return s == null || s.isBlank() ? null : s.strip();
        }
    }

    /** Where a page ends: the next (older) page starts after this session. Text form {@code <starts_at>_<id>}. */
    public record Cursor(Instant startsAt, UUID id) {

        public String token() {
            return startsAt + "_" + id;
        }

        /** Null for an empty token; 400 for a malformed one. */
        public static Cursor parse(String token) {
            if (token == null || token.isBlank()) {
                return null;
            }
            int cut = token.lastIndexOf('_');
            try {
                return new Cursor(Instant.parse(token.substring(0, cut).strip()), UUID.fromString(token.substring(cut + 1).strip()));
            } catch (DateTimeParseException | IllegalArgumentException | StringIndexOutOfBoundsException e) {
                throw Problem.badRequest("'after' is the cursor of a previous page (such as 2026-11-23T09:00:00Z_0f8c…): "
                        + "follow the page's Older link instead of typing it.");
            }
        }
    }

    /** One console session as the log shows it. */
    public record Row(UUID id, String user, String console, String workstation, String source, Instant startsAt,
                      Instant endsAt, String state, Instant endedAt, String endedBy, String endReason,
                      Long approvedRequestId, String authorisedBy, Instant vvFetchedAt, Instant grantAppliedAt,
                      Instant grantRemovedAt, String firewallError) { }

    /** One page, newest first; {@code next} is the cursor of the following (older) page, or null at the end. */
    public record Page(List<Row> rows, Cursor next) { }

    /** A live session for the admin's Live sessions page. */
    public record Live(UUID id, String user, String console, String workstation, String source, Instant startsAt,
                       Instant endsAt, long secondsLeft, String firewall, String firewallError) { }

    /** The SQL of one keyset page and its parameters (?1, ?2, ... in order); public so its plan can be tested. */
    public record Sql(String text, List<Object> parameters) { }

    /**
     * The keyset query: the filters as index conditions, then {@code (starts_at, id) < cursor} — a row
     * comparison PostgreSQL uses as an index bound — newest first, {@code limit} rows.
     */
    public static Sql sql(Filter f, Cursor after, int limit) {
        StringBuilder sql = new StringBuilder("select ").append(COLUMNS).append(" from console_session s where true");
        List<Object> p = new ArrayList<>();
        if (f.user() != null) {
            p.add(f.user());
            sql.append(" and s.username = ?").append(p.size());
        }
        if (f.console() != null) {
            p.add(f.console());
            sql.append(" and s.console_name = ?").append(p.size());
        }
        if (f.workstation() != null) {
            p.add(f.workstation());
            sql.append(" and s.workstation_name = ?").append(p.size());
        }
        if (f.from() != null) {
            p.add(f.from());
            sql.append(" and s.starts_at >= ?").append(p.size());
        }
        if (f.to() != null) {
            p.add(f.to());
            sql.append(" and s.starts_at < ?").append(p.size());
        }
        if (f.state() != null) {
            p.add(f.state().name());
            sql.append(" and s.state = ?").append(p.size());
        }
        if (f.requestId() != null) {
            p.add(f.requestId());
            sql.append(" and s.approved_request_id = ?").append(p.size());
        } else if (f.authority() == Authority.REQUEST) {
            sql.append(" and s.approved_request_id is not null");
        } else if (f.authority() == Authority.WINDOW) {
            sql.append(" and s.approved_request_id is null");
        }
        if (after != null) {
            p.add(after.startsAt());
            p.add(after.id());
            sql.append(" and (s.starts_at, s.id) < (?").append(p.size() - 1).append(", ?").append(p.size()).append(")");
        }
        sql.append(" order by s.starts_at desc, s.id desc limit ").append(Math.max(1, limit));
        return new Sql(sql.toString(), List.copyOf(p));
    }

    @Transactional
    public Page page(Filter f, Cursor after, int limit) {
        int size = Math.max(1, Math.min(limit, MAX_PAGE));
        List<Row> rows = fetch(f, after, size + 1);
        if (rows.size() <= size) {
            return new Page(rows, null);
        }
        List<Row> shown = rows.subList(0, size);
        Row last = shown.get(size - 1);
        return new Page(List.copyOf(shown), new Cursor(last.startsAt(), last.id()));
    }

    /** Every matching session, newest first, in batches (constant memory): for the CSV export. */
    @Transactional
    public void forEach(Filter f, Consumer<Row> consumer) {
        Cursor after = null;
        while (true) {
            List<Row> rows = fetch(f, after, EXPORT_BATCH);
            rows.forEach(consumer);
            if (rows.size() < EXPORT_BATCH) {
                return;
            }
            Row last = rows.get(rows.size() - 1);
            after = new Cursor(last.startsAt(), last.id());
        }
    }

    /** The CSV export: a header and every matching session, newest first, streamed in batches. */
    @Transactional
    public void csv(Filter f, OutputStream out) throws IOException {
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        Csv.line(w, "id", "user", "console", "workstation", "source", "starts_at", "ends_at", "state", "ended_at",
                "ended_by", "end_reason", "authorised_by", "vv_fetched_at", "grant_applied_at", "grant_removed_at",
                "firewall_error");
        try {
            forEach(f, r -> Csv.line(w, r.id().toString(), r.user(), r.console(), r.workstation(), r.source(), r.startsAt(),
                    r.endsAt(), r.state(), r.endedAt(), r.endedBy(), r.endReason(), r.authorisedBy(), r.vvFetchedAt(),
                    r.grantAppliedAt(), r.grantRemovedAt(), r.firewallError()));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        w.flush();
    }

    @Transactional
    public Optional<Row> get(UUID id) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select " + COLUMNS + " from console_session s where s.id = ?1")
                .setParameter(1, id).getResultList();
        return rows.stream().findFirst().map(SessionLog::row);
    }

    /** The sessions running now, soonest end first, with their firewall state. */
    @Transactional
    public List<Live> live() {
        Instant now = clock.instant();
        return ConsoleSession.liveAt(now).stream().map(s -> new Live(s.id, s.username, s.consoleName, s.workstationName,
                s.sourceAddress, s.startsAt, s.endsAt, Math.max(0, Duration.between(now, s.endsAt).toSeconds()),
                s.firewallState(), s.firewallError)).toList();
    }

    private List<Row> fetch(Filter f, Cursor after, int limit) {
        Sql sql = sql(f, after, limit);
        Query q = em.createNativeQuery(sql.text());
        for (int i = 0; i < sql.parameters().size(); i++) {
            q.setParameter(i + 1, sql.parameters().get(i));
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = q.getResultList();
        List<Row> out = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            out.add(row(r));
        }
        return out;
    }

    private static Row row(Object[] r) {
        return new Row((UUID) r[0], (String) r[1], (String) r[2], (String) r[3], (String) r[4], instant(r[5]),
                instant(r[6]), (String) r[7], instant(r[8]), (String) r[9], (String) r[10],
                r[11] == null ? null : ((Number) r[11]).longValue(),
                r[11] == null ? "window" : "request #" + r[11], // "window" or "request #12"
                instant(r[12]), instant(r[13]), instant(r[14]), (String) r[15]);
    }

    /** timestamptz as the JDBC driver hands it to a native query. */
    static Instant instant(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof Instant i) {
            return i;
        }
        if (o instanceof OffsetDateTime t) {
            return t.toInstant();
        }
        if (o instanceof ZonedDateTime t) {
            return t.toInstant();
        }
        if (o instanceof Timestamp t) {
            return t.toInstant();
        }
        throw new IllegalStateException("unexpected timestamp type " + o.getClass().getName() + ": " + TimeText.clip(o.toString()));
    }
}
