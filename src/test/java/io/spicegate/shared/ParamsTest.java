package io.spicegate.shared;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ParamsTest {

    @Test
    void blankIsNoneAndAValueIsReadWithoutItsBlanks() {
        assertNull(Params.optional(null, Long::valueOf, "unused"));
        assertNull(Params.optional(" \t", Long::valueOf, "unused"));
        assertEquals(Long.valueOf(42), Params.<Long>optional(" 42 ", Long::valueOf, "unused"));
        assertEquals(Instant.parse("2026-11-26T17:00:00Z"), Params.instant(" 2026-11-26T17:00:00Z", "from"));
    }

    @Test
    void aValueThatDoesNotParseIsA400WithTheSentence() {
        Problem p = assertThrows(Problem.class, () -> Params.optional(" 4x ", Long::valueOf, v -> "'" + v + "' is no number."));
        assertEquals(400, p.status());
        assertEquals("'4x' is no number.", p.getMessage());
        assertEquals(400, assertThrows(Problem.class, () -> Params.optional("zz", UUID::fromString, "a uuid")).status());
        Problem t = assertThrows(Problem.class, () -> Params.instant("yesterday", "to"));
        assertEquals("'to' is an ISO-8601 instant in UTC, e.g. 2026-11-26T17:00:00Z.", t.getMessage());
    }

    @Test
    void onlyParseFailuresBecomeA400() {
        assertThrows(IllegalStateException.class, () -> Params.optional("1", v -> {
            throw new IllegalStateException("a bug, not bad input");
        }, "unused"));
    }
}
