package io.spicegate.shared;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A logged value with CR, LF or another control character stays on its line. */
class ControlCharLogFilterTest {

    @Test
    void controlCharactersInAnyArgumentAreEscaped() {
        ExtLogRecord r = new ExtLogRecord(Level.INFO, "audit %s actor=%s", ExtLogRecord.FormatStyle.PRINTF, "x");
        r.setParameters(new Object[]{"LOGIN_FAILED", "x\nFAKE LINE\r\u001b[31m\u2028"});
        assertTrue(new ControlCharLogFilter().isLoggable(r));
        assertEquals("audit LOGIN_FAILED actor=x\\nFAKE LINE\\r\\u001b[31m\\u2028", r.getFormattedMessage());
    }

    @Test
    void aMessageWithoutControlsIsLeftAsItIs() {
        ExtLogRecord r = new ExtLogRecord(Level.INFO, "plain {0}", ExtLogRecord.FormatStyle.MESSAGE_FORMAT, "x");
        r.setParameters(new Object[]{"caf\u00e9"});
        new ControlCharLogFilter().isLoggable(r);
        assertEquals("plain caf\u00e9", r.getFormattedMessage());
        String s = "no controls";
        assertSame(s, ControlCharLogFilter.escape(s));
    }
}
