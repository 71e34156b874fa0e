package io.mlops.etl;

import java.util.List;
import java.util.Map;

/**
 * The content of {@code manifest.json} ({@code docs/contracts/etl-job.md}), as values: what was read, with which
 * settings, what was written. {@link ManifestJson} is its only JSON encoding; {@link ManifestBuilder} fills it in
 * from a run. Rates and fractions are already rounded to 6 decimals.
 *
 * @param executionId      pipeline execution id ({@code --execution-id}), or null
 * @param rowsWritten      rows in train + validation + test
 * @param splits           train, validation and test, in that order
 * @param droppedColumns   the settings' drop columns that the input has
 */
record EtlManifest(
        int manifestVersion,
        String executionId,
        Source source,
        Settings settings,
        long rowsRead,
        long rowsWritten,
        long duplicates,
        Rejected rejected,
        Map<String, Split> splits,
        Output baseline,
        Valid valid,
        Label label,
        List<EtlSettings.Column> columns,
        List<String> droppedColumns) {

    /** Version of the manifest format. */
    static final int VERSION = 1;

    /**
     * @param member    the zip member read, or null
     * @param delimiter the field delimiter of the input
     */
    record Source(String uri, String member, String sha256, String format, long bytes, String delimiter, List<String> files) { }

    /**
     * @param split      train/validation/test fractions, in that order
     * @param partitions Spark partitions after the shuffle (files per output)
     */
    record Settings(String name, String uri, String sha256, Long seed, Map<String, Double> split, Double maxRejectFraction,
                    int partitions) { }

    record Rejected(long total, double fraction, Map<String, Long> byReason, List<String> files) { }

    /** One of train, validation, test. */
    record Split(long rows, long positives, double positiveRate, List<String> files) { }

    /** An output without a label (the baseline). */
    record Output(long rows, List<String> files) { }

    /** The distinct valid rows before the split. */
    record Valid(long rows, long positives, double positiveRate) { }

    record Label(String column, String positive, List<String> negative, String outputColumn) { }
}
