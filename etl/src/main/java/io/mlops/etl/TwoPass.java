package io.mlops.etl;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.mlops.etl.EtlJob.BASELINE;
import static io.mlops.etl.EtlJob.REJECTED;
import static io.mlops.etl.EtlJob.SPLITS;
import static org.apache.spark.sql.functions.col;

/**
 * The two-pass ETL (no shuffle of the rows, no cache) for line-per-row input. Gives the same rows per split,
 * the same duplicates and rejects as the one-pass job of {@link EtlTransform} (which stays for multi-line
 * input, failing inputs and 64-bit hash collisions, see {@link #run}).
 * <ol>
 * <li>Pass 1 reads and validates every row as {@link EtlTransform#projected} does and keeps per input partition
 * only the seeded hash {@code k} and a second hash {@code k2} of each valid row, by class, as packed long arrays,
 * plus the rejects by reason. On the driver: equal (k, k2) in a class is an exact duplicate (kept in the lowest
 * input partition holding it); the distinct rows of a class in (bucket, k) order (the one-pass job's order) give
 * the {@link SplitPlan} cut points as (bucket, k) thresholds.</li>
 * <li>Pass 2 reads and validates again; each task assigns its rows from the broadcast thresholds, sorts them by
 * (bucket, k) and writes its own {@code part-NNNNN.csv} of every output (NNNNN = input partition), so files per
 * output = input partitions (sized by the {@code partitions} setting).</li>
 * </ol>
 */
final class TwoPass {
    private static final Logger LOG = LoggerFactory.getLogger(EtlJob.class);
    private static final String MAX_PARTITION_BYTES = "spark.sql.files.maxPartitionBytes";
    private static final String OPEN_COST = "spark.sql.files.openCostInBytes";
    private static final String MIN_PARTITIONS = "spark.sql.files.minPartitionNum";

    /** Thrown inside the two-pass job when the one-pass job must run instead. */
    static final class Fallback extends RuntimeException {
        Fallback(String why) {
            super(why, null, false, false);
        }
    }

    /** The outcome of a two-pass run. */
    record Result(Counts counts, SplitPlan plan, Map<String, EtlWriter.Observed> written) { }

    private TwoPass() { }

    /**
     * Runs both passes, or throws {@link Fallback} (before anything is written) when the one-pass job must
     * run: a line ending inside a quoted value (multi-line records), a count check that fails (the one-pass
     * job writes {@code rejected/} and fails with its message), or two distinct rows of a class with the same
     * 64-bit hash (their order needs their content).
     */
    static Result run(SparkSession spark, EtlTransform t, EtlWriter writer) {
        String previousMax = spark.conf().get(MAX_PARTITION_BYTES, null);
        String previousOpen = spark.conf().get(OPEN_COST, null);
        String previousMin = spark.conf().get(MIN_PARTITIONS, null);
        // Input splits of about input bytes / partitions: the same splits in both passes, one output file each.
        long splitBytes = Math.max(1, (t.input.bytes + t.partitions - 1) / t.partitions);
        spark.conf().set(MAX_PARTITION_BYTES, String.valueOf(splitBytes));
        spark.conf().set(OPEN_COST, "0");
        spark.conf().set(MIN_PARTITIONS, String.valueOf(t.partitions));
        try {
            return runPasses(spark, t, writer);
        } finally {
            restore(spark, MAX_PARTITION_BYTES, previousMax);
            restore(spark, OPEN_COST, previousOpen);
            restore(spark, MIN_PARTITIONS, previousMin);
        }
    }

    private static void restore(SparkSession spark, String key, String previous) {
        if (previous == null) {
            spark.conf().unset(key);
        } else {
            spark.conf().set(key, previous);
        }
    }

    private static Result runPasses(SparkSession spark, EtlTransform t, EtlWriter writer) {
        long t0 = System.nanoTime();
        // ---- pass 1
        Dataset<Row> keys = t.projected().select(col("g"), col("k"), col("k2"), col("reason"));
        List<PartKeys> parts = new ArrayList<>(keys.queryExecution().toRdd().toJavaRDD()
                .mapPartitionsWithIndex(new Pass1(), true).collect());
        parts.sort((a, b) -> Integer.compare(a.partition, b.partition));
        long rowsRead = 0;
        Map<String, Long> byReason = new TreeMap<>();
        for (PartKeys p : parts) {
            rowsRead += p.rows;
            p.reasons.forEach((r, n) -> byReason.merge(r, n, Long::sum));
        }
        if (byReason.containsKey(EtlTransform.QUOTED_LINE_BREAK)) {
            throw new Fallback(byReason.get(EtlTransform.QUOTED_LINE_BREAK) + " line(s) end inside a quoted value");
        }
        long pass1 = System.nanoTime();
        ClassOrder[] order = new ClassOrder[2];
        for (int g = 0; g < 2; g++) {
            order[g] = ClassOrder.of(parts, g, t.buckets);
        }
        long rejected = byReason.values().stream().mapToLong(Long::longValue).sum();
        Counts counts = new Counts(rowsRead, rejected, order[0].duplicates + order[1].duplicates,
                new long[] {order[0].sorted.length, order[1].sorted.length}, byReason);
        try {
            t.checkCounts(counts, () -> {
                throw new Fallback("rejects above maxRejectFraction");
            }, null);
        } catch (EtlException e) {
            throw new Fallback("a count check fails: " + e.getMessage());
        }
        SplitPlan plan = SplitPlan.of(counts.classRows, t.settings.split().fractions());
        long[][] cuts = new long[2][];
        for (int g = 0; g < 2; g++) {
            cuts[g] = new long[] {plan.boundary(g, 0), plan.boundary(g, 1)};
        }
        Plan broadcastPlan = new Plan(t.buckets, new long[][] {order[0].thresholds(cuts[0]), order[1].thresholds(cuts[1])},
                new Map[] {order[0].keepIn, order[1].keepIn});
        LOG.info("pass 1 (read, validate, hash) of {} rows: {} s, driver order {} s: {} rejected, {} duplicates, {} negatives,"
                        + " {} positives", rowsRead, seconds(t0, pass1), seconds(pass1, System.nanoTime()), rejected,
                counts.duplicates, counts.classRows[0], counts.classRows[1]);

        // ---- pass 2
        long t1 = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Plan> plan2 = jsc.broadcast(broadcastPlan);
        Broadcast<ConfHolder> conf = jsc.broadcast(new ConfHolder(spark.sparkContext().hadoopConfiguration()));
        Dataset<Row> rows = t.projected().select(col("g"), col("k"), col("k2"), col("b"), col("line"), col("rejected"));
        Headers headers = new Headers(writer.featureHeader(), writer.rejectedHeader(), t.out.toString());
        List<PartWritten> written = new ArrayList<>(rows.queryExecution().toRdd().toJavaRDD()
                .mapPartitionsWithIndex(new Pass2(plan2, conf, headers), true).collect());
        written.sort((a, b) -> Integer.compare(a.partition, b.partition));
        plan2.destroy();
        conf.destroy();
        Map<String, EtlWriter.Observed> observed = new LinkedHashMap<>();
        for (int o = 0; o < OUTPUTS.length; o++) {
            long n = 0;
            long positives = 0;
            List<String> files = new ArrayList<>();
            for (PartWritten w : written) {
                n += w.rows[o];
                positives += w.positives[o];
                if (w.rows[o] > 0 || w.partition == 0) {
                    files.add(OUTPUTS[o] + "/" + partFile(w.partition));
                }
            }
            observed.put(OUTPUTS[o], new EtlWriter.Observed(n, o == 3 || o == 4 ? 0 : positives, files));
        }
        LOG.info("pass 2 (read, validate, assign, write {} outputs) in {} s: {}", OUTPUTS.length,
                seconds(t1, System.nanoTime()), observed);
        return new Result(counts, plan, observed);
    }

    static final String[] OUTPUTS = {SPLITS[0], SPLITS[1], SPLITS[2], BASELINE, REJECTED};

    static String partFile(int partition) {
        return String.format("part-%05d.csv", partition);
    }

    private static String seconds(long from, long to) {
        return String.format(java.util.Locale.ROOT, "%.1f", (to - from) / 1e9);
    }

    // ------------------------------------------------------------------------------------------------
    // pass 1

    /** Per input partition: rows read, rejects by reason, (k, k2) of the valid rows by class. */
    static final class PartKeys implements Serializable {
        int partition;
        long rows;
        final Map<String, Long> reasons = new HashMap<>();
        final long[][] k = new long[2][];
        final long[][] k2 = new long[2][];
        final int[] n = new int[2];
    }

    static final class Pass1 implements org.apache.spark.api.java.function.Function2<Integer, Iterator<InternalRow>,
            Iterator<PartKeys>> {
        @Override
        public Iterator<PartKeys> call(Integer partition, Iterator<InternalRow> it) {
            PartKeys p = new PartKeys();
            p.partition = partition;
            long[][] k = {new long[1 << 14], new long[1 << 14]};
            long[][] k2 = {new long[1 << 14], new long[1 << 14]};
            int[] n = new int[2];
            Map<String, Long> reasons = p.reasons;
            long rows = 0;
            while (it.hasNext()) {
                InternalRow r = it.next();
                rows++;
                int g = r.getInt(0);
                if (g == 2) {
                    reasons.merge(r.getUTF8String(3).toString(), 1L, Long::sum);
                    continue;
                }
                if (n[g] == k[g].length) {
                    k[g] = Arrays.copyOf(k[g], n[g] * 2);
                    k2[g] = Arrays.copyOf(k2[g], n[g] * 2);
                }
                k[g][n[g]] = r.getLong(1);
                k2[g][n[g]] = r.getLong(2);
                n[g]++;
            }
            p.rows = rows;
            for (int g = 0; g < 2; g++) {
                p.k[g] = Arrays.copyOf(k[g], n[g]);
                p.k2[g] = Arrays.copyOf(k2[g], n[g]);
                p.n[g] = n[g];
            }
            return Collections.singletonList(p).iterator();
        }
    }

    /** The distinct rows of one class in seeded (bucket, k) order, and where each duplicated row is kept. */
    static final class ClassOrder {
        long[] sorted;                               // distinct k in (bucket, k) order
        int buckets;
        long duplicates;
        final HashMap<Long, Integer> keepIn = new HashMap<>(); // k of a duplicated row -> input partition keeping it

        static ClassOrder of(List<PartKeys> parts, int g, int buckets) {
            ClassOrder c = new ClassOrder();
            c.buckets = buckets;
            int total = 0;
            for (PartKeys p : parts) {
                total += p.n[g];
            }
            long[] all = new long[total];
            int at = 0;
            for (PartKeys p : parts) {
                System.arraycopy(p.k[g], 0, all, at, p.n[g]);
                at += p.n[g];
            }
            Arrays.parallelSort(all);
            // Equal k: an exact duplicate when k2 agrees too, else a 64-bit collision of distinct rows.
            Set<Long> repeated = new HashSet<>();
            int distinct = 0;
            for (int i = 0; i < total; i++) {
                if (i > 0 && all[i] == all[i - 1]) {
                    repeated.add(all[i]);
                } else {
                    all[distinct++] = all[i];
                }
            }
            c.duplicates = total - distinct;
            if (!repeated.isEmpty()) {
                Map<Long, Long> k2Of = new HashMap<>();
                for (PartKeys p : parts) {
                    for (int i = 0; i < p.n[g]; i++) {
                        long k = p.k[g][i];
                        if (repeated.contains(k)) {
                            Long seen = k2Of.putIfAbsent(k, p.k2[g][i]);
                            if (seen != null && seen != p.k2[g][i]) {
                                throw new Fallback("two distinct rows of class " + g + " have the same 64-bit hash " + k);
                            }
                            c.keepIn.putIfAbsent(k, p.partition); // parts are in partition order: the first copy
                        }
                    }
                }
            }
            // Stable counting sort of the k-sorted distinct keys by bucket: (bucket, k) order.
            int[] start = new int[buckets + 1];
            for (int i = 0; i < distinct; i++) {
                start[bucket(all[i], buckets) + 1]++;
            }
            for (int b = 0; b < buckets; b++) {
                start[b + 1] += start[b];
            }
            long[] ordered = new long[distinct];
            for (int i = 0; i < distinct; i++) {
                ordered[start[bucket(all[i], buckets)]++] = all[i];
            }
            c.sorted = ordered;
            return c;
        }

        /** For the cut ranks: the k of the first row at or after each cut (Long.MIN_VALUE bucket -1 for none). */
        long[] thresholds(long[] cuts) {
            long[] out = new long[cuts.length * 2];
            for (int s = 0; s < cuts.length; s++) {
                if (cuts[s] >= sorted.length) {
                    out[2 * s] = buckets; // after every bucket: all rows are below
                    out[2 * s + 1] = 0;
                } else {
                    long k = sorted[(int) cuts[s]];
                    out[2 * s] = bucket(k, buckets);
                    out[2 * s + 1] = k;
                }
            }
            return out;
        }
    }

    static int bucket(long k, int buckets) {
        return (int) Math.floorMod(k, (long) buckets);
    }

    // ------------------------------------------------------------------------------------------------
    // pass 2

    /** Broadcast to pass 2: per class the (bucket, k) of the first validation and first test row; duplicates. */
    record Plan(int buckets, long[][] thresholds, Map<Long, Integer>[] keepIn) implements Serializable { }

    record Headers(String features, String rejected, String out) implements Serializable { }

    /** A Hadoop configuration for the tasks (it is Writable, not Serializable). */
    static final class ConfHolder implements Serializable {
        transient Configuration conf;

        ConfHolder(Configuration conf) {
            this.conf = conf;
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
            conf.write(out);
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            conf = new Configuration(false);
            conf.readFields(in);
        }
    }

    /** What one task wrote: rows and positives per output ({@link #OUTPUTS} order). */
    static final class PartWritten implements Serializable {
        int partition;
        final long[] rows = new long[OUTPUTS.length];
        final long[] positives = new long[OUTPUTS.length];
    }

    /** One output row of a task: its order (bucket, k), its output (0-2 split, 4 rejected), class and text. */
    record Out(int bucket, long k, int output, int g, byte[] text) { }

    static final class Pass2 implements org.apache.spark.api.java.function.Function2<Integer, Iterator<InternalRow>,
            Iterator<PartWritten>> {
        final Broadcast<Plan> plan;
        final Broadcast<ConfHolder> conf;
        final Headers headers;

        Pass2(Broadcast<Plan> plan, Broadcast<ConfHolder> conf, Headers headers) {
            this.plan = plan;
            this.conf = conf;
            this.headers = headers;
        }

        @Override
        public Iterator<PartWritten> call(Integer partition, Iterator<InternalRow> it) throws IOException {
            Plan p = plan.value();
            List<Out> rows = new ArrayList<>();
            List<Set<Long>> keptHere = List.of(new HashSet<>(), new HashSet<>());
            while (it.hasNext()) {
                InternalRow r = it.next();
                int g = r.getInt(0);
                long k = r.getLong(1);
                int b = r.getInt(3);
                if (g == 2) {
                    rows.add(new Out(b, k, 4, g, r.getUTF8String(5).getBytes()));
                    continue;
                }
                Integer keep = p.keepIn()[g].get(k);
                if (keep != null && (keep != partition.intValue() || !keptHere.get(g).add(k))) {
                    continue; // a later copy of an exact duplicate
                }
                long[] th = p.thresholds()[g];
                int split = below(b, k, th[0], th[1]) ? 0 : below(b, k, th[2], th[3]) ? 1 : 2;
                rows.add(new Out(b, k, split, g, r.getUTF8String(4).getBytes()));
            }
            rows.sort((x, y) -> x.bucket != y.bucket ? Integer.compare(x.bucket, y.bucket) : Long.compare(x.k, y.k));
            PartWritten w = new PartWritten();
            w.partition = partition;
            for (Out o : rows) {
                w.rows[o.output]++;
                if (o.output < 3) {
                    w.positives[o.output] += o.g;
                }
            }
            w.rows[3] = w.rows[0];
            Configuration c = conf.value().conf;
            String file = partFile(partition);
            byte[][] header = new byte[OUTPUTS.length][];
            for (int o = 0; o < OUTPUTS.length; o++) {
                String h = o < 3 ? EtlSettings.OUTPUT_LABEL + "," + headers.features()
                        : o == 3 ? headers.features() : headers.rejected();
                header[o] = (h + "\n").getBytes(StandardCharsets.UTF_8);
            }
            OutputStream[] streams = new OutputStream[OUTPUTS.length];
            try {
                for (int o = 0; o < OUTPUTS.length; o++) {
                    if (w.rows[o] > 0 || partition == 0) {
                        Path path = new Path(new Path(headers.out(), OUTPUTS[o]), file);
                        FSDataOutputStream s = path.getFileSystem(c).create(path, true);
                        streams[o] = new java.io.BufferedOutputStream(s, 1 << 16);
                        streams[o].write(header[o]);
                    }
                }
                byte[][] label = {"0,".getBytes(StandardCharsets.UTF_8), "1,".getBytes(StandardCharsets.UTF_8)};
                for (Out o : rows) {
                    OutputStream s = streams[o.output];
                    if (o.output < 3) {
                        s.write(label[o.g]);
                    }
                    s.write(o.text);
                    s.write('\n');
                    if (o.output == 0) {
                        streams[3].write(o.text);
                        streams[3].write('\n');
                    }
                }
            } finally {
                IOException first = null;
                for (OutputStream s : streams) {
                    if (s != null) {
                        try {
                            s.close();
                        } catch (IOException e) {
                            first = first == null ? e : first;
                        }
                    }
                }
                if (first != null) {
                    throw first;
                }
            }
            return Collections.singletonList(w).iterator();
        }

        /** (b, k) before (tb, tk) in the seeded order. */
        static boolean below(int b, long k, long tb, long tk) {
            return b < tb || (b == tb && k < tk);
        }
    }
}
