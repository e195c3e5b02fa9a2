package io.spicegate.shared;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;

/** CSV for spreadsheets: RFC 4180 quoting, CRLF lines, and cells that a spreadsheet will not run as formulas. */
public final class Csv {

    private Csv() {
    }

    /** A cell: quoted when needed; a leading = + - @ tab or CR is neutralised with a quote mark. */
    public static String cell(String s) {
        if (s == null) {
            return "";
        }
        String v = s;
        if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
            v = "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }

    /** Writes one line of cells (strings, instants, numbers; null is empty) and CRLF; IO errors become unchecked. */
    public static void line(Writer w, Object... cells) {
        try {
            for (int i = 0; i < cells.length; i++) {
                if (i > 0) {
                    w.write(',');
                }
                Object c = cells[i];
                w.write(c == null ? "" : c instanceof String s ? cell(s) : c instanceof Instant t ? t.toString() : cell(c.toString()));
            }
            w.write("\r\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
