package io.mlops.systemtests.data;

import java.io.IOException;
import java.util.List;

/**
 * Streams the labelled records of a test split: the header's first column is the label ({@code y},
 * 0/1), followed by the feature columns (docs/contracts/etl-job.md). Malformed test data (no label
 * column, different headers, a wrong field count, a label that is not 0/1) fails with
 * {@link IllegalArgumentException} naming the file and line: it is an ETL problem, not a verdict
 * about the endpoint.
 */
public final class LabelledRows implements AutoCloseable {
    /** The label column the ETL writes first. */
    public static final String LABEL = "y";

    private final CsvFiles files;

    /** Opens the first file and checks its header. */
    public LabelledRows(TestData data) {
        this.files = new CsvFiles(data);
        List<String> header = files.header();
        if (header.size() < 2 || !header.get(0).equals(LABEL)) {
            throw new IllegalArgumentException(data.describe() + ": the header must start with the label column '" + LABEL
                    + "' followed by the features; found " + header + " (test data is the ETL's test split, label first)");
        }
    }

    /** The feature column names (header without the label). */
    public List<String> featureHeader() {
        return files.header().subList(1, files.header().size());
    }

    /** The next record, or {@code null} after the last file. */
    public LabelledRow next() throws IOException {
        CsvFiles.Row row = files.next();
        if (row == null) {
            return null;
        }
        String value = row.fields().get(0).trim();
        int label = switch (value) {
            case "0", "0.0" -> 0;
            case "1", "1.0" -> 1;
            default -> throw new IllegalArgumentException(row.source() + " line " + row.line() + ": label " + LABEL
                    + " is '" + value + "', expected 0 or 1");
        };
        return new LabelledRow(label, List.copyOf(row.fields().subList(1, row.fields().size())), row.source(), row.line());
    }

    @Override
    public void close() throws IOException {
        files.close();
    }
}
