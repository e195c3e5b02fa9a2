package io.spicegate.bench;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spicegate.testing.Browser;
import io.spicegate.testing.Fixtures;
import io.spicegate.testing.ScaleRows;
import io.spicegate.testing.TestClock;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Benchmark, not a test: the session-log page's render time at 1 000 000 console sessions, p50/p99 over N requests
 * per case, one client, after a warm-up. Not run by CI (tag "bench"); run it with
 * {@code ./mvnw -B -Pbench test -Dtest=SessionLogBench [-Dbench.n=500]}. Figures go to stdout and to
 * {@code target/bench-session-log.txt}; see README.md, Performance.
 */
@QuarkusTest
@Tag("bench")
class SessionLogBench {

    static final int ROWS = 1_000_000;
    static final int N = Integer.getInteger("bench.n", 300);
    static final int WARM_UP = 100;

    @Inject
    Fixtures fixtures;

    @Inject
    TestClock clock;

    @TestHTTPResource("/")
    URL portal;

    static long insertMillis;

    @BeforeAll
    static void aMillionSessions() throws SQLException {
        ScaleRows.delete();
        insertMillis = ScaleRows.insert(ROWS);
    }

    @AfterAll
    static void removeThem() throws SQLException {
        ScaleRows.delete();
    }

    @Test
    void sessionLogPageAtAMillionRows() throws Exception {
        clock.berlin("2026-11-23T10:00");
        String cookie = Browser.login(fixtures.user("bencher", false, true), Fixtures.PASSWORD).cookie();
        String middle = "2020-12-15T12:00:00Z_80000000-0000-4000-8000-000000000000";
        String[][] cases = {
                {"newest page, no filter", "/admin/log"},
                {"user filter", "/admin/log?user=" + ScaleRows.PREFIX + "7"},
                {"user filter, deep cursor", "/admin/log?user=" + ScaleRows.PREFIX + "7&after=" + middle},
                {"console filter, deep cursor", "/admin/log?console=scale-vm-3&after=" + middle},
                {"period (one day)", "/admin/log?from=2020-06-01&to=2020-06-01"},
                {"state REVOKED, deep cursor", "/admin/log?state=REVOKED&after=" + middle},
                {"CSV, one user (1000 rows)", "/admin/log.csv?user=" + ScaleRows.PREFIX + "7"},
        };
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + portal.getPort();
        List<String> out = new ArrayList<>();
        out.add(String.format("console_session rows: %,d (+ the test data); inserted in %,d ms; N = %d requests per case after %d warm-up rounds",
                ROWS, insertMillis, N, WARM_UP));
        out.add(String.format("%-30s %9s %9s %9s", "case", "p50 ms", "p99 ms", "max ms"));
        List<HttpRequest> requests = new ArrayList<>();
        for (String[] c : cases) {
            requests.add(HttpRequest.newBuilder(URI.create(base + c[1])).header("Cookie", Browser.COOKIE + "=" + cookie)
                    .GET().build());
        }
        // warm up every case first, so that no case pays for the JIT more than another
        for (int i = 0; i < WARM_UP; i++) {
            for (HttpRequest r : requests) {
                send(http, r);
            }
        }
        for (int k = 0; k < cases.length; k++) {
            String[] c = cases[k];
            HttpRequest request = requests.get(k);
            double[] ms = new double[N];
            for (int i = 0; i < N; i++) {
                long t0 = System.nanoTime();
                send(http, request);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(ms);
            out.add(String.format("%-30s %9.1f %9.1f %9.1f", c[0], percentile(ms, 50), percentile(ms, 99), ms[N - 1]));
        }
        out.forEach(l -> System.out.println("[bench] " + l));
        Files.write(Path.of("target", "bench-session-log.txt"), out);
    }

    static void send(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), request.uri().toString());
    }

    static double percentile(double[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
