package io.spicegate.shared;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The audit's "what changed" text: only what differs, sets in order, and a value that cannot pass for another field. */
class ChangesTest {

    record View(long id, String name, Set<String> roles, String note) { }

    @Test
    void onlyWhatDiffersInDeclarationOrder() {
        View a = new View(1, "Nina", Set.of("user", "approver"), null);
        View b = new View(1, "Nina Simone", Set.of("approver", "user"), "x");
        assertEquals("name: 'Nina' → 'Nina Simone'; note: none → 'x'", Changes.between(a, b));
        assertEquals("", Changes.between(a, new View(1, "Nina", Set.of("approver", "user"), null)), "sets read the same");
        assertEquals("", Changes.between(a, b, "name", "note"));
    }

    @Test
    void aValueCannotCloseItsQuoteAndForgeAnotherField() {
        View a = new View(1, "Bro", Set.of("user"), null);
        View b = new View(1, "Bro'; roles: [user] → [admin, user]; note: 'x", Set.of("user"), null);
        assertEquals("name: 'Bro' → 'Bro\\'; roles: [user] → [admin, user]; note: \\'x'", Changes.between(a, b));
        assertEquals("'a\\\\b'", Changes.quoted("a\\b"));
    }
}
