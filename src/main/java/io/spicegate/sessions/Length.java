package io.spicegate.sessions;

import java.util.List;

/** A length a person picks on a page (Open console for 30 min, Extend by +15 min), with how it reads. */
public record Length(int minutes, String label) {

    /** What Open console offers besides "as long as allowed". */
    static final List<Length> OPEN = List.of(of(15), of(30), of(60), of(120));

    /** What Extend offers besides "until the most allowed". */
    static final List<Length> EXTEND = List.of(of(15), of(30), of(60));

    static Length of(int minutes) {
        return new Length(minutes, SessionLimit.length(minutes));
    }
}
