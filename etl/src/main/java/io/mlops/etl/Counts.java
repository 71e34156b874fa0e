package io.mlops.etl;

import org.apache.spark.sql.Row;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The aggregate of the cached rows: rows read, rejects by reason, duplicates, distinct rows per (class, bucket). */
final class Counts {
    final long[][] rows;          // [class][bucket] valid distinct rows
    final long[] classRows = new long[2];
    final Map<String, Long> byReason = new TreeMap<>();
    long rowsRead;
    long rejected;
    long duplicates;

    /** From the two-pass job's first pass ({@link TwoPass}); {@code rows} per bucket is not known there (empty). */
    Counts(long rowsRead, long rejected, long duplicates, long[] classRows, Map<String, Long> byReason) {
        this.rows = new long[2][0];
        this.rowsRead = rowsRead;
        this.rejected = rejected;
        this.duplicates = duplicates;
        this.classRows[0] = classRows[0];
        this.classRows[1] = classRows[1];
        this.byReason.putAll(byReason);
    }

    /** From rows (b, g, dup, reason, count). */
    Counts(List<Row> aggregate, int buckets) {
        rows = new long[2][buckets];
        for (Row r : aggregate) {
            int b = r.getInt(0);
            int g = r.getInt(1);
            boolean dup = r.getBoolean(2);
            long n = r.getLong(4);
            rowsRead += n;
            if (g == 2) {
                rejected += n;
                byReason.merge(r.getString(3), n, Long::sum);
            } else if (dup) {
                duplicates += n;
            } else {
                rows[g][b] += n;
                classRows[g] += n;
            }
        }
    }
}
