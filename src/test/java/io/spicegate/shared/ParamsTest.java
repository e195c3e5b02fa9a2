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

    @Test
    void aPageSizeIsAWholeNumberInItsRangeOrTheDefault() {
        assertEquals(100, Params.pageSize(null, 100, 500));
        assertEquals(100, Params.pageSize(" ", 100, 500));
        assertEquals(1, Params.pageSize("1", 100, 500));
        assertEquals(500, Params.pageSize(" 500 ", 100, 500));
        for (String bad : new String[] {"0", "-1", "501", "x", "1.5", "99999999999"}) {
            Problem p = assertThrows(Problem.class, () -> Params.pageSize(bad, 100, 500), bad);
            assertEquals("'limit' is how many rows a page holds: a whole number from 1 to 500 (or leave it out for 100).",
                    p.getMessage());
        }
        assertEquals(Long.valueOf(7), Params.cursor("7", "before", "the id"));
        assertEquals("'before' is the id: a whole number (or leave it out).",
                assertThrows(Problem.class, () -> Params.cursor("x", "before", "the id")).getMessage());
    }
}
