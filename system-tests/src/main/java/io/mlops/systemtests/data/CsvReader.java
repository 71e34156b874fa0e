package io.mlops.systemtests.data;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Streaming RFC 4180 CSV reader: comma-separated, double-quoted fields with {@code ""} escapes and
 * line breaks inside quotes, CRLF or LF line ends. Reads one record at a time, so a test split of any
 * size streams straight from S3.
 */
public final class CsvReader {
    private final Reader in;
    private final String source;
    private int pushedBack = -2;
    private long line = 1;
    private long recordLine = 1;

    /**
     * @param in     the text (buffer it)
     * @param source name for error messages, e.g. the S3 URI of the file
     */
    public CsvReader(Reader in, String source) {
        this.in = in;
        this.source = source;
    }

    /** Line number (1-based) where the record last returned by {@link #next()} started. */
    public long recordLine() {
        return recordLine;
    }

    public String source() {
        return source;
    }

    /**
     * The next record, or {@code null} at the end. Blank lines are skipped.
     *
     * @throws IllegalArgumentException on an unterminated quoted field
     */
    public List<String> next() throws IOException {
        int c = read();
        while (c == '\n' || c == '\r') {
            c = read();
        }
        if (c == -1) {
            return null;
        }
        recordLine = line;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean fieldWasQuoted = false;
        while (true) {
            if (quoted) {
                if (c == -1) {
                    throw new IllegalArgumentException(source + " line " + recordLine
                            + ": a quoted field is not closed before the end of the file");
                }
                if (c == '"') {
                    int nextChar = read();
                    if (nextChar == '"') {
                        field.append('"');
                    } else {
                        quoted = false;
                        c = nextChar;
                        continue;
                    }
                } else {
                    field.append((char) c);
                }
            } else if (c == '"' && field.length() == 0 && !fieldWasQuoted) {
                quoted = true;
                fieldWasQuoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                fieldWasQuoted = false;
            } else if (c == '\n' || c == '\r' || c == -1) {
                if (c == '\r') {
                    int nextChar = read();
                    if (nextChar != '\n') {
                        unread(nextChar);
                    }
                }
                fields.add(field.toString());
                return fields;
            } else {
                field.append((char) c);
            }
            c = read();
        }
    }

    private int read() throws IOException {
        int c;
        if (pushedBack != -2) {
            c = pushedBack;
            pushedBack = -2;
        } else {
            c = in.read();
        }
        if (c == '\n') {
            line++;
        }
        return c;
    }

    private void unread(int c) {
        if (c == '\n') {
            line--;
        }
        pushedBack = c;
    }

    /** One CSV line (no line end) for {@code fields}, quoting only the fields that need it. */
    public static String format(List<String> fields) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            String value = fields.get(i);
            if (value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\n') >= 0
                    || value.indexOf('\r') >= 0) {
                out.append('"').append(value.replace("\"", "\"\"")).append('"');
            } else {
                out.append(value);
            }
        }
        return out.toString();
    }
}
