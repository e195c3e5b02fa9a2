package io.spicegate.agent;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Collects the agent's log lines so a test can prove that no secret ever reaches them. */
final class LogCapture extends Handler implements AutoCloseable {

    private static final Logger AGENT = Logger.getLogger("io.spicegate.agent");
    final List<String> lines = new CopyOnWriteArrayList<>();

    LogCapture() {
        AGENT.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        String line = record.getMessage();
        if (record.getThrown() != null) {
            line += " " + record.getThrown();
        }
        lines.add(line);
    }

    /** Fails when any collected line contains any of {@code secrets}. */
    void assertNoneContains(String... secrets) {
        for (String line : lines) {
            for (String secret : secrets) {
                assertTrue(!line.contains(secret), "a secret reached the log: " + line);
            }
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        AGENT.removeHandler(this);
    }
}
