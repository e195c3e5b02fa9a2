package io.spicegate.access;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Assertions on decisions, with expected instants written as ISO strings (blank or null = null). */
final class Expect {

    private Expect() {
    }

    static void decision(Decision actual, Verdict verdict, String until, String next) {
        assertAll(
                () -> assertEquals(verdict, actual.verdict(), () -> "verdict of " + actual),
                () -> assertEquals(TestData.at(until), actual.until(), () -> "until of " + actual),
                () -> assertEquals(TestData.at(next), actual.nextWindowStart(), () -> "nextWindowStart of " + actual));
    }
}
