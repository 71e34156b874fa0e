package io.mlops.localrun;

import io.mlops.systemtests.cli.CommandLine;
import io.mlops.systemtests.cli.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What one local end-to-end run does: the command line of {@code bin/run-local} ({@link LocalRun}).
 * Relative paths given on the command line are resolved against the current directory; the defaults
 * live in the repository.
 *
 * @param repo            the repository root (holds {@code etl/bin/run-local} and {@code model-container/bin/})
 * @param dataset         the dataset for the ETL: a {@code .zip}, {@code .csv}, {@code .csv.gz} or a folder of CSV files
 * @param runSettings     {@code config/run-settings.json} or another run settings file
 * @param etlSettings     the ETL settings JSON; empty: {@code etl.settingsFile} of the run settings
 * @param work            the run's folder (must not exist or be empty)
 * @param registry        the local model registry's root folder
 * @param loadDuration    the load test's duration bound
 * @param loadRequests    the load test's request-count bound
 * @param loadConcurrency closed-loop clients of the load test
 * @param port            port of {@code serve} on 127.0.0.1; 0 for a free one
 * @param maxP99Millis    the endpoint test's latency bound (p99 of a batch request)
 */
public record LocalRunOptions(Path repo, Path dataset, Path runSettings, Optional<Path> etlSettings, Path work,
        Path registry, Duration loadDuration, long loadRequests, int loadConcurrency, int port, double maxP99Millis) {

    public static final String DEFAULT_DATASET = "etl/data/bank-additional.zip";
    public static final String DEFAULT_RUN_SETTINGS = "config/run-settings.json";
    public static final String RUNS_FOLDER = "work/local-run";
    public static final String REGISTRY_FOLDER = RUNS_FOLDER + "/registry";
    public static final Duration DEFAULT_LOAD_DURATION = Duration.ofSeconds(10);
    public static final long DEFAULT_LOAD_REQUESTS = 20_000;
    public static final int DEFAULT_LOAD_CONCURRENCY = 4;
    public static final double DEFAULT_MAX_P99_MILLIS = 1000;
    /** A load test is a short check here, not a benchmark (bin/load-test is the tool for that). */
    static final Duration MAX_LOAD_DURATION = Duration.ofMinutes(10);
    private static final DateTimeFormatter RUN_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    public LocalRunOptions {
        if (loadDuration.isZero() || loadDuration.isNegative() || loadDuration.compareTo(MAX_LOAD_DURATION) > 0) {
            throw new UsageException("--load-duration must be between 1ms and 10m, e.g. 10s; received " + loadDuration);
        }
        if (loadRequests < 1) {
            throw new UsageException("--load-requests must be at least 1, e.g. 2000; received " + loadRequests);
        }
        if (loadConcurrency < 1 || loadConcurrency > 64) {
            throw new UsageException("--load-concurrency must be between 1 and 64, e.g. 4; received " + loadConcurrency);
        }
        if (port < 0 || port > 65_535) {
            throw new UsageException("--port must be between 1 and 65535, or 0 for a free port; received " + port);
        }
        if (!(maxP99Millis > 0) || Double.isInfinite(maxP99Millis)) {
            throw new UsageException("--max-p99-ms must be a positive number of milliseconds, e.g. 1000; received "
                    + maxP99Millis);
        }
    }

    static CommandLine commandLine() {
        return new CommandLine("bin/run-local", "The whole pipeline on this machine, no AWS account: ETL (Spark local "
                + "mode) -> train -> evaluate -> quality gate -> local registry -> serve on 127.0.0.1 -> endpoint test -> "
                + "load test -> summary and report.html.")
                .option("dataset", "FILE", "dataset for the ETL: .zip, .csv, .csv.gz or a folder of CSV files (default "
                        + DEFAULT_DATASET + ")")
                .option("settings", "FILE", "run settings: hyperparameters, quality gate, ETL arguments (default "
                        + DEFAULT_RUN_SETTINGS + ")")
                .option("etl-settings", "FILE", "ETL settings JSON (default: etl.settingsFile of the run settings)")
                .option("work", "DIR", "folder for this run's artifacts, must not exist or be empty (default "
                        + RUNS_FOLDER + "/<timestamp>)")
                .option("registry", "DIR", "local model registry (default " + REGISTRY_FOLDER + ")")
                .option("load-duration", "TIME", "load test duration bound, e.g. 10s (default 10s)")
                .option("load-requests", "N", "load test request-count bound (default " + DEFAULT_LOAD_REQUESTS + ")")
                .option("load-concurrency", "N", "load test clients, closed loop (default " + DEFAULT_LOAD_CONCURRENCY + ")")
                .option("port", "PORT", "port of serve on 127.0.0.1 (default 0: a free port)")
                .option("max-p99-ms", "MS", "endpoint test: most p99 latency of a batch request (default 1000)")
                .option("repo", "DIR", "repository root (default: found from the current directory)");
    }

    /**
     * Parses the command line.
     *
     * @param cwd where relative paths on the command line are resolved, and where the repository is searched from
     * @param now names the default work folder
     * @return empty when {@code --help} was printed to {@code help}
     * @throws UsageException naming the option, the value and the fix
     */
    public static Optional<LocalRunOptions> parse(String[] args, Path cwd, LocalDateTime now, java.io.PrintStream help) {
        CommandLine cli = commandLine();
        if (!cli.parseOrHelp(args, help)) {
            return Optional.empty();
        }
        Path repo = cli.path("repo").map(p -> cwd.resolve(p).normalize()).orElseGet(() -> findRepo(cwd));
        if (!isRepo(repo)) {
            throw new UsageException("--repo " + repo + " is not the repository root: it has no etl/bin/run-local and "
                    + "model-container/bin/train; pass the folder that holds them");
        }
        Path dataset = cli.path("dataset").map(cwd::resolve).orElse(repo.resolve(DEFAULT_DATASET)).normalize();
        Path runSettings = cli.path("settings").map(cwd::resolve).orElse(repo.resolve(DEFAULT_RUN_SETTINGS)).normalize();
        Optional<Path> etlSettings = cli.path("etl-settings").map(p -> cwd.resolve(p).normalize());
        Path work = cli.path("work").map(p -> cwd.resolve(p).normalize())
                .orElseGet(() -> freshRunFolder(repo.resolve(RUNS_FOLDER), now));
        Path registry = cli.path("registry").map(cwd::resolve).orElse(repo.resolve(REGISTRY_FOLDER)).normalize();
        return Optional.of(new LocalRunOptions(repo, dataset, runSettings, etlSettings, work, registry,
                cli.duration("load-duration", DEFAULT_LOAD_DURATION), cli.longValue("load-requests", DEFAULT_LOAD_REQUESTS),
                cli.intValue("load-concurrency", DEFAULT_LOAD_CONCURRENCY), cli.intValue("port", 0),
                cli.doubleValue("max-p99-ms").orElse(DEFAULT_MAX_P99_MILLIS)));
    }

    /**
     * Checks what can be checked before any stage runs: the files exist and the work folder is free.
     * A dataset's content is the ETL's business (a corrupt zip fails the ETL stage with its own message).
     */
    public void validate() {
        if (!Files.exists(dataset)) {
            throw new UsageException("--dataset " + dataset + " does not exist; pass a .zip, .csv or .csv.gz dataset or a "
                    + "folder of CSV files (default " + DEFAULT_DATASET + ")");
        }
        if (!Files.isRegularFile(runSettings)) {
            throw new UsageException("--settings " + runSettings + " is not a file; pass a run settings JSON (default "
                    + DEFAULT_RUN_SETTINGS + ", see docs/contracts/run-settings.md)");
        }
        etlSettings.ifPresent(p -> {
            if (!Files.isRegularFile(p)) {
                throw new UsageException("--etl-settings " + p + " is not a file; pass an ETL settings JSON such as "
                        + "etl/settings/bank.json");
            }
        });
        if (Files.isRegularFile(work)) {
            throw new UsageException("--work " + work + " is a file; pass a new folder for the run's artifacts");
        }
        if (Files.isDirectory(work)) {
            try (Stream<Path> entries = Files.list(work)) {
                if (entries.findAny().isPresent()) {
                    throw new UsageException("--work " + work + " already holds files (an earlier run?); pass a new or "
                            + "empty folder, or leave --work out for " + RUNS_FOLDER + "/<timestamp>");
                }
            } catch (IOException e) {
                throw new UsageException("--work " + work + " cannot be listed: " + e.getMessage(), e);
            }
        }
        if (work.startsWith(registry) || registry.startsWith(work)) {
            throw new UsageException("--registry " + registry + " and --work " + work + " must not contain each other: the "
                    + "registry outlives runs");
        }
    }

    /** The repository root: {@code cwd} or the nearest parent holding the ETL and model-container entry points. */
    static Path findRepo(Path cwd) {
        for (Path p = cwd.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (isRepo(p)) {
                return p;
            }
        }
        throw new UsageException("cannot find the repository root from " + cwd.toAbsolutePath()
                + " (a folder with etl/bin/run-local and model-container/bin/train); run from inside the clone or pass "
                + "--repo DIR");
    }

    static boolean isRepo(Path p) {
        return Files.isRegularFile(p.resolve("etl/bin/run-local")) && Files.isRegularFile(p.resolve("model-container/bin/train"));
    }

    /** {@code <runs>/<yyyyMMdd-HHmmss>}, with {@code -2}, {@code -3}... when that folder exists. */
    static Path freshRunFolder(Path runs, LocalDateTime now) {
        String stamp = RUN_STAMP.format(now);
        Path candidate = runs.resolve(stamp);
        for (int i = 2; Files.exists(candidate); i++) {
            candidate = runs.resolve(stamp + "-" + i);
        }
        return candidate.normalize();
    }

    /** The run's id: {@code local-} and the work folder's name (recorded in the manifest and the registry). */
    public String runId() {
        return "local-" + work.getFileName();
    }
}
