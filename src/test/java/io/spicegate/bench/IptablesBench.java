package io.spicegate.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark (bench profile, not CI): 500 per-UID grants applied as the agent does it — one
 * {@code iptables-restore --noflush} transaction — versus the seed's way, one {@code iptables -A} per rule.
 * Both run in a scratch network namespace; both include one {@code ip netns exec}.
 */
class IptablesBench {

    static final int RULES = 500;
    static final int ROUNDS = 7;

    @Test
    void oneTransactionVersusOneCommandPerRule() throws Exception {
        String ns = "sgbench" + ProcessHandle.current().pid();
        sh("ip", "netns", "add", ns);
        Path dir = Files.createTempDirectory("sg-ipt-bench-");
        try {
            StringBuilder restore = new StringBuilder("*filter\n:SPICEGATE - [0:0]\n");
            StringBuilder perRule = new StringBuilder("set -e\niptables -N SPICEGATE 2>/dev/null || iptables -F SPICEGATE\n");
            for (int i = 0; i < RULES; i++) {
                String rule = "-d 10.99." + (i / 200) + "." + (1 + i % 200) + "/32 -p tcp --dport " + (20000 + i)
                        + " -m owner --uid-owner " + (20000 + i) + " -j ACCEPT";
                restore.append("-A SPICEGATE ").append(rule).append('\n');
                perRule.append("iptables -A SPICEGATE ").append(rule).append('\n');
            }
            restore.append("-A SPICEGATE -d 10.99.0.0/16 -p tcp -j REJECT --reject-with tcp-reset\nCOMMIT\n");
            perRule.append("iptables -A SPICEGATE -d 10.99.0.0/16 -p tcp -j REJECT --reject-with tcp-reset\n");
            Path restoreFile = dir.resolve("rules.restore");
            Path scriptFile = dir.resolve("rules.sh");
            Files.writeString(restoreFile, restore);
            Files.writeString(scriptFile, perRule);
            List<Long> tx = new ArrayList<>();
            List<Long> each = new ArrayList<>();
            for (int r = 0; r < ROUNDS; r++) {
                tx.add(time("ip", "netns", "exec", ns, "sh", "-c", "iptables-restore --noflush < " + restoreFile));
                check(ns);
                each.add(time("ip", "netns", "exec", ns, "bash", scriptFile.toString()));
                check(ns);
            }
            Collections.sort(tx);
            Collections.sort(each);
            double a = tx.get(ROUNDS / 2) / 1e6;
            double b = each.get(ROUNDS / 2) / 1e6;
            System.out.printf("%n=== %d grants: one iptables-restore transaction %.1f ms, one iptables -A per rule %.1f ms "
                    + "(median of %d) -> %.0fx faster ===%n", RULES, a, b, ROUNDS, b / a);
        } finally {
            sh("ip", "netns", "del", ns);
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    static void check(String ns) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "iptables", "-S", "SPICEGATE").start();
        long lines = new String(p.getInputStream().readAllBytes()).lines().filter(l -> l.startsWith("-A")).count();
        p.waitFor();
        if (lines != RULES + 1) {
            throw new AssertionError("expected " + (RULES + 1) + " rules, got " + lines);
        }
    }

    static long time(String... argv) throws Exception {
        long t0 = System.nanoTime();
        sh(argv);
        return System.nanoTime() - t0;
    }

    static void sh(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
        }
    }
}
