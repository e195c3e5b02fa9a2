package io.spicegate.web;

import io.spicegate.rules.ApprovedWindows;
import jakarta.annotation.Priority;
import jakarta.decorator.Decorator;
import jakarta.decorator.Delegate;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test-only decorator: records each query of approved requests per user, so a test can count them for one page. */
@Decorator
@Priority(1)
public abstract class CountingApprovedWindows implements ApprovedWindows {

    /** Per user id, the console id of each call (null: all of his consoles). */
    static final Map<Long, List<String>> CALLS = new ConcurrentHashMap<>();

    @Inject
    @Delegate
    ApprovedWindows delegate;

    @Override
    public List<Slot> slots(long userId, Long consoleId, Instant now) {
        CALLS.computeIfAbsent(userId, u -> new CopyOnWriteArrayList<>()).add(String.valueOf(consoleId));
        return delegate.slots(userId, consoleId, now);
    }
}
