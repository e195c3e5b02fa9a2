package io.spicegate.shared;

import org.junit.jupiter.api.Test;

import java.util.List;
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

    record Window(List<String> days, String from) { }

    record Rule(String console, List<Window> windows, List<String> approvers, Integer maxMinutes) { }

    @Test
    void nestedValuesAreQuotedToo() {
        Rule a = new Rule("vm", List.of(new Window(List.of("MONDAY"), "08:00")), List.of("ann"), null);
        Rule b = new Rule("vm", List.of(new Window(List.of("MONDAY", "FRIDAY"), "08:00")), List.of("ann", "x, y"), 30);
        assertEquals("windows: [{days: [MONDAY], from: '08:00'}] → [{days: [MONDAY, FRIDAY], from: '08:00'}]; "
                + "approvers: [ann] → [ann, 'x, y']; maxMinutes: none → 30", Changes.between(a, b));
        assertEquals("console: 'vm'; windows: [{days: [MONDAY], from: '08:00'}]; approvers: [ann]", Changes.listing(a));
        assertEquals("windows: [{days: [MONDAY], from: '08:00'}]", Changes.listing(a, "console", "approvers"));
    }

    @Test
    void aNoteFollowsTheChanges() {
        assertEquals("a; b", Changes.and("a", "b"));
        assertEquals("a", Changes.and("a", null));
        assertEquals("b", Changes.and("", "b"));
        assertEquals("", Changes.and("", null));
    }
}
