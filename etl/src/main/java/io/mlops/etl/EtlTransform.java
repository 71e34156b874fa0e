package io.mlops.etl;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static io.mlops.etl.EtlJob.REJECTED;
import static io.mlops.etl.EtlJob.SPLITS;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * The Spark transform of the ETL job: reads the input once, gives each row its first problem, its class and a
 * seeded hash, drops exact duplicates, counts the result, checks that the counts can be split, and assigns each
 * valid row to its split by its rank in the seeded order ({@link SplitPlan}). See {@link EtlJob} for the data flow.
 */
final class EtlTransform {
    /** Spark's column for the raw line of a row with the wrong field count; a reserved input column name. */
    static final String CORRUPT = "_corrupt_record";
    /** What a decoder puts in place of bytes that are not valid in the charset. */
    static final String REPLACEMENT_CHARACTER = "\uFFFD";
    /** Reject reason prefix of a value that did not decode in the settings' encoding. */
    static final String INVALID_ENCODING = "invalid_encoding:";
    /**
     * Internal reason of a physical line with the wrong field count and an odd number of quotes, i.e. a part
     * of a record whose quoted field holds a line break; the job then reads the input as multi-line records,
     * so this reason never reaches an output.
     */
    static final String QUOTED_LINE_BREAK = "quoted_line_break";
    /** Reject reason prefix of a feature or label value that holds a line break (multi-line records). */
    static final String LINE_BREAK = "line_break_in_value:";
    private static final long AUTO_PARTITION_BYTES = 64L << 20;
    private static final int BUCKETS_PER_PARTITION = 1024;
    /** Extra hashed value that makes {@code k2} independent of {@code k}. */
    private static final long SECOND_HASH_SALT = 0x9E3779B97F4A7C15L;

    final SparkSession spark;
    final EtlSettings settings;
    final String settingsWhere;    // where the settings came from, for error messages
    final DatasetInput input;
    final CsvHeader header;
    final Path out;
    final List<String> names;      // input columns in file order
    final int partitions;          // Spark partitions after the shuffle = output files per split
    final int buckets;             // hash buckets: the unit of the seeded order
    final boolean multiLine;       // records may span lines (quoted line breaks)

    /**
     * @param multiLine false: one row per physical line (splittable, the normal case); a line ending inside a
     *                  quoted field gets the internal reason {@link #QUOTED_LINE_BREAK}. true: CSV records may span
     *                  lines (each file is read by one task); a record with a line break in a feature or label
     *                  value is rejected once as {@code line_break_in_value:<col>}.
     */
    EtlTransform(SparkSession spark, EtlSettings settings, String settingsWhere, DatasetInput input, CsvHeader header,
                 Path out, boolean multiLine) {
        this.multiLine = multiLine;
        this.spark = spark;
        this.settings = settings;
        this.settingsWhere = settingsWhere;
        this.input = input;
        this.header = header;
        this.out = out;
        this.names = header.names();
        this.partitions = settings.partitions() > 0 ? settings.partitions()
                : (int) Math.max(1, Math.min(2000, (input.bytes + AUTO_PARTITION_BYTES - 1) / AUTO_PARTITION_BYTES));
        this.buckets = BUCKETS_PER_PARTITION * partitions;
    }

    /** Internal column of input column {@code name}: positional, so names with dots need no quoting. */
    String c(String name) {
        return "c" + names.indexOf(name);
    }

    /** Rows read, rejects by reason, duplicates and distinct rows per (class, bucket) of the cached rows. */
    Counts counts(Dataset<Row> cached) {
        return new Counts(cached.groupBy(col("b"), col("g"), col("dup"), col("reason"))
                .agg(count(lit(1)).as("rows"))
                .collectAsList(), buckets);
    }

    /**
     * One row per input row: bucket {@code b}, group {@code g} (0 negative, 1 positive, 2 rejected),
     * {@code dup} (a later copy of an identical valid row), {@code rank} (0-based position among the
     * distinct rows of its class in its bucket, in seeded order), {@code line} (the cleaned features
     * as CSV text), and for rejected rows {@code reason} and {@code rejected} (the row as CSV text).
     */
    Dataset<Row> validatedAndDeduplicated() {
        List<Column> order = new ArrayList<>(List.of(col("k")));
        order.addAll(contentColumns());
        WindowSpec bucketClass = Window.partitionBy(col("b"), col("g")).orderBy(order.toArray(new Column[0]));
        return projected().drop("k2")
                .repartition(partitions, col("b"))
                .select(col("b"), col("g"), col("line"), col("rejected"), col("reason"),
                        col("g").lt(2).and(row_number().over(bucketClass).notEqual(functions.rank().over(bucketClass))).as("dup"),
                        functions.dense_rank().over(bucketClass).minus(1).cast(DataTypes.LongType).as("rank"));
    }

    /** Internal columns of identity besides the features: the label and dropped columns. */
    private int identityCount() {
        int n = 0;
        for (String name : names) {
            if (settings.columns().stream().noneMatch(f -> f.name().equals(name))) {
                n++;
            }
        }
        return n;
    }

    /** The content of a row as hashed and ordered: line, identity columns, rejected text. */
    List<Column> contentColumns() {
        List<Column> content = new ArrayList<>();
        content.add(col("line"));
        for (int i = 0; i < identityCount(); i++) {
            content.add(col("i" + i));
        }
        content.add(col("rejected"));
        return content;
    }

    /**
     * One row per input row, no shuffle: {@code line}, identity columns {@code i<n>}, {@code rejected},
     * {@code reason}, group {@code g}, the seeded hash {@code k} of the content and its bucket {@code b}
     * (the unit of the seeded order: rows are ordered by (b, k)), plus {@code k2}, a second, independent
     * 64-bit hash of the same content (equal (k, k2) is taken as equal content by the two-pass job).
     */
    Dataset<Row> projected() {
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
                .option("encoding", settings.encoding())
                .option("multiLine", String.valueOf(multiLine))
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
        if (!multiLine) {
            // An odd number of quotes: the line ends inside a quoted field (or closes one opened on an earlier line).
            Column corrupt = col(CORRUPT);
            failing.add(corrupt.isNotNull().and(functions.pmod(
                    functions.length(corrupt).minus(functions.length(functions.regexp_replace(corrupt, "\"", ""))), lit(2))
                    .equalTo(1)));
            reasons.add(QUOTED_LINE_BREAK);
            offending.add(lit(null).cast(DataTypes.StringType));
        }
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
            Column v = col(c(name));
            // Bytes that are not valid in the input's encoding decode to U+FFFD: such text would merge distinct
            // values, so the row is rejected, whatever the column (dropped ones too: they identify duplicates).
            failing.add(v.contains(REPLACEMENT_CHARACTER));
            reasons.add(INVALID_ENCODING + name);
            offending.add(v);
            if (!required.contains(name)) {
                continue; // dropped columns are not validated further
            }
            if (multiLine) {
                failing.add(v.contains("\n").or(v.contains("\r")));
                reasons.add(LINE_BREAK + name);
                offending.add(v);
            }
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
        List<Column> hashed2 = new ArrayList<>(hashed);
        hashed2.add(1, lit(SECOND_HASH_SALT));
        return raw.select(col("*"), problem.as("problem"))
                .select(narrow.toArray(new Column[0]))
                .select(col("*"), xxhash64(hashed.toArray(new Column[0])).as("k"), xxhash64(hashed2.toArray(new Column[0])).as("k2"))
                .select(col("*"), functions.pmod(k, lit((long) buckets)).cast(DataTypes.IntegerType).as("b"));
    }

    /** The fields as one CSV line: comma-separated, quoted (with doubled quotes) where needed, nulls empty. */
    static Column csvLine(List<Column> fields) {
        return functions.to_csv(functions.struct(fields.toArray(new Column[0])), csvOptions());
    }

    /** The CSV dialect of the reject lines, for writing them ({@link #csvLine}) and reading them back. */
    private static Map<String, String> csvOptions() {
        Map<String, String> options = new HashMap<>();
        options.put("sep", ",");
        options.put("quote", "\"");
        options.put("escape", "\"");
        options.put("ignoreLeadingWhiteSpace", "false");
        options.put("ignoreTrailingWhiteSpace", "false");
        return options;
    }

    /**
     * Fails when there is nothing to split: no data rows, more rejects than {@code maxRejectFraction} (after
     * {@code writeRejected} has written them, so the user can see why), a class without rows, or a split that
     * would get no row of a class.
     */
    void checkCounts(Counts counts, Runnable writeRejected, Dataset<Row> cached) {
        if (counts.rowsRead == 0) {
            throw new EtlException("input " + input.uri + " has a header but no data rows; upload the full dataset");
        }
        double rejectedFraction = (double) counts.rejected / counts.rowsRead;
        if (rejectedFraction > settings.maxRejectFraction()) {
            writeRejected.run();
            String hint = "";
            Long wrongCount = counts.byReason.get("wrong_field_count");
            if (wrongCount != null && wrongCount * 2 > counts.rejected) {
                hint = " (most rows have the wrong number of fields: are the data rows delimited by '"
                        + CsvHeader.show(header.delimiter()) + "' like the header?)";
            }
            long undecoded = counts.byReason.entrySet().stream().filter(e -> e.getKey().startsWith(INVALID_ENCODING))
                    .mapToLong(Map.Entry::getValue).sum();
            if (undecoded > 0) {
                hint += " (" + undecoded + " rows have text that is not valid " + settings.encoding() + ": set \"encoding\""
                        + " in " + settingsWhere + " (or --encoding) to the file's encoding, e.g. \""
                        + (EtlSettings.UTF_8.equalsIgnoreCase(settings.encoding()) ? "windows-1252" : EtlSettings.UTF_8)
                        + "\"; accepted: " + String.join(", ", EtlSettings.ENCODINGS) + " and other ASCII-compatible charsets)";
            }
            throw new EtlException(String.format(Locale.ROOT,
                    "rejected %d of %d rows read (%.2f%%), above maxRejectFraction %s (%.2f%%)%s; by reason %s%s;"
                            + " the rows and their reasons are in %s/%s/; fix the data or raise --max-reject-fraction",
                    counts.rejected, counts.rowsRead, 100 * rejectedFraction, settings.maxRejectFraction(),
                    100 * settings.maxRejectFraction(), hint, counts.byReason, unknownLabels(counts, cached), out, REJECTED));
        }
        String labelText = "label column " + settings.label().column();
        if (counts.classRows[1] == 0 || counts.classRows[0] == 0) {
            throw new EtlException(labelText + " has " + counts.classRows[1] + " positive ('" + settings.label().positive()
                    + "') and " + counts.classRows[0] + " negative " + settings.label().negative()
                    + " valid rows" + unknownLabels(counts, cached) + "; a binary classifier needs both: check the data or"
                    + " label.positive/negative in " + settingsWhere);
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

    static final int UNKNOWN_LABELS_SHOWN = 5;
    static final int SHOWN_VALUE_CHARS = 40;

    /**
     * For a failure message: the most frequent label values rejected as unknown, with their counts (at most
     * {@value #UNKNOWN_LABELS_SHOWN}, each cut to {@value #SHOWN_VALUE_CHARS} characters), so that a file saying
     * {@code malignant} where the settings say {@code M} is seen at once; empty when no label was unknown.
     */
    String unknownLabels(Counts counts, Dataset<Row> cached) {
        String reason = "unknown_label:" + settings.label().column();
        Long total = counts.byReason.get(reason);
        if (total == null || total == 0 || cached == null) {
            return "";
        }
        // The offending value is the second field of the rejected row's CSV text.
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField("reason", DataTypes.StringType, true));
        fields.add(DataTypes.createStructField("value", DataTypes.StringType, true));
        for (int i = 0; i < names.size(); i++) {
            fields.add(DataTypes.createStructField("c" + i, DataTypes.StringType, true));
        }
        fields.add(DataTypes.createStructField(CORRUPT, DataTypes.StringType, true));
        Map<String, String> options = csvOptions();
        List<Row> top = cached.filter(col("g").equalTo(2).and(col("reason").equalTo(reason)))
                .select(functions.from_csv(col("rejected"), lit(new StructType(fields.toArray(new StructField[0])).toDDL()), options)
                        .getField("value").as("value"))
                .groupBy(col("value")).agg(count(lit(1)).as("n"))
                .orderBy(col("n").desc(), col("value").asc_nulls_first())
                .limit(UNKNOWN_LABELS_SHOWN + 1)
                .collectAsList();
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < Math.min(UNKNOWN_LABELS_SHOWN, top.size()); i++) {
            shown.add(shownValue(top.get(i).getString(0)) + " (" + top.get(i).getLong(1) + ")");
        }
        return "; unknown values of label column " + settings.label().column() + " in " + total
                + " rows, most frequent first: " + String.join(", ", shown) + (top.size() > UNKNOWN_LABELS_SHOWN ? ", ..." : "")
                + " (allowed: label.positive '" + settings.label().positive() + "', label.negative "
                + settings.label().negative().stream().map(v -> "'" + v + "'").toList() + ")";
    }

    /** A value for a message: quoted, cut to {@value #SHOWN_VALUE_CHARS} characters. */
    static String shownValue(String value) {
        if (value == null) {
            return "(null)";
        }
        return "'" + (value.length() > SHOWN_VALUE_CHARS ? value.substring(0, SHOWN_VALUE_CHARS) + "..." : value) + "'";
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
}
