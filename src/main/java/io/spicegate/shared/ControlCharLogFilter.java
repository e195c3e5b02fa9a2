package io.spicegate.shared;

import io.quarkus.logging.LoggingFilter;
import org.jboss.logmanager.ExtLogRecord;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Escapes CR, LF and every other control character in each log message (as {@code \n}, {@code \r}, {@code \t},
 * {@code \u001b}): a value from a request (a login name, a header) can never start a line of its own in the log.
 */
@LoggingFilter(name = ControlCharLogFilter.NAME)
public final class ControlCharLogFilter implements Filter {

    /** The name the log handlers refer to in application.properties. */
    public static final String NAME = "spicegate-escape-controls";

    @Override
    public boolean isLoggable(LogRecord record) {
        ExtLogRecord ext = ExtLogRecord.wrap(record);
        String message = ext.getFormattedMessage();
        String escaped = escape(message);
        if (escaped != message) {
            ext.setMessage(escaped, ExtLogRecord.FormatStyle.NO_FORMAT);
            ext.setParameters(null);
        }
        return true;
    }

    /** The text with its control characters escaped; the same instance when it has none. */
    public static String escape(String text) {
        if (text == null || text.chars().noneMatch(ControlCharLogFilter::isControl)) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length() + 16);
        text.chars().forEach(c -> {
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (isControl(c)) {
                        b.append(String.format("\\u%04x", c));
                    } else {
                        b.append((char) c);
                    }
                }
            }
        });
        return b.toString();
    }

    /** C0, DEL, C1, and the Unicode line and paragraph separators. */
    private static boolean isControl(int c) {
        return c < 0x20 || c >= 0x7f && c <= 0x9f || c == 0x2028 || c == 0x2029;
    }
}
