package io.spicegate.shared;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** What an admin change changed, as the audit log says it: "email: 'a@x' → 'b@x'; roles: [user] → [user, admin]". */
public final class Changes {

    private Changes() {
    }

    /**
     * The components of two views of one record type that differ, in declaration order, except the {@code ignored}
     * ones; empty when nothing differs (then there is no change to record).
     */
    public static String between(Record before, Record after, String... ignored) {
        if (before.getClass() != after.getClass()) {
            throw new IllegalArgumentException("two views of one kind expected");
        }
        Set<String> skip = Set.of(ignored);
        List<String> out = new ArrayList<>();
        for (RecordComponent c : before.getClass().getRecordComponents()) {
            if (skip.contains(c.getName())) {
                continue;
            }
            Object a = value(c, before);
            Object b = value(c, after);
            if (!Objects.equals(a, b)) {
                out.add(c.getName() + ": " + shown(a) + " → " + shown(b));
            }
        }
        return String.join("; ", out);
    }

    private static Object value(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String shown(Object v) {
        if (v instanceof Set<?> set && set.stream().allMatch(e -> e instanceof Comparable)) {
            return new java.util.TreeSet<>(set).toString(); // sets read the same however they were built
        }
        return v == null ? "none" : v instanceof String s ? quoted(s) : String.valueOf(v);
    }

    /**
     * 'text' with its backslashes and quotes escaped, so a value (a display name a directory sent) cannot close its
     * quote and pass for another field of the row.
     */
    static String quoted(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
