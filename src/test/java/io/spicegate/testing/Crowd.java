package io.spicegate.testing;

import io.spicegate.users.AuthService;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A crowd for Open console storms: users {@code <prefix>1..n}, each allowed (always) on a console of their own
 * {@code <prefix>vm1..n} on host {@code mysrv}, each logged in (a login session inserted directly: a bcrypt login
 * each would take minutes). So every open is a new session, and none waits for another's console.
 */
public final class Crowd {

    private final List<String> cookies;
    public final String prefix;

    private Crowd(String prefix, List<String> cookies) {
        this.prefix = prefix;
        this.cookies = cookies;
    }

    public int size() {
        return cookies.size();
    }

    /** Seeds the crowd in one transaction; {@code now} is the portal's clock (login sessions last an hour from it). */
    public static Crowd seed(Connection c, String prefix, int n, Instant now) throws SQLException {
        List<String> cookies = new ArrayList<>(n);
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (PreparedStatement u = c.prepareStatement("insert into app_user (username, password_hash, display_name, "
                    + "unix_username, created_at) select ? || g, 'x', 'crowd', ? || g, now() from generate_series(1, ?) g")) {
                u.setString(1, prefix);
                u.setString(2, prefix);
                u.setInt(3, n);
                u.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("insert into console (name, host_id, tls_port, description) "
                    + "select ? || g, (select id from kvm_host where name = 'mysrv'), 30000 + g, 'crowd' from generate_series(1, ?) g")) {
                s.setString(1, prefix + "vm");
                s.setInt(2, n);
                s.executeUpdate();
            }
            try (PreparedStatement r = c.prepareStatement("insert into access_rule (console_id, subject_user_id, effect, zone) "
                    + "select c.id, u.id, 'ALLOW', 'Europe/Berlin' from generate_series(1, ?) g "
                    + "join console c on c.name = ? || g join app_user u on u.username = ? || g")) {
                r.setInt(1, n);
                r.setString(2, prefix + "vm");
                r.setString(3, prefix);
                r.executeUpdate();
            }
            try (PreparedStatement w = c.prepareStatement("insert into rule_window (rule_id, position, days, from_time, to_time) "
                    + "select r.id, 0, '1,2,3,4,5,6,7', '00:00', '00:00' from access_rule r join console c on c.id = r.console_id "
                    + "where c.name like ?")) {
                w.setString(1, prefix + "vm%");
                w.executeUpdate();
            }
            try (PreparedStatement l = c.prepareStatement("insert into login_session (token_hash, user_id, csrf_token, "
                    + "created_at, last_seen_at, expires_at) values (?, (select id from app_user where username = ?), 'x', now(), ?, ?)")) {
                for (int i = 1; i <= n; i++) {
                    String token = UUID.randomUUID() + "-" + i;
                    cookies.add(token);
                    l.setString(1, AuthService.sha256(token));
                    l.setString(2, prefix + i);
                    l.setObject(3, Timestamp.from(now));
                    l.setObject(4, Timestamp.from(now.plus(Duration.ofHours(1))));
                    l.addBatch();
                }
                l.executeBatch();
            }
            c.commit();
        } finally {
            c.setAutoCommit(auto);
        }
        return new Crowd(prefix, cookies);
    }

    /** Member {@code i} (1-based) opens their console on the portal at {@code origin}; returns the status. */
    public int open(HttpClient http, String origin, int i) throws Exception {
        return http.send(openRequest(origin, i).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** As {@link #open(HttpClient, String, int)}, from this client address (relayed by a trusted proxy on loopback). */
    public int open(HttpClient http, String origin, int i, String from) throws Exception {
        return http.send(openRequest(origin, i).header("X-Forwarded-For", from).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private HttpRequest.Builder openRequest(String origin, int i) {
        return request(origin, i, "/api/v1/sessions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"console\":\"" + prefix + "vm" + i + "\"}"));
    }

    /** Member {@code i} lists their sessions: a trivial logged-in call. */
    public int sessions(HttpClient http, String origin, int i) throws Exception {
        return http.send(request(origin, i, "/api/v1/sessions").GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private HttpRequest.Builder request(String origin, int i, String path) {
        return HttpRequest.newBuilder(URI.create(origin + path)).header("Cookie", Browser.COOKIE + "=" + cookies.get(i - 1))
                .header("Origin", origin).timeout(Duration.ofSeconds(120));
    }
}
