package io.spicegate.cli;

import java.util.ArrayList;
import java.util.List;

/** A plain text table: a header row and aligned columns, two spaces apart, no trailing blanks. */
final class Table {

    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    Table(String... header) {
        columns = header.length;
        rows.add(header);
    }

    /** Adds a row; a null cell shows as "-", control characters as "?". */
    Table row(String... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + columns);
        }
        String[] clean = new String[columns];
        for (int i = 0; i < columns; i++) {
            clean[i] = cells[i] == null || cells[i].isEmpty() ? "-" : Main.printable(cells[i], 200);
        }
        rows.add(clean);
        return this;
    }

    /** Whether only the header is there. */
    boolean isEmpty() {
        return rows.size() == 1;
    }

    /** The table, one line per row, each ending in a newline. */
    String render() {
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(row[i]);
                if (i < columns - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
