package io.mlops.etl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * The ETL job: reads a dataset (zip, CSV, CSV.gz or a prefix of CSVs), validates every row against the
 * settings, drops exact duplicates, and writes seeded, exactly stratified train/validation/test splits, the
 * Model Monitor baseline, the rejected rows with their reasons, and {@code manifest.json}
 * ({@code docs/contracts/etl-job.md}). Invariant: rows read = rows written + rejected + duplicates.
 *
 * <p>How the data flows (one read of the input, one shuffle, one cache):
 * <ol>
 * <li>Spark's CSV reader parses every field as a string; a row with the wrong field count keeps its raw
 * line in {@code _corrupt_record}.</li>
 * <li>One projection of built-in expressions gives each row its first problem ({@code reason}), its group
 * {@code g} (0 negative, 1 positive, 2 rejected) and a seeded 64-bit hash {@code k} of all its fields.</li>
 * <li>Rows are hash-partitioned on {@code sk = g<<61 | k} into a fixed number of partitions and sorted by
 * (sk, all fields): exact duplicates meet, a window keeps the first and counts the copies. Each kept row
 * gets {@code rid} (partition, position); the result is cached.</li>
 * <li>One small aggregate of the cache gives rows read, rejects by reason, duplicates and rows per
 * (partition, class); from these {@link SplitPlan} fixes exact per-class split sizes, and each class's rows
 * are assigned by their rank in (partition, hash) order, i.e. a seeded random order.</li>
 * <li>Each output is written concurrently as one CSV file sorted by {@code rid}, so the same input,
 * settings and seed give byte-identical files. Row and positive counts in the manifest are observed on the
 * written rows themselves.</li>
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
    static final int MANIFEST_VERSION = 1;

    private static final String CORRUPT = "_corrupt_record";
    private static final long AUTO_PARTITION_BYTES = 64L << 20;
    private static final int BUCKETS_PER_PARTITION = 1024;
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
                manifest = new Run(spark, args, settings, loaded, input, header, out, outFs).execute();
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
        CsvHeader header = CsvHeader.read(fs, input.files.get(0), conf, fixed);
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
        if (found.contains(CORRUPT)) {
            unexpected = new ArrayList<>(unexpected);
            unexpected.add(CORRUPT + " (reserved)");
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
            CsvHeader h = CsvHeader.read(fs, other, conf, header.delimiter());
            if (!h.names().equals(found)) {
                throw new EtlException("file " + other + " has header " + h.names() + " but " + input.files.get(0) + " has " + found
                        + "; all files under " + input.uri + " need the same columns in the same order");
            }
        }
        return header;
    }

    // ------------------------------------------------------------------------------------------------
    // the Spark part

    private static final class Run {
        final SparkSession spark;
        final JobArgs args;
        final EtlSettings settings;
        final LoadedSettings loaded;
        final DatasetInput input;
        final CsvHeader header;
        final Path out;
        final FileSystem outFs;
        final List<String> names;      // input columns in file order
        final int partitions;          // Spark partitions after the shuffle = output files per split
        final int buckets;             // hash buckets: the unit of the seeded order

        Run(SparkSession spark, JobArgs args, EtlSettings settings, LoadedSettings loaded, DatasetInput input,
            CsvHeader header, Path out, FileSystem outFs) {
            this.spark = spark;
            this.args = args;
            this.settings = settings;
            this.loaded = loaded;
            this.input = input;
            this.header = header;
            this.out = out;
            this.outFs = outFs;
            this.names = header.names();
            this.partitions = settings.partitions() > 0 ? settings.partitions()
                    : (int) Math.max(1, Math.min(2000, (input.bytes + AUTO_PARTITION_BYTES - 1) / AUTO_PARTITION_BYTES));
            this.buckets = BUCKETS_PER_PARTITION * partitions;
        }

        /** Internal column of input column {@code name}: positional, so names with dots need no quoting. */
        String c(String name) {
            return "c" + names.indexOf(name);
        }

        JsonNode execute() {
            long t0 = System.nanoTime();
            Dataset<Row> cached = validatedAndDeduplicated().persist(StorageLevel.MEMORY_AND_DISK());
            try {
                Counts counts = new Counts(cached.groupBy(col("b"), col("g"), col("dup"), col("reason"))
                        .agg(count(lit(1)).as("rows"))
                        .collectAsList(), buckets);
                LOG.info("read, validated and de-duplicated {} rows in {} s: {} rejected, {} duplicates, {} negatives, {} positives",
                        counts.rowsRead, secondsSince(t0), counts.rejected, counts.duplicates, counts.classRows[0], counts.classRows[1]);
                checkCounts(counts, cached);
                SplitPlan plan = SplitPlan.of(counts.classRows, settings.split().fractions());
                Map<String, Observed> written = writeAll(cached, counts, plan, true);
                return writeManifest(counts, plan, written);
            } finally {
                cached.unpersist(false);
            }
        }

        /**
         * One row per input row: bucket {@code b}, group {@code g} (0 negative, 1 positive, 2 rejected),
         * {@code dup} (a later copy of an identical valid row), {@code rank} (0-based position among the
         * distinct rows of its class in its bucket, in seeded order), {@code line} (the cleaned features
         * as CSV text), and for rejected rows {@code reason} and {@code rejected} (the row as CSV text).
         */
        Dataset<Row> validatedAndDeduplicated() {
            // Read under the header's own names (so Spark's header check agrees), then rename to positions.
            List<StructField> fields = new ArrayList<>();
            List<String> positional = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                fields.add(DataTypes.createStructField(names.get(i), DataTypes.StringType, true));
                positional.add("c" + i);
            }
            fields.add(DataTypes.createStructField(CORRUPT, DataTypes.StringType, true));
            positional.add(CORRUPT);
            Dataset<Row> raw = spark.read()
                    .schema(new StructType(fields.toArray(new StructField[0])))
                    .option("header", "true")
                    .option("sep", String.valueOf(header.delimiter()))
                    .option("quote", "\"")
                    .option("escape", "\"")
                    .option("encoding", "UTF-8")
                    .option("multiLine", "false")
                    .option("mode", "PERMISSIVE")
                    .option("columnNameOfCorruptRecord", CORRUPT)
                    .csv(input.files.stream().map(Path::toString).toArray(String[]::new))
                    .toDF(positional.toArray(new String[0]));

            // Every check, in file column order. A row's problem is its first failing check: one small
            // CASE giving the check's number, which then picks the reason text and the offending value.
            // (Small expressions matter: a generated method over 8 KB is not JIT-compiled and runs slowly.)
            List<Column> failing = new ArrayList<>();
            List<String> reasons = new ArrayList<>();
            List<Column> offending = new ArrayList<>();
            failing.add(col(CORRUPT).isNotNull());
            reasons.add("wrong_field_count");
            offending.add(lit(null).cast(DataTypes.StringType));
            Set<String> numeric = new HashSet<>();
            Set<String> required = new HashSet<>();
            settings.columns().forEach(c -> {
                required.add(c.name());
                if (c.numeric()) {
                    numeric.add(c.name());
                }
            });
            String labelName = settings.label().column();
            required.add(labelName);
            for (String name : names) {
                if (!required.contains(name)) {
                    continue; // dropped columns are not validated
                }
                Column v = col(c(name));
                Column t = trim(v);
                failing.add(v.isNull().or(t.equalTo("")));
                reasons.add("empty_value:" + name);
                offending.add(v);
                if (numeric.contains(name)) {
                    // A plain decimal number, exponent allowed (java.math.BigDecimal syntax): no NaN, Infinity,
                    // hex or 1d/1f suffixes, at most 38 digits before the point. Cheaper than a double cast
                    // plus a character check, and it keeps the generated code small.
                    failing.add(expr("try_cast(trim(" + c(name) + ") as decimal(38,0))").isNull());
                    reasons.add("unparseable_number:" + name);
                    offending.add(v);
                } else if (name.equals(labelName)) {
                    failing.add(t.isin(settings.labelValues().toArray()).unary_$bang());
                    reasons.add("unknown_label:" + name);
                    offending.add(v);
                }
            }
            Column problem = when(failing.get(0), lit(1));
            for (int i = 1; i < failing.size(); i++) {
                problem = problem.when(failing.get(i), lit(i + 1));
            }
            Column valid = col("problem").isNull();

            // The output text of a valid row: its cleaned features as one CSV line; of a rejected row: the
            // reason, the offending value, every raw field and the raw line when malformed.
            List<Column> features = new ArrayList<>();
            for (EtlSettings.Column f : settings.columns()) {
                features.add(trim(col(c(f.name()))).as(f.name()));
            }
            List<Column> rejectedFields = new ArrayList<>();
            rejectedFields.add(element_at(lit(reasons.toArray(new String[0])), col("problem")).as("reason"));
            rejectedFields.add(element_at(array(offending.toArray(new Column[0])), col("problem")).as("value"));
            for (int i = 0; i < names.size(); i++) {
                rejectedFields.add(col("c" + i));
            }
            rejectedFields.add(col(CORRUPT));
            // Identity of a valid row besides its features: its other columns (label, dropped), trimmed.
            List<Column> identity = new ArrayList<>();
            for (String name : names) {
                if (!settings.columns().stream().anyMatch(f -> f.name().equals(name))) {
                    identity.add(when(valid, trim(col(c(name)))).as("i" + identity.size()));
                }
            }

            List<Column> narrow = new ArrayList<>();
            narrow.add(when(valid, csvLine(features)).as("line"));
            narrow.addAll(identity);
            narrow.add(when(valid, lit(null).cast(DataTypes.StringType)).otherwise(csvLine(rejectedFields)).as("rejected"));
            narrow.add(element_at(lit(reasons.toArray(new String[0])), col("problem")).as("reason"));
            narrow.add(when(valid.unary_$bang(), lit(2))
                    .when(trim(col(c(labelName))).equalTo(settings.label().positive()), lit(1))
                    .otherwise(lit(0)).as("g"));
            List<Column> content = new ArrayList<>();
            content.add(col("line"));
            for (int i = 0; i < identity.size(); i++) {
                content.add(col("i" + i));
            }
            content.add(col("rejected"));
            List<Column> hashed = new ArrayList<>();
            hashed.add(lit(settings.seed()));
            hashed.addAll(content);
            Column k = col("k");

            // Rows are spread over `buckets` buckets by a seeded hash k of their content, and sorted by
            // (bucket, class, k, content): identical rows are neighbours (`dup` marks the later copies), the
            // distinct rows of a class in a bucket get consecutive ranks in a seeded random order.
            List<Column> order = new ArrayList<>(List.of(k));
            order.addAll(content);
            WindowSpec bucketClass = Window.partitionBy(col("b"), col("g")).orderBy(order.toArray(new Column[0]));
            return raw.select(col("*"), problem.as("problem"))
                    .select(narrow.toArray(new Column[0]))
                    .select(col("*"), xxhash64(hashed.toArray(new Column[0])).as("k"))
                    .select(col("*"), functions.pmod(k, lit((long) buckets)).cast(DataTypes.IntegerType).as("b"))
                    .repartition(partitions, col("b"))
                    .select(col("b"), col("g"), col("line"), col("rejected"), col("reason"),
                            col("g").lt(2).and(row_number().over(bucketClass).notEqual(functions.rank().over(bucketClass))).as("dup"),
                            functions.dense_rank().over(bucketClass).minus(1).cast(DataTypes.LongType).as("rank"));
        }

        /** The fields as one CSV line: comma-separated, quoted (with doubled quotes) where needed, nulls empty. */
        static Column csvLine(List<Column> fields) {
            Map<String, String> options = new HashMap<>();
            options.put("sep", ",");
            options.put("quote", "\"");
            options.put("escape", "\"");
            options.put("ignoreLeadingWhiteSpace", "false");
            options.put("ignoreTrailingWhiteSpace", "false");
            return functions.to_csv(functions.struct(fields.toArray(new Column[0])), options);
        }

        void checkCounts(Counts counts, Dataset<Row> cached) {
            if (counts.rowsRead == 0) {
                throw new EtlException("input " + input.uri + " has a header but no data rows; upload the full dataset");
            }
            double rejectedFraction = (double) counts.rejected / counts.rowsRead;
            if (rejectedFraction > settings.maxRejectFraction()) {
                writeAll(cached, counts, null, false);
                String hint = "";
                Long wrongCount = counts.byReason.get("wrong_field_count");
                if (wrongCount != null && wrongCount * 2 > counts.rejected) {
                    hint = " (most rows have the wrong number of fields: are the data rows delimited by '"
                            + CsvHeader.show(header.delimiter()) + "' like the header?)";
                }
                throw new EtlException(String.format(Locale.ROOT,
                        "rejected %d of %d rows read (%.2f%%), above maxRejectFraction %s (%.2f%%)%s; by reason %s;"
                                + " the rows and their reasons are in %s/%s/; fix the data or raise --max-reject-fraction",
                        counts.rejected, counts.rowsRead, 100 * rejectedFraction, settings.maxRejectFraction(),
                        100 * settings.maxRejectFraction(), hint, counts.byReason, out, REJECTED));
            }
            String labelText = "label column " + settings.label().column();
            if (counts.classRows[1] == 0 || counts.classRows[0] == 0) {
                throw new EtlException(labelText + " has " + counts.classRows[1] + " positive ('" + settings.label().positive()
                        + "') and " + counts.classRows[0] + " negative " + settings.label().negative()
                        + " valid rows; a binary classifier needs both: check the data or label.positive/negative in "
                        + loaded.where);
            }
            SplitPlan plan = SplitPlan.of(counts.classRows, settings.split().fractions());
            for (int s = 0; s < SPLITS.length; s++) {
                for (int g = 0; g < 2; g++) {
                    if (plan.rows[g][s] == 0) {
                        throw new EtlException("split " + SPLITS[s] + " would get no " + (g == 1 ? "positive" : "negative")
                                + " row (" + counts.classRows[g] + " valid " + (g == 1 ? "positive" : "negative")
                                + " rows in all, split " + settings.split() + "); provide more data or change the split");
                    }
                }
            }
        }

        /** Which split a valid row belongs to: 0 train, 1 validation, 2 test. */
        Column splitOf(Counts counts, SplitPlan plan) {
            // A row of class g in bucket b has the class rank offset[g][b] + rank, where offset counts the
            // class's rows in the buckets before b. It goes to split s while that rank is below
            // plan.boundary(g, s); per (g, b) the thresholds on `rank` are precomputed.
            long[][] thresholds = new long[2][2 * buckets];
            for (int g = 0; g < 2; g++) {
                long offset = 0;
                for (int b = 0; b < buckets; b++) {
                    for (int s = 0; s < 2; s++) {
                        thresholds[s][g * buckets + b] = plan.boundary(g, s) - offset;
                    }
                    offset += counts.rows[g][b];
                }
            }
            Column index = col("g").multiply(buckets).plus(col("b")).plus(1);
            Column rank = col("rank");
            return when(rank.lt(element_at(lit(thresholds[0]), index)), lit(0))
                    .when(rank.lt(element_at(lit(thresholds[1]), index)), lit(1))
                    .otherwise(lit(2));
        }

        /** Writes the rejected rows and, when {@code all}, the splits and the baseline, concurrently. */
        Map<String, Observed> writeAll(Dataset<Row> cached, Counts counts, SplitPlan plan, boolean all) {
            List<String> featureNames = settings.columns().stream().map(EtlSettings.Column::name).toList();
            String featureHeader = String.join(",", featureNames.stream().map(EtlJob::csvText).toList());
            Map<String, java.util.concurrent.Callable<Observed>> jobs = new LinkedHashMap<>();
            if (all) {
                Column kept = col("g").lt(2).and(col("dup").unary_$bang());
                Column split = splitOf(counts, plan);
                Column labelled = functions.concat(col("g").cast(DataTypes.StringType), lit(","), col("line"));
                for (int s = 0; s < SPLITS.length; s++) {
                    int splitIndex = s;
                    Dataset<Row> rows = cached.filter(kept.and(split.equalTo(splitIndex)));
                    jobs.put(SPLITS[s], () -> write(rows, labelled, EtlSettings.OUTPUT_LABEL + "," + featureHeader, SPLITS[splitIndex]));
                }
                Dataset<Row> train = cached.filter(kept.and(split.equalTo(0)));
                jobs.put(BASELINE, () -> write(train, col("line"), featureHeader, BASELINE));
            }
            List<String> rejectedHeader = new ArrayList<>(List.of("reject_reason", "reject_value"));
            names.forEach(n -> rejectedHeader.add(csvText(n)));
            rejectedHeader.add("reject_raw_record");
            Dataset<Row> rejected = cached.filter(col("g").equalTo(2));
            jobs.put(REJECTED, () -> write(rejected, col("rejected"), String.join(",", rejectedHeader), REJECTED));

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
            LOG.info("wrote {} rows to {} in {} s", observed.rows(), files, secondsSince(t0));
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

        JsonNode writeManifest(Counts counts, SplitPlan plan, Map<String, Observed> written) {
            ObjectNode m = EtlSettings.MAPPER.createObjectNode();
            m.put("manifestVersion", MANIFEST_VERSION);
            if (args.executionId().isPresent()) {
                m.put("executionId", args.executionId().get());
            } else {
                m.putNull("executionId");
            }
            ObjectNode source = m.putObject("source");
            source.put("uri", input.uri);
            if (input.member != null) {
                source.put("member", input.member);
            } else {
                source.putNull("member");
            }
            source.put("sha256", input.sha256());
            source.put("format", input.format());
            source.put("bytes", input.bytes);
            source.put("delimiter", String.valueOf(header.delimiter()));
            strings(source.putArray("files"), input.sourceNames);
            ObjectNode settingsNode = m.putObject("settings");
            settingsNode.put("name", settings.name());
            settingsNode.put("uri", loaded.where);
            settingsNode.put("sha256", loaded.sha256);
            settingsNode.put("seed", settings.seed());
            ObjectNode fractions = settingsNode.putObject("split");
            for (int s = 0; s < SPLITS.length; s++) {
                fractions.put(SPLITS[s], settings.split().fractions()[s]);
            }
            settingsNode.put("maxRejectFraction", settings.maxRejectFraction());
            settingsNode.put("partitions", partitions);

            long writtenRows = 0;
            for (String s : SPLITS) {
                writtenRows += written.get(s).rows();
            }
            m.put("rowsRead", counts.rowsRead);
            m.put("rowsWritten", writtenRows);
            m.put("duplicates", counts.duplicates);
            ObjectNode rejected = m.putObject("rejected");
            rejected.put("total", written.get(REJECTED).rows());
            rejected.put("fraction", round6((double) counts.rejected / counts.rowsRead));
            ObjectNode byReason = rejected.putObject("byReason");
            counts.byReason.forEach(byReason::put);
            strings(rejected.putArray("files"), written.get(REJECTED).files());

            ObjectNode splits = m.putObject("splits");
            for (String s : SPLITS) {
                Observed o = written.get(s);
                ObjectNode node = splits.putObject(s);
                node.put("rows", o.rows());
                node.put("positives", o.positives());
                node.put("positiveRate", round6((double) o.positives() / o.rows()));
                strings(node.putArray("files"), o.files());
            }
            ObjectNode baseline = splits.putObject(BASELINE);
            baseline.put("rows", written.get(BASELINE).rows());
            strings(baseline.putArray("files"), written.get(BASELINE).files());
            ObjectNode valid = m.putObject("valid");
            valid.put("rows", counts.classRows[0] + counts.classRows[1]);
            valid.put("positives", counts.classRows[1]);
            valid.put("positiveRate", round6((double) counts.classRows[1] / (counts.classRows[0] + counts.classRows[1])));

            ObjectNode label = m.putObject("label");
            label.put("column", settings.label().column());
            label.put("positive", settings.label().positive());
            strings(label.putArray("negative"), settings.label().negative());
            label.put("outputColumn", EtlSettings.OUTPUT_LABEL);
            var columns = m.putArray("columns");
            for (EtlSettings.Column c : settings.columns()) {
                columns.addObject().put("name", c.name()).put("type", c.type());
            }
            strings(m.putArray("droppedColumns"), settings.drop().stream().filter(names::contains).toList());

            // The manifest's numbers must agree with each other and with the plan, or this is a bug.
            checkConsistent(counts, plan, written, writtenRows);

            Path path = new Path(out, MANIFEST);
            try (OutputStream os = outFs.create(path, true)) {
                os.write(EtlSettings.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
                os.write('\n');
            } catch (IOException e) {
                throw new EtlException("cannot write " + path + ": " + e.getMessage(), e);
            }
            return m;
        }

        void checkConsistent(Counts counts, SplitPlan plan, Map<String, Observed> written, long writtenRows) {
            List<String> problems = new ArrayList<>();
            for (int s = 0; s < SPLITS.length; s++) {
                Observed o = written.get(SPLITS[s]);
                if (o.rows() != plan.splitRows(s) || o.positives() != plan.rows[1][s]) {
                    problems.add(SPLITS[s] + " wrote " + o.rows() + " rows / " + o.positives() + " positives, planned "
                            + plan.splitRows(s) + " / " + plan.rows[1][s]);
                }
            }
            if (written.get(BASELINE).rows() != written.get("train").rows()) {
                problems.add("baseline rows " + written.get(BASELINE).rows() + " != train rows " + written.get("train").rows());
            }
            if (written.get(REJECTED).rows() != counts.rejected) {
                problems.add("rejected wrote " + written.get(REJECTED).rows() + " rows, counted " + counts.rejected);
            }
            if (counts.rowsRead != writtenRows + written.get(REJECTED).rows() + counts.duplicates) {
                problems.add("rows read " + counts.rowsRead + " != written " + writtenRows + " + rejected "
                        + written.get(REJECTED).rows() + " + duplicates " + counts.duplicates);
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("ETL output is inconsistent (a bug, please report): " + problems);
            }
        }
    }

    /** The aggregate of the cached rows: rows read, rejects by reason, duplicates, distinct rows per (class, bucket). */
    static final class Counts {
        final long[][] rows;          // [class][bucket] valid distinct rows
        final long[] classRows = new long[2];
        final Map<String, Long> byReason = new TreeMap<>();
        long rowsRead;
        long rejected;
        long duplicates;

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

    private static void strings(com.fasterxml.jackson.databind.node.ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    /** A CSV header field: quoted when needed. */
    static String csvText(String v) {
        return v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")
                ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }

    static double round6(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    static String secondsSince(long t0) {
        return String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9);
    }
}
