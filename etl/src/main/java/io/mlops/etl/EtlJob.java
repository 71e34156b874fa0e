package io.mlops.etl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The ETL job: reads a dataset (zip, CSV, CSV.gz or a prefix of CSVs), validates every row against the
 * settings, drops exact duplicates, and writes seeded, exactly stratified train/validation/test splits, the
 * Model Monitor baseline, the rejected rows with their reasons, and {@code manifest.json}
 * ({@code docs/contracts/etl-job.md}). Invariant: rows read = rows written + rejected + duplicates.
 *
 * <p>This class is the entry (local {@link #main}, Glue {@link #runGlue}), loads the settings, clears the output,
 * checks the header and runs the two-pass job ({@link TwoPass}: one read, no shuffle of the rows, a packed block
 * per input split, a per-task writer of all outputs), which gives the same rows per split as the one-pass job
 * below; the one-pass job runs instead for multi-line input, failing count checks and 64-bit hash collisions
 * (or with {@code -Detl.twoPass=false}). How the one-pass job's data flows (one read, one shuffle, one cache):
 * <ol>
 * <li>Spark's CSV reader parses every field as a string; a row with the wrong field count keeps its raw
 * line in {@code _corrupt_record} ({@link EtlTransform}).</li>
 * <li>One projection of built-in expressions gives each row its first problem ({@code reason}), its group
 * {@code g} (0 negative, 1 positive, 2 rejected), its output text and a seeded 64-bit hash {@code k} of its
 * content.</li>
 * <li>Rows are spread over buckets {@code b} by {@code k}, hash-partitioned on {@code b} and ordered per
 * (bucket, group) by (k, content): exact duplicates meet, a window marks the later copies and ranks the
 * distinct rows; the result is cached.</li>
 * <li>One small aggregate of the cache ({@link Counts}) gives rows read, rejects by reason, duplicates and
 * distinct rows per (class, bucket); from these {@link SplitPlan} fixes exact per-class split sizes, and each
 * class's rows are assigned by their rank in (bucket, hash) order, i.e. a seeded random order.</li>
 * <li>Each output is written concurrently ({@link EtlWriter}) as part files in the cached order, so the same
 * input, settings and seed give byte-identical files. Row and positive counts in the manifest
 * ({@link ManifestBuilder}, encoded by {@link ManifestJson}) are observed on the written rows themselves; the
 * manifest is written last.</li>
 * </ol>
 */
public final class EtlJob {
    private static final Logger LOG = LoggerFactory.getLogger(EtlJob.class);

    public static final String[] SPLITS = {"train", "validation", "test"};
    static final String BASELINE = "baseline";
    static final String REJECTED = "rejected";
    static final String STAGING = "_staging";
    static final String MANIFEST = "manifest.json";
    static final String PART_FILE = "part-00000.csv";

    /** System property: {@code false} runs the one-pass job (shuffle + cache) even where the two-pass job could run. */
    static final String TWO_PASS = "etl.twoPass";
    private static final String HUGE_METHOD_LIMIT = "spark.sql.codegen.hugeMethodLimit";

    private EtlJob() { }

    /**
     * Local run: {@code java <add-opens> -cp <etl jar + Spark> io.mlops.etl.EtlJob --input ... --output ...}.
     * Exits 0 on success, 1 with the reason on stderr on failure.
     */
    public static void main(String[] args) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println("usage: EtlJob --input <uri> --output <uri> [options]" + JobArgs.usage());
            return;
        }
        int status = 0;
        SparkSession spark = null;
        try {
            JobArgs jobArgs = JobArgs.parse(args);
            spark = localSession(jobArgs.master().orElse(System.getProperty("spark.master", "local[2]")));
            JsonNode manifest = run(spark, jobArgs);
            System.out.println("ETL done: " + manifest.get("rowsRead") + " rows read, " + manifest.get("rowsWritten")
                    + " written, " + manifest.at("/rejected/total") + " rejected, " + manifest.get("duplicates")
                    + " duplicates; manifest: " + outputPath(jobArgs.output()) + "/" + MANIFEST);
        } catch (EtlException e) {
            System.err.println("ETL FAILED: " + e.getMessage());
            status = 1;
        } finally {
            if (spark != null) {
                spark.stop();
            }
        }
        if (status != 0) {
            System.exit(status);
        }
    }

    /** The Spark session of the local run (Spark local mode, no UI). */
    public static SparkSession localSession(String master) {
        return SparkSession.builder()
                .appName("mlops-etl")
                .master(master)
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "8")
                .config("spark.sql.session.timeZone", "UTC")
                .getOrCreate();
    }

    /**
     * Glue entry ({@code etl/glue/GlueEntry.scala}): Glue's own arguments ({@code --JOB_NAME},
     * {@code --TempDir}, ...) are logged and ignored; the ETL arguments are those of {@link JobArgs}.
     */
    public static JsonNode runGlue(SparkSession spark, String[] sysArgs) {
        List<String> ignored = new ArrayList<>();
        JobArgs args = JobArgs.parseGlue(sysArgs, ignored);
        LOG.info("Glue arguments not used by the ETL job: {}", ignored);
        return run(spark, args);
    }

    /** Runs the job in the given session; returns the manifest written to {@code <output>/manifest.json}. */
    public static JsonNode run(SparkSession spark, JobArgs args) {
        long started = System.nanoTime();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        LoadedSettings loaded = loadSettings(args, conf);
        EtlSettings settings = loaded.settings;
        Path out = outputPath(args.output());
        FileSystem outFs = fileSystem(out, conf, "output");
        clearOutputs(outFs, out);
        Path staging = new Path(out, STAGING);
        try {
            DatasetInput input = DatasetInput.resolve(args.input(), staging, settings.zipMember(), conf);
            LOG.info("input {} ({}): {} bytes of CSV in {}", input.uri, input.format(), input.bytes, input.sourceNames);
            CsvHeader header = checkHeaders(input, settings, loaded.where, conf);
            JsonNode manifest;
            // A whole-stage generated method above the JVM's 8000-byte JIT limit runs interpreted, many
            // times slower; with this limit Spark falls back to smaller, compiled methods instead (wide
            // datasets). Restored afterwards: the session may be shared (Glue, tests).
            String previousLimit = spark.conf().get(HUGE_METHOD_LIMIT, null);
            spark.conf().set(HUGE_METHOD_LIMIT, "8000");
            try {
                manifest = execute(spark, args, loaded, input, header, out, outFs);
            } finally {
                if (previousLimit == null) {
                    spark.conf().unset(HUGE_METHOD_LIMIT);
                } else {
                    spark.conf().set(HUGE_METHOD_LIMIT, previousLimit);
                }
            }
            LOG.info("ETL finished in {} s", String.format(Locale.ROOT, "%.1f", (System.nanoTime() - started) / 1e9));
            return manifest;
        } finally {
            try {
                outFs.delete(staging, true);
            } catch (IOException e) {
                LOG.warn("could not delete the staging folder {}: {}", staging, e.toString());
            }
        }
    }

    /**
     * The Spark part: validate and de-duplicate into a cache ({@link EtlTransform}), count and check, plan the
     * split, write every output ({@link EtlWriter}), then the manifest ({@link ManifestJson}), last.
     */
    private static JsonNode execute(SparkSession spark, JobArgs args, LoadedSettings loaded, DatasetInput input,
                                    CsvHeader header, Path out, FileSystem outFs) {
        long t0 = System.nanoTime();
        EtlSettings settings = loaded.settings();
        EtlTransform lines = new EtlTransform(spark, settings, loaded.where(), input, header, out, false);
        if (!"false".equals(System.getProperty(TWO_PASS, "true"))) {
            EtlWriter twoPassWriter = new EtlWriter(settings, lines.names, out, outFs);
            try {
                TwoPass.Result r = TwoPass.run(spark, lines, twoPassWriter);
                EtlManifest manifest = ManifestBuilder.build(args, input, header, loaded, lines.partitions, lines.names,
                        r.counts(), r.written());
                ManifestBuilder.checkConsistent(r.counts(), r.plan(), r.written(), manifest.rowsWritten());
                ObjectNode json = ManifestJson.encode(manifest);
                ManifestJson.write(outFs, new Path(out, MANIFEST), json);
                return json;
            } catch (TwoPass.Fallback e) {
                LOG.info("running the one-pass job instead of the two-pass job: {}", e.getMessage());
            }
        }
        Dataset<Row> lineRows = lines.validatedAndDeduplicated().persist(StorageLevel.MEMORY_AND_DISK());
        Counts lineCounts = lines.counts(lineRows);
        Long broken = lineCounts.byReason.get(EtlTransform.QUOTED_LINE_BREAK);
        if (broken != null) {
            // Quoted fields with line breaks (as spreadsheets write them): read again as multi-line records, so
            // each such record is one row (rejected once) and rowsRead counts records. Costs more (Spark reads
            // each file in one task), so only inputs that need it pay.
            LOG.warn("{} line(s) of {} end inside a quoted field (a line break in a value): reading the input again"
                    + " as multi-line CSV records", broken, input.uri);
            lineRows.unpersist(false);
        }
        EtlTransform transform = broken == null ? lines
                : new EtlTransform(spark, settings, loaded.where(), input, header, out, true);
        EtlWriter writer = new EtlWriter(settings, transform.names, out, outFs);
        Dataset<Row> cached = broken == null ? lineRows
                : transform.validatedAndDeduplicated().persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Counts counts = broken == null ? lineCounts : transform.counts(cached);
            LOG.info("read, validated and de-duplicated {} rows in {} s: {} rejected, {} duplicates, {} negatives, {} positives",
                    counts.rowsRead, secondsSince(t0), counts.rejected, counts.duplicates, counts.classRows[0], counts.classRows[1]);
            transform.checkCounts(counts, () -> writer.writeRejected(cached), cached);
            SplitPlan plan = SplitPlan.of(counts.classRows, settings.split().fractions());
            Map<String, EtlWriter.Observed> written = writer.writeAll(cached, transform.splitOf(counts, plan));
            EtlManifest manifest = ManifestBuilder.build(args, input, header, loaded, transform.partitions, transform.names,
                    counts, written);
            ManifestBuilder.checkConsistent(counts, plan, written, manifest.rowsWritten());
            ObjectNode json = ManifestJson.encode(manifest);
            ManifestJson.write(outFs, new Path(out, MANIFEST), json);
            return json;
        } finally {
            cached.unpersist(false);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // settings, output, header checks

    record LoadedSettings(EtlSettings settings, String where, String sha256) { }

    static LoadedSettings loadSettings(JobArgs args, Configuration conf) {
        byte[] bytes;
        String where;
        if (args.settings().isPresent()) {
            Path path = DatasetInput.toPath(args.settings().get());
            where = path.toString();
            try (InputStream in = fileSystem(path, conf, "settings").open(path)) {
                bytes = in.readAllBytes();
            } catch (FileNotFoundException e) {
                throw new EtlException("settings file " + where + " does not exist; check --settings", e);
            } catch (IOException e) {
                throw new EtlException("cannot read settings file " + where + ": " + e.getMessage(), e);
            }
        } else {
            where = "classpath:" + EtlSettings.BUNDLED_BANK + " (source etl/settings/bank.json)";
            try (InputStream in = EtlJob.class.getClassLoader().getResourceAsStream(EtlSettings.BUNDLED_BANK)) {
                if (in == null) {
                    throw new IllegalStateException("bundled settings " + EtlSettings.BUNDLED_BANK + " missing from the ETL jar");
                }
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read bundled settings " + EtlSettings.BUNDLED_BANK, e);
            }
        }
        EtlSettings settings = EtlSettings.parse(bytes, where).withOverrides(args, where);
        return new LoadedSettings(settings, where, Hashing.sha256(bytes));
    }

    static Path outputPath(String output) {
        Path p = DatasetInput.toPath(output);
        return new Path(p.toUri().toString().replaceAll("/+$", ""));
    }

    private static FileSystem fileSystem(Path path, Configuration conf, String what) {
        try {
            return path.getFileSystem(conf);
        } catch (IOException e) {
            throw new EtlException("no filesystem for " + what + " " + path + ": " + e.getMessage(), e);
        }
    }

    /** A re-run with the same output starts clean; the manifest goes first, so no stale run looks complete. */
    private static void clearOutputs(FileSystem fs, Path out) {
        List<String> names = new ArrayList<>(List.of(MANIFEST, BASELINE, REJECTED, STAGING));
        names.addAll(List.of(SPLITS));
        for (String name : names) {
            try {
                fs.delete(new Path(out, name), true);
            } catch (IOException e) {
                throw new EtlException("cannot clear the old output " + new Path(out, name) + ": " + e.getMessage()
                        + "; check the job's write access to --output", e);
            }
        }
    }

    /** Fails at once on missing or unexpected columns; every file of a prefix must have the same header. */
    static CsvHeader checkHeaders(DatasetInput input, EtlSettings settings, String settingsWhere, Configuration conf) {
        char fixed = "auto".equals(settings.delimiter()) ? 0 : EtlSettings.delimiterChar(settings.delimiter());
        FileSystem fs = fileSystem(input.files.get(0), conf, "input");
        CsvHeader header = CsvHeader.read(fs, input.files.get(0), conf, fixed, settings.charset());
        String source = input.member != null ? input.uri + " (member " + input.member + ")" : input.files.get(0).toString();
        List<String> found = header.names();
        Set<String> seen = new HashSet<>();
        List<String> repeated = found.stream().filter(n -> !seen.add(n.toLowerCase(Locale.ROOT))).toList();
        List<String> required = new ArrayList<>();
        settings.columns().forEach(c -> required.add(c.name()));
        required.add(settings.label().column());
        List<String> missing = required.stream().filter(n -> !found.contains(n)).toList();
        List<String> declared = settings.declaredColumns();
        List<String> unexpected = found.stream().filter(n -> !declared.contains(n)).toList();
        if (found.contains(EtlTransform.CORRUPT)) {
            unexpected = new ArrayList<>(unexpected);
            unexpected.add(EtlTransform.CORRUPT + " (reserved)");
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !repeated.isEmpty()) {
            StringBuilder msg = new StringBuilder();
            if (!missing.isEmpty()) {
                msg.append("missing required column(s) ").append(missing).append("; ");
            }
            if (!unexpected.isEmpty()) {
                msg.append("unexpected column(s) ").append(unexpected).append(" (not in the settings' columns, label or drop); ");
            }
            if (!repeated.isEmpty()) {
                msg.append("repeated column name(s) ").append(repeated).append(" (names are compared ignoring case); ");
            }
            msg.append("expected ").append(declared).append(" (drop columns optional); found ").append(found)
                    .append(" in the header of ").append(source).append(" split on '").append(CsvHeader.show(header.delimiter())).append("'");
            char better = CsvHeader.detect(header.line());
            int betterCount = CsvHeader.split(header.line(), better).size();
            if (better != header.delimiter() && betterCount > found.size()) {
                msg.append("; splitting on '").append(CsvHeader.show(better)).append("' would give ").append(betterCount)
                        .append(" columns: set \"delimiter\" to \"auto\" or \"").append(CsvHeader.show(better)).append("\" in the settings or pass --delimiter");
            }
            msg.append("; fix the header or the settings file ").append(settingsWhere);
            throw new EtlException(msg.toString());
        }
        for (Path other : input.files.subList(1, input.files.size())) {
            CsvHeader h = CsvHeader.read(fs, other, conf, header.delimiter(), settings.charset());
            if (!h.names().equals(found)) {
                throw new EtlException("file " + other + " has header " + h.names() + " but " + input.files.get(0) + " has " + found
                        + "; all files under " + input.uri + " need the same columns in the same order");
            }
        }
        return header;
    }

    static String secondsSince(long t0) {
        return String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9);
    }
}
