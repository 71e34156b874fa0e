package io.mlops.systemtests.load;

import io.mlops.systemtests.data.CsvFiles;
import io.mlops.systemtests.data.Records;
import io.mlops.systemtests.data.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Request bodies sampled from CSV with a header row (a file or a folder, e.g. the ETL's test split): each body
 * holds {@code rowsPerRequest} records drawn at random (seeded, with replacement), the label column
 * removed if present, formatted as {@code text/csv} (with the header row) or {@code application/json}.
 * A pool of bodies is built up front so that sending costs no parsing; request {@code i} gets body
 * {@code i mod pool}.
 */
public final class RequestBodies {
    /** Bodies prepared up front. */
    static final int POOL_SIZE = 1024;

    private final List<byte[]> pool;
    private final String contentType;
    private final int rowsPerRequest;
    private final int sourceRows;
    private final String source;
    private final boolean labelDropped;

    private RequestBodies(List<byte[]> pool, String contentType, int rowsPerRequest, int sourceRows, String source,
            boolean labelDropped) {
        this.pool = pool;
        this.contentType = contentType;
        this.rowsPerRequest = rowsPerRequest;
        this.sourceRows = sourceRows;
        this.source = source;
        this.labelDropped = labelDropped;
    }

    /**
     * @param csv            CSV file with a header row ({@code .csv} or {@code .csv.gz}), or a folder of them
     *                       with the same header (e.g. the ETL's {@code test/} split)
     * @param labelColumn    column to drop when the header has it (the ETL's {@code y})
     * @param rowsPerRequest records per request, at least 1
     * @param contentType    {@code text/csv} or {@code application/json}
     * @param seed           sampling seed (same seed, same bodies)
     * @throws IllegalArgumentException naming the file and the problem
     */
    public static RequestBodies fromCsv(Path csv, String labelColumn, int rowsPerRequest, String contentType, long seed)
            throws IOException {
        if (rowsPerRequest < 1) {
            throw new IllegalArgumentException("--rows-per-request must be at least 1; received " + rowsPerRequest);
        }
        if (!contentType.equals("text/csv") && !contentType.equals("application/json")) {
            throw new IllegalArgumentException("--content-type must be text/csv or application/json (what the model "
                    + "server accepts); received '" + contentType + "'");
        }
        if (!Files.exists(csv)) {
            throw new IllegalArgumentException("--data " + csv + " does not exist; pass a CSV file with a header row or a "
                    + "folder of them, e.g. the ETL's test split");
        }
        List<String> header;
        List<List<String>> rows = new ArrayList<>();
        try (CsvFiles files = new CsvFiles(TestData.local(csv))) {
            header = files.header();
            CsvFiles.Row row;
            while ((row = files.next()) != null) {
                rows.add(row.fields());
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("--data " + csv + " has a header but no records");
        }
        int label = header.indexOf(labelColumn);
        if (label >= 0) {
            header = without(header, label);
            List<List<String>> features = new ArrayList<>(rows.size());
            for (List<String> row : rows) {
                features.add(without(row, label));
            }
            rows = features;
        }
        if (header.isEmpty()) {
            throw new IllegalArgumentException("--data " + csv + " has no feature columns besides the label");
        }
        boolean[] numeric = Records.numericColumns(header.size(), rows.subList(0, Math.min(rows.size(), 1000)));
        Random random = new Random(seed);
        List<byte[]> pool = new ArrayList<>(POOL_SIZE);
        for (int i = 0; i < POOL_SIZE; i++) {
            List<List<String>> sample = new ArrayList<>(rowsPerRequest);
            for (int r = 0; r < rowsPerRequest; r++) {
                sample.add(rows.get(random.nextInt(rows.size())));
            }
            pool.add(contentType.equals("text/csv") ? Records.csv(header, sample) : Records.json(header, sample, numeric));
        }
        return new RequestBodies(List.copyOf(pool), contentType, rowsPerRequest, rows.size(), csv.toString(), label >= 0);
    }

    private static List<String> without(List<String> values, int index) {
        List<String> copy = new ArrayList<>(values);
        copy.remove(index);
        return copy;
    }

    /** The body of request {@code index}. */
    public byte[] body(long index) {
        return pool.get((int) (index % pool.size()));
    }

    public String contentType() {
        return contentType;
    }

    public int rowsPerRequest() {
        return rowsPerRequest;
    }

    /** Records in the source file. */
    public int sourceRows() {
        return sourceRows;
    }

    public String source() {
        return source;
    }

    public boolean labelDropped() {
        return labelDropped;
    }
}
