package io.mlops.systemtests.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;

/**
 * Streams the records of all CSV files of a {@link TestData}, one file open at a time, in order. Every
 * file starts with a header row and all headers must be equal; empty files are skipped; every record
 * must have as many fields as the header. Problems fail with {@link IllegalArgumentException} naming
 * the file and line.
 */
public final class CsvFiles implements AutoCloseable {
    private final Iterator<TestDataFile> files;
    private List<String> header;
    private CsvReader reader;
    private BufferedReader open;

    /** A record and where it came from. */
    public record Row(List<String> fields, String source, long line) {
    }

    /**
     * Opens the first non-empty file and reads its header.
     *
     * @throws IllegalArgumentException when no file has a header row
     */
    public CsvFiles(TestData data) {
        this.files = data.files().iterator();
        try {
            if (!nextFile()) {
                throw new IllegalArgumentException(data.describe() + " has no header row: every CSV file is empty");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + data.describe(), e);
        }
    }

    /** The header of the first file (names trimmed, byte-order mark removed). */
    public List<String> header() {
        return header;
    }

    /** The next record, or {@code null} after the last file. */
    public Row next() throws IOException {
        while (true) {
            List<String> fields = reader.next();
            if (fields != null) {
                if (fields.size() != header.size()) {
                    throw new IllegalArgumentException(reader.source() + " line " + reader.recordLine() + " has "
                            + fields.size() + " fields but the header has " + header.size());
                }
                return new Row(fields, reader.source(), reader.recordLine());
            }
            if (!nextFile()) {
                return null;
            }
        }
    }

    private boolean nextFile() throws IOException {
        close();
        while (files.hasNext()) {
            TestDataFile file = files.next();
            open = new BufferedReader(new InputStreamReader(file.open(), StandardCharsets.UTF_8), 64 * 1024);
            reader = new CsvReader(open, file.name());
            List<String> fileHeader = reader.next();
            if (fileHeader == null) {
                close();
                continue;
            }
            fileHeader = fileHeader.stream().map(name -> name.replace("\uFEFF", "").trim()).toList();
            if (header == null) {
                header = fileHeader;
            } else if (!fileHeader.equals(header)) {
                throw new IllegalArgumentException(file.name() + ": header " + fileHeader
                        + " differs from the first file's header " + header);
            }
            return true;
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        if (open != null) {
            BufferedReader toClose = open;
            open = null;
            toClose.close();
        }
    }
}
