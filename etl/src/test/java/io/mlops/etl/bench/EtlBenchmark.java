package io.mlops.etl.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlops.etl.EtlJob;
import io.mlops.etl.JobArgs;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.ZipFile;

/**
 * Benchmark, not a test: {@code etl/bin/benchmark [rows] [workDir] [rounds]}.
 *
 * <p>Generates a bank-schema CSV of {@code rows} rows (default 5,000,000; deterministic: real rows of the
 * bundled zip picked with a seeded generator, with age, duration and campaign redrawn so rows are
 * distinct), then on one Spark session ({@code local[2]} unless -Dspark.master says otherwise) measures,
 * side by side and alternating for {@code rounds} rounds:
 * <ul>
 * <li>the floor: plain Spark reading the same CSV (header, ';', all strings) and writing it back as CSV;</li>
 * <li>the full ETL job on the same CSV.</li>
 * </ul>
 * and the job's wall time on the real 41,188-row zip.
 */
public final class EtlBenchmark {
    /** CPU time of the Spark tasks since the last reset: a measure that heavy machine load disturbs less than wall time. */
    static final AtomicLong TASK_CPU_NS = new AtomicLong();

    private EtlBenchmark() { }

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 5_000_000L;
        Path work = Path.of(args.length > 1 ? args[1] : "/tmp/etl-bench");
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Path zip = Path.of(System.getProperty("etl.zip", "data/bank-additional.zip"));
        Files.createDirectories(work);
        Path csv = work.resolve("bank-" + rows + ".csv");
        if (!Files.exists(csv)) {
            long t0 = System.nanoTime();
            generate(zip, csv, rows);
            System.out.printf(Locale.ROOT, "generated %s (%d rows, %.0f MB) in %.1f s%n", csv, rows,
                    Files.size(csv) / 1e6, (System.nanoTime() - t0) / 1e9);
        }

        SparkSession spark = EtlJob.localSession(System.getProperty("spark.master", "local[2]"));
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onStageCompleted(SparkListenerStageCompleted done) {
                if (Boolean.getBoolean("etl.bench.stages")) {
                    var info = done.stageInfo();
                    long start = (Long) info.submissionTime().get();
                    long end = (Long) info.completionTime().get();
                    System.out.printf(Locale.ROOT, "  stage %3d %-40.40s tasks %3d  %6.1f s  task CPU %6.1f s%n", info.stageId(),
                            info.name(), info.numTasks(), (end - start) / 1e3, info.taskMetrics().executorCpuTime() / 1e9);
                }
            }

            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.taskMetrics() != null) {
                    TASK_CPU_NS.addAndGet(end.taskMetrics().executorCpuTime() + end.taskMetrics().executorDeserializeCpuTime());
                }
            }
        });
        System.out.printf(Locale.ROOT, "Spark %s, master %s, %d cores, max heap %d MB, load average %.1f%n",
                spark.version(), spark.sparkContext().master(), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, load());

        boolean withZip = !Boolean.getBoolean("etl.bench.skipZip"); // quicker runs while tuning
        double zipCold = withZip ? time(() -> job(spark, zip.toString(), work.resolve("zip-out"))) : Double.NaN;
        double zipWarm = withZip ? time(() -> job(spark, zip.toString(), work.resolve("zip-out"))) : Double.NaN;

        List<double[]> results = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            double[] floor = timeWithCpu(() -> spark.read().option("header", "true").option("sep", ";").csv(csv.toString())
                    .write().mode("overwrite").option("header", "true").csv(work.resolve("floor-out").toString()));
            long[] jobRowsRead = new long[1];
            double[] job = timeWithCpu(() -> jobRowsRead[0] = job(spark, csv.toString(), work.resolve("job-out")).get("rowsRead").asLong());
            if (jobRowsRead[0] != rows) {
                throw new IllegalStateException("the job read " + jobRowsRead[0] + " rows, expected " + rows);
            }
            results.add(new double[] {floor[0], floor[1], job[0], job[1]});
            System.out.printf(Locale.ROOT, "round %d: floor %.1f s (task CPU %.1f s), job %.1f s (task CPU %.1f s), load average %.1f%n",
                    r, floor[0], floor[1], job[0], job[1], load());
        }

        System.out.println();
        System.out.printf(Locale.ROOT, "%d rows, %s, master %s%n", rows, csv, spark.sparkContext().master());
        System.out.printf(Locale.ROOT, "| round | what | wall (s) | rows/s | Spark task CPU (s) | job / floor (wall) | job / floor (CPU) |%n");
        System.out.printf(Locale.ROOT, "|---|---|---|---|---|---|---|%n");
        for (int r = 0; r < results.size(); r++) {
            double[] x = results.get(r);
            System.out.printf(Locale.ROOT, "| %d | floor: Spark read CSV + write CSV | %.1f | %,.0f | %.1f | | |%n", r + 1, x[0], rows / x[0], x[1]);
            System.out.printf(Locale.ROOT, "| %d | ETL job | %.1f | %,.0f | %.1f | %.2f | %.2f |%n", r + 1, x[2], rows / x[2], x[3], x[2] / x[0], x[3] / x[1]);
        }
        System.out.printf(Locale.ROOT, "real zip (41,188 rows): job wall time %.1f s (first run in this JVM), %.1f s (second run)%n", zipCold, zipWarm);
        spark.stop();
    }

    static JsonNode job(SparkSession spark, String input, Path out) {
        return EtlJob.run(spark, JobArgs.parse(new String[] {"--input", input, "--output", out.toString()}));
    }

    interface Action {
        void run() throws Exception;
    }

    /** {wall seconds, Spark task CPU seconds} */
    static double[] timeWithCpu(Action action) throws Exception {
        TASK_CPU_NS.set(0);
        double wall = time(action);
        Thread.sleep(500); // the listener bus delivers the last task ends asynchronously
        return new double[] {wall, TASK_CPU_NS.get() / 1e9};
    }

    static double time(Action action) throws Exception {
        long t0 = System.nanoTime();
        action.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** Real rows picked at random (seeded), with age, duration and campaign redrawn. */
    static void generate(Path zip, Path csv, long rows) throws IOException {
        List<String[]> templates = new ArrayList<>();
        String header;
        try (ZipFile z = new ZipFile(zip.toFile());
             InputStream in = z.getInputStream(z.getEntry("bank-additional/bank-additional-full.csv"))) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\r?\n");
            header = lines[0];
            for (int i = 1; i < lines.length; i++) {
                templates.add(lines[i].split(";", -1));
            }
        }
        SplittableRandom random = new SplittableRandom(2014);
        Path tmp = csv.resolveSibling(csv.getFileName() + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write(header);
            w.write('\n');
            StringBuilder line = new StringBuilder(256);
            for (long i = 0; i < rows; i++) {
                String[] f = templates.get(random.nextInt(templates.size()));
                line.setLength(0);
                for (int c = 0; c < f.length; c++) {
                    if (c > 0) {
                        line.append(';');
                    }
                    switch (c) {
                        case 0 -> line.append(18 + random.nextInt(78));                 // age
                        case 10 -> line.append(random.nextInt(3000));                   // duration
                        case 11 -> line.append(1 + (int) (-Math.log(1 - random.nextDouble()) * 2)); // campaign
                        default -> line.append(f[c]);
                    }
                }
                line.append('\n');
                w.append(line);
            }
        }
        Files.move(tmp, csv);
    }
}
