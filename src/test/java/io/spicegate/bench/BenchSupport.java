package io.spicegate.bench;

import io.spicegate.testing.Api;
import io.spicegate.testing.PortalProcess;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Shared pieces of the benchmarks: seeding, a browser login, percentiles, and a portal process's CPU and heap. */
final class BenchSupport {

    private BenchSupport() {
    }

    /** Workstations {@code <prefix>-0..n-1} with enrolled agents whose bearer secret is {@code <secretPrefix><i>}. */
    static void seedAgents(Connection sql, String prefix, String secretPrefix, int n, String addressPrefix) throws SQLException {
        try (Statement st = sql.createStatement()) {
            st.execute("insert into workstation (name, secret_hash, enrolled_at, last_seen_at) "
                    + "select '" + prefix + "-' || i, encode(sha256(convert_to('" + secretPrefix + "' || i, 'UTF8')), 'hex'), now(), now() "
                    + "from generate_series(0, " + (n - 1) + ") i");
            st.execute("insert into workstation_address (workstation_id, cidr) "
                    + "select id, '" + addressPrefix + "' || (substring(name from " + (prefix.length() + 2) + ")::int / 250) || '.' "
                    + "|| (substring(name from " + (prefix.length() + 2) + ")::int % 250 + 1) "
                    + "from workstation where name like '" + prefix + "-%'");
        }
    }

    /** A browser's login session cookie value (cookie requests skip the per-request bcrypt of HTTP Basic). */
    static String login(String base, String user, String password) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", base)
                .POST(HttpRequest.BodyPublishers.ofString("username=" + user + "&password="
                        + URLEncoder.encode(password, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow(() -> new AssertionError("no login: " + r.body()));
        return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
    }

    /** p-th percentile (0..100) of sorted values. */
    static double percentile(List<Long> sortedMicros, double p) {
        int i = (int) Math.min(sortedMicros.size() - 1, Math.ceil(p / 100.0 * sortedMicros.size()) - 1);
        return sortedMicros.get(Math.max(0, i)) / 1000.0;
    }

    static List<Long> sorted(List<Long> values) {
        List<Long> copy = new ArrayList<>(values);
        Collections.sort(copy);
        return copy;
    }

    /** CPU time (user + system) a process has used so far, in seconds, from /proc. */
    static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
        return ticks / 100.0; // USER_HZ is 100 on Linux
    }

    /** Average CPU of the process over this long, as % of one core. */
    static double cpuPercent(long pid, Duration over) throws IOException, InterruptedException {
        double c0 = cpuSeconds(pid);
        long t0 = System.nanoTime();
        Thread.sleep(over.toMillis());
        return (cpuSeconds(pid) - c0) / ((System.nanoTime() - t0) / 1e9) * 100;
    }

    /** Full GC in the portal (jcmd), then its heap in use from /q/metrics, in MiB. */
    static double heapAfterGcMiB(PortalProcess p) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(p.pid()), "GC.run").redirectErrorStream(true).start();
        jcmd.getInputStream().readAllBytes();
        jcmd.waitFor(60, TimeUnit.SECONDS);
        Thread.sleep(500);
        return metricSum(p, "jvm_memory_used_bytes", "area=\"heap\"") / (1024 * 1024);
    }

    /** Resident memory of the process, in MiB. */
    static double rssMiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return -1;
    }

    /** The sum of a metric's series whose labels contain {@code labelPart}. */
    static double metricSum(PortalProcess p, String name, String labelPart) {
        String text = Api.anonymous(p.management).get("/q/metrics").expect(200).body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(text);
        double sum = 0;
        while (m.find()) {
            if (labelPart == null || (m.group(1) != null && m.group(1).contains(labelPart))) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    /**
     * With {@code -Dbench.jfr=DIR}, the portal records a Flight Recorder profile to {@code DIR/<name>.jfr}, written
     * when it stops: where a figure's time goes ({@code jfr print --events jdk.ExecutionSample}). Off by default, as
     * the recorder costs a little.
     */
    static java.util.Map<String, String> profiled(java.util.Map<String, String> env, String name) {
        String dir = System.getProperty("bench.jfr");
        if (dir != null && !dir.isBlank()) {
            try {
                java.nio.file.Files.createDirectories(Path.of(dir)); // else the portal's JVM refuses to start
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("-Dbench.jfr=" + dir + " cannot be created", e);
            }
            env.put("JAVA_TOOL_OPTIONS", "-XX:StartFlightRecording=dumponexit=true,settings=profile,jdk.ExecutionSample#period=2ms,filename="
                    + Path.of(dir, name + ".jfr").toAbsolutePath());
        }
        return env;
    }

    /** The open-files limit of this JVM (10 000 agents need 10 000 sockets here and in the portal). */
    static long openFilesLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                return Long.parseLong(line.split("\\s+")[3]);
            }
        }
        return -1;
    }
}
