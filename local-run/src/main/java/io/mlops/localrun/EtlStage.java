package io.mlops.localrun;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Stage 1: the real Spark ETL job in local mode, {@code etl/bin/run-local} (docs/contracts/etl-job.md),
 * as a child process with this JVM's JDK. Its output goes to {@code logs/etl.log}, its own progress lines
 * to the terminal; the manifest is read and checked afterwards.
 */
final class EtlStage {
    /** Arguments the local run sets itself; the same names in {@code etl.arguments} are not passed. */
    static final Set<String> SET_BY_THE_RUN = Set.of("--input", "--output", "--settings", "--execution-id");
    /** Glue's own job options (not the ETL job's): they mean nothing in Spark local mode. */
    static final List<String> GLUE_OPTION_PREFIXES = List.of("--enable-", "--job-", "--TempDir", "--extra-", "--conf",
            "--additional-python-modules", "--python-modules-installer-option", "--spark-event-logs-path",
            "--user-jars-first", "--datalake-formats", "--continuous-log-", "--class", "--scriptLocation");
    private static final String FAILED_MARK = "ETL FAILED:";

    private EtlStage() {
    }

    /** What comes out of the stage. */
    record Outcome(Path output, Path manifestFile, EtlManifest manifest, String datasetSha256, List<String> arguments,
            List<String> skippedArguments) {
        Path split(String name) {
            return output.resolve(name);
        }
    }

    /** The run settings' {@code etl.arguments} split into those passed to the job and those skipped (with why). */
    record Arguments(List<String> passed, List<String> skipped) {
    }

    static Arguments arguments(Map<String, String> etlArguments) {
        List<String> passed = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Map.Entry<String, String> e : new LinkedHashMap<>(etlArguments).entrySet()) {
            String name = e.getKey();
            if (SET_BY_THE_RUN.contains(name)) {
                skipped.add(name + " (set by the local run)");
            } else if (GLUE_OPTION_PREFIXES.stream().anyMatch(name::startsWith)) {
                skipped.add(name + " (a Glue option)");
            } else {
                passed.add(name);
                passed.add(e.getValue());
            }
        }
        return new Arguments(List.copyOf(passed), List.copyOf(skipped));
    }

    /**
     * Runs the job and checks its manifest.
     *
     * @param progress receives the job's own progress lines (its INFO lines), for the terminal
     * @throws StageFailedException with the job's own error text ({@code ETL FAILED: ...}) and the log's place
     */
    static Outcome run(Path repo, Path dataset, Path etlSettings, Map<String, String> etlArguments, String runId,
            Path output, Path log, Duration timeout, Consumer<String> progress) throws IOException {
        Arguments args = arguments(etlArguments);
        List<String> command = new ArrayList<>(List.of("bash", repo.resolve("etl/bin/run-local").toString(),
                "--input", dataset.toString(), "--output", output.toString(), "--settings", etlSettings.toString(),
                "--execution-id", runId));
        command.addAll(args.passed());
        Files.createDirectories(log.getParent());
        Files.writeString(log, "$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8);
        Path javaHome = Path.of(System.getProperty("java.home"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JAVA_HOME", javaHome.toString());
        env.put("PATH", javaHome.resolve("bin") + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        Subprocess.Exit exit = Subprocess.run(command, env, repo, log, timeout, line -> {
            String shown = progressLine(line);
            if (shown != null) {
                progress.accept(shown);
            }
        });
        if (exit.timedOut()) {
            throw new StageFailedException("the ETL job did not finish within " + timeout.toMinutes() + " min (etl.timeoutMinutes "
                    + "of the run settings) and was stopped; log: " + log);
        }
        if (exit.code() != 0) {
            throw new StageFailedException(failureText(log) + " (etl/bin/run-local exited with " + exit.code() + "); log: "
                    + log);
        }
        Path manifestFile = output.resolve("manifest.json");
        EtlManifest manifest = EtlManifest.read(manifestFile);
        manifest.check(manifestFile);
        for (String split : List.of("train", "validation", "test")) {
            if (!hasCsv(output.resolve(split))) {
                throw new StageFailedException("the ETL job wrote no CSV file in " + output.resolve(split) + "; log: " + log);
            }
        }
        String sha256 = manifest.sourceSha256();
        if (Files.isRegularFile(dataset)) {
            sha256 = sha256(dataset);
            if (manifest.sourceSha256() != null && !manifest.sourceSha256().equals(sha256)) {
                throw new StageFailedException(manifestFile + " records source.sha256 " + manifest.sourceSha256()
                        + " but " + dataset + " has sha256 " + sha256 + ": the dataset changed while the ETL read it; run again");
            }
        }
        return new Outcome(output, manifestFile, manifest, sha256, args.passed(), args.skipped());
    }

    /** The job's own progress: its INFO lines and the build note of run-local; null for anything else. */
    static String progressLine(String line) {
        int at = line.indexOf(" INFO  EtlJob: ");
        if (at >= 0) {
            return line.substring(at + " INFO  EtlJob: ".length());
        }
        if (line.startsWith("run-local:") || line.startsWith("ETL done") || line.startsWith(FAILED_MARK)) {
            return line;
        }
        return null;
    }

    /** The job's {@code ETL FAILED: ...} lines, or the log's last lines when it has none (e.g. the jar did not build). */
    static String failureText(Path log) {
        List<String> lines;
        try {
            lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "the ETL job failed and its log " + log + " cannot be read (" + e.getMessage() + ")";
        }
        List<String> failures = lines.stream().filter(l -> l.contains(FAILED_MARK))
                .map(l -> l.substring(l.indexOf(FAILED_MARK))).toList();
        if (!failures.isEmpty()) {
            return String.join("; ", failures);
        }
        List<String> tail = lines.subList(Math.max(0, lines.size() - 15), lines.size());
        return "the ETL job failed without an 'ETL FAILED:' line; the end of its log:\n" + String.join("\n", tail);
    }

    private static boolean hasCsv(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return false;
        }
        try (var files = Files.list(folder)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".csv"));
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
