package io.spicegate.requests;

import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;

import static java.time.DayOfWeek.MONDAY;
import static java.time.DayOfWeek.SATURDAY;
import static java.time.DayOfWeek.SUNDAY;
import static java.time.DayOfWeek.THURSDAY;
import static java.time.DayOfWeek.WEDNESDAY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What people type (reasons, notes) and how windows and wanted times read. */
class RequestTextTest {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Test
    void textIsStrippedAndLineBreaksNormalised() {
        assertEquals("line one\nline two\tend", RequestText.check("  line one\r\nline two\tend \n", "reason", 500).text());
        assertNull(RequestText.check("   \n ", "reason", 500).text());
        assertNull(RequestText.check(null, "reason", 500).text());
        assertEquals("<b>bold</b> & 'quotes'", RequestText.check("<b>bold</b> & 'quotes'", "note", 500).text(),
                "markup is kept as text: pages escape it");
    }

    @Test
    void controlCharactersAreRefusedWithASentence() {
        assertEquals("The reason contains a control character (U+0000): remove it and send it again.",
                RequestText.check("a\u0000b", "reason", 500).problem());
        assertEquals("The note contains a control character (U+001B): remove it and send it again.",
                RequestText.check("a\u001b[31mred", "note", 500).problem());
        assertTrue(RequestText.check("a\u0085b", "note", 500).problem().contains("U+0085"));
    }

    @Test
    void lengthIsCountedInCharactersNotUtf16Units() {
        String fiveHundredEmoji = "😀".repeat(500);
        assertEquals(fiveHundredEmoji, RequestText.check(fiveHundredEmoji, "reason", 500).text());
        assertEquals("The reason is too long: at most 500 characters.",
                RequestText.check("x".repeat(501), "reason", 500).problem());
    }

    @Test
    void windowsReadAsPeopleWriteThem() {
        LocalTime eight = LocalTime.of(8, 0);
        LocalTime six = LocalTime.of(18, 0);
        assertEquals("Wed, Thu 08:00–18:00", RequestText.window(EnumSet.of(WEDNESDAY, THURSDAY), eight, six));
        assertEquals("Mon–Fri 08:00–18:00", RequestText.window(EnumSet.range(MONDAY, DayOfWeek.FRIDAY), eight, six));
        assertEquals("Mon, Wed–Fri 08:00–18:00", RequestText.window(EnumSet.of(MONDAY, WEDNESDAY, THURSDAY,
                DayOfWeek.FRIDAY), eight, six));
        assertEquals("Sat, Sun 22:00–06:00 next day", RequestText.window(EnumSet.of(SATURDAY, SUNDAY),
                LocalTime.of(22, 0), LocalTime.of(6, 0)));
        assertEquals("every day all day", RequestText.window(EnumSet.allOf(DayOfWeek.class), LocalTime.MIDNIGHT,
                LocalTime.MIDNIGHT));
        assertEquals("Mon 18:00–24:00", RequestText.window(EnumSet.of(MONDAY), six, LocalTime.MIDNIGHT));
        assertEquals("Mon 06:00–06:00 next day", RequestText.window(EnumSet.of(MONDAY), LocalTime.of(6, 0), LocalTime.of(6, 0)));
        assertEquals("Wed, Thu 08:00–18:00 (Europe/Berlin)", RequestText.windows(
                List.of("Wed, Thu 08:00–18:00", "Wed, Thu 08:00–18:00"), BERLIN));
        assertEquals("no regular windows", RequestText.windows(List.of(), BERLIN));
    }

    @Test
    void spansReadInTheRulesZone() {
        assertEquals("Mon 23 Nov 19:00–20:00 (Europe/Berlin)", RequestText.span(Instant.parse("2026-11-23T18:00:00Z"),
                Instant.parse("2026-11-23T19:00:00Z"), BERLIN));
        assertEquals("Mon 23 Nov 23:30 – Tue 24 Nov 00:30 (Europe/Berlin)", RequestText.span(
                Instant.parse("2026-11-23T22:30:00Z"), Instant.parse("2026-11-23T23:30:00Z"), BERLIN));
    }
}
