package io.mlops.etl;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.mlops.etl.EtlJob.BASELINE;
import static io.mlops.etl.EtlJob.REJECTED;
import static io.mlops.etl.EtlJob.SPLITS;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

/**
 * Writes the outputs of the ETL job from the cached rows of {@link EtlTransform}: {@code train/},
 * {@code validation/}, {@code test/}, {@code baseline/} and {@code rejected/}, each as {@code part-NNNNN.csv}
 * files (UTF-8, header row, {@code \n}), concurrently, and observes the rows and positives written.
 */
final class EtlWriter {
    // The job's progress lines carry the logger name EtlJob (system-tests' EtlStage shows them by that name).
    private static final Logger LOG = LoggerFactory.getLogger(EtlJob.class);

    final EtlSettings settings;
    final List<String> names;      // input columns in file order
    final Path out;
    final FileSystem outFs;

    EtlWriter(EtlSettings settings, List<String> names, Path out, FileSystem outFs) {
        this.settings = settings;
        this.names = names;
        this.out = out;
        this.outFs = outFs;
    }

    /** Writes the splits, the baseline and the rejected rows; {@code split} is {@link EtlTransform#splitOf}. */
    Map<String, Observed> writeAll(Dataset<Row> cached, Column split) {
        return writeAll(cached, split, true);
    }

    /** Writes only the rejected rows (the job is about to fail on them). */
    void writeRejected(Dataset<Row> cached) {
        writeAll(cached, null, false);
    }

    /** The header line of the features (baseline; the splits have {@code y,} before it), without line end. */
    String featureHeader() {
        List<String> featureNames = settings.columns().stream().map(EtlSettings.Column::name).toList();
        return String.join(",", featureNames.stream().map(EtlWriter::csvText).toList());
    }

    /** The header line of {@code rejected/}, without line end. */
    String rejectedHeader() {
        List<String> rejectedHeader = new ArrayList<>(List.of("reject_reason", "reject_value"));
        names.forEach(n -> rejectedHeader.add(csvText(n)));
        rejectedHeader.add("reject_raw_record");
        return String.join(",", rejectedHeader);
    }

    /** Writes the rejected rows and, when {@code all}, the splits and the baseline, concurrently. */
    private Map<String, Observed> writeAll(Dataset<Row> cached, Column split, boolean all) {
        String featureHeader = featureHeader();
        Map<String, java.util.concurrent.Callable<Observed>> jobs = new LinkedHashMap<>();
        if (all) {
            Column kept = col("g").lt(2).and(col("dup").unary_$bang());
            Column labelled = functions.concat(col("g").cast(DataTypes.StringType), lit(","), col("line"));
            for (int s = 0; s < SPLITS.length; s++) {
                int splitIndex = s;
                Dataset<Row> rows = cached.filter(kept.and(split.equalTo(splitIndex)));
                jobs.put(SPLITS[s], () -> write(rows, labelled, EtlSettings.OUTPUT_LABEL + "," + featureHeader, SPLITS[splitIndex]));
            }
            Dataset<Row> train = cached.filter(kept.and(split.equalTo(0)));
            jobs.put(BASELINE, () -> write(train, col("line"), featureHeader, BASELINE));
        }
        Dataset<Row> rejected = cached.filter(col("g").equalTo(2));
        String rejectedHeader = rejectedHeader();
        jobs.put(REJECTED, () -> write(rejected, col("rejected"), rejectedHeader, REJECTED));

        ExecutorService pool = Executors.newFixedThreadPool(jobs.size(), r -> {
            Thread t = new Thread(r, "etl-writer");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, Future<Observed>> futures = new LinkedHashMap<>();
            jobs.forEach((name, job) -> futures.put(name, pool.submit(job)));
            Map<String, Observed> result = new LinkedHashMap<>();
            for (Map.Entry<String, Future<Observed>> f : futures.entrySet()) {
                try {
                    result.put(f.getKey(), f.getValue().get());
                } catch (ExecutionException e) {
                    futures.values().forEach(other -> other.cancel(true));
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException("writing " + f.getKey() + " failed: " + cause, cause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while writing " + f.getKey(), e);
                }
            }
            return result;
        } finally {
            pool.shutdownNow();
        }
    }

    record Observed(long rows, long positives, List<String> files) { }

    /**
     * Writes one output: a CSV file per Spark partition that has rows (partition 0 always), rows in the
     * cached order, so the files are the same for the same input, settings and seed. Each row is one
     * ready CSV line, written as a single unquoted column whose name is the header line. The row and
     * positive counts are observed on the rows as they are written.
     */
    Observed write(Dataset<Row> rows, Column line, String headerLine, String name) throws InterruptedException {
        long t0 = System.nanoTime();
        Observation observation = new Observation(name + "-" + java.util.UUID.randomUUID());
        Path dir = new Path(out, name);
        rows.observe(observation, count(lit(1)).as("rows"), coalesce(sum(col("g")).cast(DataTypes.LongType), lit(0L)).as("g"))
                .select(line.as(headerLine))
                .write()
                .mode("overwrite")
                .option("header", "true")
                .option("sep", "\u0001")   // one column: never written
                .option("quote", "")        // no quoting: the line is already CSV
                .option("escapeQuotes", "false")
                .option("encoding", "UTF-8")
                .option("lineSep", "\n")
                .option("ignoreLeadingWhiteSpace", "false")
                .option("ignoreTrailingWhiteSpace", "false")
                .option("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
                .csv(dir.toString());
        Map<String, Object> metrics = observation.getAsJava();
        List<String> files = renamePartFiles(dir).stream().map(f -> name + "/" + f).toList();
        long positives = name.equals(BASELINE) || name.equals(REJECTED) ? 0 : ((Number) metrics.get("g")).longValue();
        Observed observed = new Observed(((Number) metrics.get("rows")).longValue(), positives, files);
        LOG.info("wrote {} rows to {} in {} s", observed.rows(), files, EtlJob.secondsSince(t0));
        return observed;
    }

    /** Spark names files part-NNNNN-&lt;random uuid&gt;-c000.csv; give them stable names part-NNNNN.csv. */
    List<String> renamePartFiles(Path dir) {
        try {
            List<String> names = new ArrayList<>();
            for (FileStatus f : outFs.listStatus(dir)) {
                String name = f.getPath().getName();
                if (name.startsWith("part-")) {
                    String stable = name.substring(0, "part-00000".length()) + ".csv";
                    if (!outFs.rename(f.getPath(), new Path(dir, stable))) {
                        throw new IOException("rename of " + f.getPath() + " to " + stable + " returned false");
                    }
                    names.add(stable);
                }
            }
            if (names.isEmpty()) {
                throw new IllegalStateException("Spark wrote no part file in " + dir);
            }
            java.util.Collections.sort(names);
            return names;
        } catch (IOException e) {
            throw new EtlException("cannot finalise output " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A CSV header field: quoted when needed. */
    static String csvText(String v) {
        return v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")
                ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }
}
