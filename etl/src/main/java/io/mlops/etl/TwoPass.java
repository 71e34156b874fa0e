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
import org.apache.spark.storage.StorageLevel;
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
 * The two-pass ETL job (one read of the input, no shuffle of the rows, no Spark cache of rows) for line-per-row
 * input. Gives the same rows per split, the same duplicates and rejects as the one-pass job of
 * {@link EtlTransform} (which stays for multi-line input, failing inputs and 64-bit hash collisions, see
 * {@link #run}).
 * <ol>
 * <li>Pass 1 reads and validates every row as {@link EtlTransform#projected} does; each task packs its input
 * split's rows (class, bucket, seeded hash {@code k}, second hash {@code k2}, output text) into one {@link Block}
 * sorted by (bucket, class, k), kept ({@code MEMORY_AND_DISK}) for pass 2, and sends the driver only the (k, k2)
 * of its valid rows and its rejects by reason. On the driver: equal (k, k2) in a class is an exact duplicate (kept
 * in the lowest input split holding it); the distinct rows of a class in (bucket, k) order (the one-pass job's
 * order) give the {@link SplitPlan} cut points as (bucket, k) thresholds.</li>
 * <li>Pass 2: each task assigns the rows of its block from the broadcast thresholds and writes its own
 * {@code part-NNNNN.csv} of every output (NNNNN = input split), so files per output = input splits (sized by the
 * {@code partitions} setting). A lost block is recomputed from the input (deterministic).</li>
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

    /** Completed two-pass runs in this JVM (tests check that the two-pass job, not the fallback, ran). */
    static final java.util.concurrent.atomic.AtomicInteger COMPLETED = new java.util.concurrent.atomic.AtomicInteger();

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
        // Spark's split size is min(maxPartitionBytes, max(openCost, bytes / minPartitionNum)): with 1, it is splitBytes.
        spark.conf().set(MIN_PARTITIONS, "1");
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
        // ---- pass 1: read + validate + hash once, pack each partition's rows (sorted by (bucket, class, k)) into one cached block
        Dataset<Row> projected = t.projected().select(col("g"), col("k"), col("k2"), col("b"), col("line"), col("rejected"),
                col("reason"));
        JavaRDD<Block> blocks = projected.queryExecution().toRdd().toJavaRDD()
                .mapPartitionsWithIndex(new Pack(), true)
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            return afterPack(spark, t, writer, blocks, t0);
        } finally {
            blocks.unpersist(false);
        }
    }

    private static Result afterPack(SparkSession spark, EtlTransform t, EtlWriter writer, JavaRDD<Block> blocks, long t0) {
        List<PartKeys> parts = new ArrayList<>(blocks.map(Block::keys).collect());
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
        LOG.info("pass 1 (read, validate, hash, pack) of {} rows: {} s, driver order {} s: {} rejected, {} duplicates, {} negatives,"
                        + " {} positives", rowsRead, seconds(t0, pass1), seconds(pass1, System.nanoTime()), rejected,
                counts.duplicates, counts.classRows[0], counts.classRows[1]);

        // ---- pass 2
        long t1 = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Plan> plan2 = jsc.broadcast(broadcastPlan);
        Broadcast<ConfHolder> conf = jsc.broadcast(new ConfHolder(spark.sparkContext().hadoopConfiguration()));
        Headers headers = new Headers(writer.featureHeader(), writer.rejectedHeader(), t.out.toString());
        List<PartWritten> written = new ArrayList<>(blocks.map(new Write(plan2, conf, headers)).collect());
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
        LOG.info("pass 2 (assign and write {} outputs from the packed rows) in {} s: {}", OUTPUTS.length,
                seconds(t1, System.nanoTime()), observed);
        COMPLETED.incrementAndGet();
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

    /** One input partition's rows, validated and hashed, packed and sorted by (bucket, class, k); cached between the passes. */
    static final class Block implements Serializable {
        int partition;
        long rows;
        HashMap<String, Long> reasons;
        int n;
        byte[] g;
        int[] b;
        long[] k;
        long[] k2;
        int[] end;      // text of record i: text[end[i-1] .. end[i])
        byte[] text;    // the feature line of a valid row, the rejected line of a rejected one

        /** What the driver needs: rows, rejects by reason, (k, k2) of the valid rows by class. */
        PartKeys keys() {
            PartKeys p = new PartKeys();
            p.partition = partition;
            p.rows = rows;
            p.reasons.putAll(reasons);
            for (int c = 0; c < 2; c++) {
                int m = 0;
                for (int i = 0; i < n; i++) {
                    if (g[i] == c) {
                        m++;
                    }
                }
                p.k[c] = new long[m];
                p.k2[c] = new long[m];
                p.n[c] = m;
                int at = 0;
                for (int i = 0; i < n; i++) {
                    if (g[i] == c) {
                        p.k[c][at] = k[i];
                        p.k2[c][at++] = k2[i];
                    }
                }
            }
            return p;
        }
    }

    static final class Pack implements org.apache.spark.api.java.function.Function2<Integer, Iterator<InternalRow>,
            Iterator<Block>> {
        @Override
        public Iterator<Block> call(Integer partition, Iterator<InternalRow> it) {
            HashMap<String, Long> reasons = new HashMap<>();
            int cap = 1 << 14;
            byte[] g = new byte[cap];
            int[] b = new int[cap];
            long[] k = new long[cap];
            long[] k2 = new long[cap];
            int[] end = new int[cap];
            byte[] text = new byte[1 << 20];
            int n = 0;
            int used = 0;
            long rows = 0;
            while (it.hasNext()) {
                InternalRow r = it.next();
                rows++;
                int group = r.getInt(0);
                if (n == cap) {
                    cap *= 2;
                    g = Arrays.copyOf(g, cap);
                    b = Arrays.copyOf(b, cap);
                    k = Arrays.copyOf(k, cap);
                    k2 = Arrays.copyOf(k2, cap);
                    end = Arrays.copyOf(end, cap);
                }
                org.apache.spark.unsafe.types.UTF8String value;
                if (group == 2) {
                    reasons.merge(r.getUTF8String(6).toString(), 1L, Long::sum);
                    value = r.getUTF8String(5);
                } else {
                    value = r.getUTF8String(4);
                }
                int len = value.numBytes();
                if (used + len > text.length) {
                    text = Arrays.copyOf(text, Math.max(text.length * 2, used + len));
                }
                value.writeToMemory(text, org.apache.spark.unsafe.Platform.BYTE_ARRAY_OFFSET + used);
                used += len;
                g[n] = (byte) group;
                k[n] = r.getLong(1);
                k2[n] = r.getLong(2);
                b[n] = r.getInt(3);
                end[n] = used;
                n++;
            }
            // Sort by (bucket, class, k) as the one-pass job orders its rows, stable (input order among equal keys).
            Integer[] idx = new Integer[n];
            for (int i = 0; i < n; i++) {
                idx[i] = i;
            }
            final int[] fb = b;
            final long[] fk = k;
            final byte[] fg = g;
            Arrays.sort(idx, (x, y) -> fb[x] != fb[y] ? Integer.compare(fb[x], fb[y])
                    : fg[x] != fg[y] ? Byte.compare(fg[x], fg[y]) : Long.compare(fk[x], fk[y]));
            Block out = new Block();
            out.partition = partition;
            out.rows = rows;
            out.reasons = reasons;
            out.n = n;
            out.g = new byte[n];
            out.b = new int[n];
            out.k = new long[n];
            out.k2 = new long[n];
            out.end = new int[n];
            out.text = new byte[used];
            int at = 0;
            for (int j = 0; j < n; j++) {
                int i = idx[j];
                int from = i == 0 ? 0 : end[i - 1];
                int len = end[i] - from;
                System.arraycopy(text, from, out.text, at, len);
                at += len;
                out.end[j] = at;
                out.g[j] = g[i];
                out.b[j] = b[i];
                out.k[j] = k[i];
                out.k2[j] = k2[i];
            }
            return Collections.singletonList(out).iterator();
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

    static final class Write implements org.apache.spark.api.java.function.Function<Block, PartWritten> {
        final Broadcast<Plan> plan;
        final Broadcast<ConfHolder> conf;
        final Headers headers;

        Write(Broadcast<Plan> plan, Broadcast<ConfHolder> conf, Headers headers) {
            this.plan = plan;
            this.conf = conf;
            this.headers = headers;
        }

        @Override
        public PartWritten call(Block blk) throws IOException {
            Plan p = plan.value();
            int partition = blk.partition;
            List<Set<Long>> keptHere = List.of(new HashSet<>(), new HashSet<>());
            byte[] output = new byte[blk.n];
            PartWritten w = new PartWritten();
            w.partition = partition;
            for (int i = 0; i < blk.n; i++) {
                int g = blk.g[i];
                if (g == 2) {
                    output[i] = 4;
                } else {
                    long k = blk.k[i];
                    Integer keep = p.keepIn()[g].get(k);
                    if (keep != null && (keep != partition || !keptHere.get(g).add(k))) {
                        output[i] = -1; // a later copy of an exact duplicate
                        continue;
                    }
                    long[] th = p.thresholds()[g];
                    int b = blk.b[i];
                    output[i] = (byte) (below(b, k, th[0], th[1]) ? 0 : below(b, k, th[2], th[3]) ? 1 : 2);
                    w.positives[output[i]] += g;
                }
                w.rows[output[i]]++;
            }
            w.rows[3] = w.rows[0];
            Configuration c = conf.value().conf;
            String file = partFile(partition);
            OutputStream[] streams = new OutputStream[OUTPUTS.length];
            try {
                for (int o = 0; o < OUTPUTS.length; o++) {
                    if (w.rows[o] > 0 || partition == 0) {
                        String h = o < 3 ? EtlSettings.OUTPUT_LABEL + "," + headers.features()
                                : o == 3 ? headers.features() : headers.rejected();
                        Path path = new Path(new Path(headers.out(), OUTPUTS[o]), file);
                        FSDataOutputStream s = path.getFileSystem(c).create(path, true);
                        streams[o] = new java.io.BufferedOutputStream(s, 1 << 16);
                        streams[o].write((h + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                }
                byte[][] label = {"0,".getBytes(StandardCharsets.UTF_8), "1,".getBytes(StandardCharsets.UTF_8)};
                byte[] text = blk.text;
                for (int i = 0; i < blk.n; i++) {
                    int o = output[i];
                    if (o < 0) {
                        continue;
                    }
                    int from = i == 0 ? 0 : blk.end[i - 1];
                    int len = blk.end[i] - from;
                    OutputStream s = streams[o];
                    if (o < 3) {
                        s.write(label[blk.g[i]]);
                    }
                    s.write(text, from, len);
                    s.write('\n');
                    if (o == 0) {
                        streams[3].write(text, from, len);
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
            return w;
        }

        /** (b, k) before (tb, tk) in the seeded order. */
        static boolean below(int b, long k, long tb, long tk) {
            return b < tb || (b == tb && k < tk);
        }
    }
}
