package io.spicegate.shared;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What an admin change changed, as the audit log says it: "email: 'a@x' → 'b@x'; roles: [user] → [user, admin]";
 * and what a created or deleted thing was: "name: 'lab'; addresses: [10.0.0.5]; strict: true". Every text value is
 * quoted and escaped, also inside lists and nested records, so no value can pass for another field of the row.
 */
public final class Changes {

    /** A list element that reads the same quoted or not (a role, an address, a day): shown bare. */
    private static final Pattern BARE = Pattern.compile("[A-Za-z0-9_.:/@+-]{1,64}");

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

    /** Every component of {@code r} that has a value (not null, not empty), in declaration order, except the {@code ignored} ones. */
    public static String listing(Record r, String... ignored) {
        return fields(r, "; ", Set.of(ignored));
    }

    private static String fields(Record r, String separator, Set<String> skip) {
        List<String> out = new ArrayList<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object v = value(c, r);
            if (v != null && !(v instanceof Collection<?> none && none.isEmpty()) && !skip.contains(c.getName())) {
                out.add(c.getName() + ": " + shown(v));
            }
        }
        return String.join(separator, out);
    }

    /** {@code changes} and then {@code note}, joined by "; " where both say something. */
    public static String and(String changes, String note) {
        return note == null || note.isEmpty() ? changes : changes.isEmpty() ? note : changes + "; " + note;
    }

    private static Object value(RecordComponent c, Record r) {
        try {
            java.lang.reflect.Method accessor = c.getAccessor();
            accessor.setAccessible(true); // the audited views are private records of the classes that audit
            return accessor.invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String shown(Object v) {
        if (v instanceof Set<?> set && set.stream().allMatch(e -> e instanceof Comparable)) {
            v = new java.util.TreeSet<>(set); // sets read the same however they were built
        }
        if (v instanceof Collection<?> items) {
            return items.stream().map(Changes::element).collect(Collectors.joining(", ", "[", "]"));
        }
        if (v instanceof Record r) {
            return "{" + fields(r, ", ", Set.of()) + "}";
        }
        return v == null ? "none" : v instanceof String s ? quoted(s) : String.valueOf(v);
    }

    private static String element(Object e) {
        return e instanceof String s && BARE.matcher(s).matches() ? s : shown(e);
    }

    /**
     * 'text' with its backslashes and quotes escaped, so a value (a display name a directory sent) cannot close its
     * quote and pass for another field of the row.
     */
    public static String quoted(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
