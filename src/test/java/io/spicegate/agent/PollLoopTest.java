package io.spicegate.agent;

import io.spicegate.protocol.EnrollResponse;
import io.spicegate.protocol.GrantSet;
import io.spicegate.protocol.ProtocolJson;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loop both agent kinds share, driving a recording workload against {@link FakePortal}: no root, no iptables. */
class PollLoopTest {

    @TempDir
    Path stateDir;
    private FakePortal portal;
    private PollLoop<GrantSet> loop;

    @BeforeEach
    void portal() throws Exception {
        portal = new FakePortal(Duration.ofMillis(300));
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.stop();
        }
        portal.close();
    }

    @Test
    void enrollsPollsFromTheWorkloadsVersionAndClosesOnRefusalAndStop() throws Exception {
        Recording workload = new Recording(null);
        loop = start(workload);
        assertEquals(1, workload.opened.get(), "the workload closes what it guards before the first poll");

        portal.publish(new GrantSet(3, 90, false, List.of(), List.of()));
        assertEquals(3, workload.next().version());
        assertEquals(3, portal.lastWait, "the agent asks to be held its poll timeout (5 s here) less half of it");
        assertEquals(portal.secret, loop.secret(), "the secret got at enrollment is the one it polls with");
        assertEquals(portal.secret, new StateDir(stateDir, ProtocolJson.mapper()).secret(), "and it is kept");

        portal.status = 401;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (workload.refusals.get() == 0 && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertTrue(workload.refusals.get() > 0, "a 401 reaches the workload as a refusal");

        portal.status = 200;
        portal.publish(new GrantSet(4, 90, false, List.of(), List.of()));
        GrantSet again;
        do {
            again = workload.next();
        } while (again.version() < 4);
        assertEquals(4, again.version(), "polling goes on after the refusal");

        loop.stop();
        assertEquals(1, workload.closed.get(), "stop leaves the workload's closed state");
        assertEquals(0, loop.exitCode().get(5, TimeUnit.SECONDS));
        assertTrue(workload.ticks.get() > 0, "the timer ticks the workload");
    }

    @Test
    void anEnrollmentOfTheWrongKindStopsTheAgentWithTheConfigExitCode() throws Exception {
        Recording workload = new Recording("not this kind");
        loop = start(workload);
        assertEquals(PollLoop.EXIT_CONFIG, loop.exitCode().get(10, TimeUnit.SECONDS));
        assertTrue(workload.received.isEmpty(), "nothing is polled");
        assertTrue(!Files.exists(stateDir.resolve("secret")), "the secret of a wrong enrollment is not kept");
    }

    private PollLoop<GrantSet> start(Recording workload) throws Exception {
        Properties p = new Properties();
        p.setProperty("portal.url", portal.url());
        p.setProperty("enrollment.token", portal.token);
        p.setProperty("state.dir", stateDir.toString());
        p.setProperty("retry.seconds", "1");
        p.setProperty("poll.timeout.seconds", "5");
        p.setProperty("hostname", "mylap");
        AgentConfig config = AgentConfig.parse(p, "PollLoopTest");
        PollLoop<GrantSet> started = new PollLoop<>(config, new StateDir(stateDir, ProtocolJson.mapper()),
                PollLoop.WORKSTATION, workload, Duration.ofMillis(50));
        started.start();
        return started;
    }

    /** A workload that records what the loop hands it and polls after the last version it received. */
    private static final class Recording implements PollLoop.Workload<GrantSet> {

        final BlockingQueue<GrantSet> received = new LinkedBlockingQueue<>();
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger refusals = new AtomicInteger();
        final AtomicInteger ticks = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        private final String misenrolled;
        private volatile long version;

        Recording(String misenrolled) {
            this.misenrolled = misenrolled;
        }

        GrantSet next() throws InterruptedException {
            GrantSet set = received.poll(10, TimeUnit.SECONDS);
            assertTrue(set != null, "no grant set reached the workload within 10 s");
            return set;
        }

        @Override
        public void open() {
            opened.incrementAndGet();
        }

        @Override
        public long after() {
            return version;
        }

        @Override
        public void received(GrantSet answer, String secret) {
            version = answer.version();
            received.add(answer);
        }

        @Override
        public void refused() {
            refusals.incrementAndGet();
            version = 0;
        }

        @Override
        public String misenrolled(EnrollResponse enrolled) {
            return misenrolled;
        }

        @Override
        public void tick() {
            ticks.incrementAndGet();
        }

        @Override
        public void close() {
            closed.incrementAndGet();
        }
    }
}
