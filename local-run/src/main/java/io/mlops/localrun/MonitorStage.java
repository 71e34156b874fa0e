package io.mlops.localrun;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Stage 9: the drift monitor (the image's {@code monitor}, as the hourly Processing job runs it on AWS) twice:
 * on what the endpoint test and the load test sent through the {@link CaptureEndpoint} (the test split: no alarm
 * expected), and on a replay of the test split with a documented synthetic shift ({@link #SHIFTS}, written by
 * {@code model-container/tools/capture_replay.py} in the same capture format), which must raise the alarm.
 */
final class MonitorStage {
    /** The synthetic shift of the replay: a rate shock and a changed job mix (documented in local-run/README.md). */
    static final List<String> SHIFTS = List.of("euribor3m*1.5", "job:student=0.4");
    static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private MonitorStage() {
    }

    /** One monitor run: its report files and what report.json says. */
    record Run(Path reportJson, Path reportHtml, boolean alarm, List<String> reasons, long requests, long rows,
            double driftedShare, double scorePsi, double schemaViolationRate) {
        static Run read(Path dir) {
            Path json = dir.resolve("report.json");
            try {
                JsonNode r = JSON.readTree(json.toFile());
                List<String> reasons = new ArrayList<>();
                r.path("reasons").forEach(n -> reasons.add(n.asText()));
                return new Run(json, dir.resolve("report.html"), r.path("alarm").asBoolean(), List.copyOf(reasons),
                        r.path("request_count").asLong(), r.path("window").path("rows").asLong(),
                        r.path("drift").path("drifted_share").asDouble(Double.NaN),
                        r.path("score").path("psi").asDouble(Double.NaN),
                        r.path("schema_violations").path("rate").asDouble(Double.NaN));
            } catch (IOException e) {
                throw new StageFailedException("the monitor wrote no readable " + json + ": " + e.getMessage(), e);
            }
        }

        String summary() {
            return String.format(Locale.ROOT, "%d requests, %d rows, drifted share %.2f, score PSI %.3f, alarm %s", requests,
                    rows, driftedShare, scorePsi, alarm);
        }
    }

    /** What comes out of the stage: the monitor on the captured traffic and on the shifted replay. */
    record Outcome(Path captureDir, long capturedRecords, Run live, Run shifted) {
    }

    /**
     * Runs the monitor on {@code captureDir} (the local data capture) and on the shifted replay of {@code testSplit},
     * each in its own {@code ML_PREFIX} under {@code dir}, with the trained {@code modelDir}.
     */
    static Outcome run(ModelContainer container, Path captureDir, long capturedRecords, Path modelDir, Path testSplit,
            String endpointName, Path dir, Path logs) throws IOException {
        if (capturedRecords == 0) {
            throw new StageFailedException("the data capture recorded no invocation under " + captureDir
                    + ": the endpoint and load tests sent nothing, or the model rejected all of it");
        }
        Path live = prefix(dir.resolve("live"), modelDir);
        LocalFiles.copyTree(captureDir, live.resolve("processing/input/capture"));
        container.monitor(live, logs.resolve("monitor-live.log"), TIMEOUT);

        Path shifted = prefix(dir.resolve("shifted"), modelDir);
        Path split = dir.resolve("test-split.csv");
        concatenate(testSplit, split);
        container.captureReplay(split, shifted.resolve("processing/input/capture"), modelDir, SHIFTS, endpointName,
                logs.resolve("capture-replay.log"), TIMEOUT);
        container.monitor(shifted, logs.resolve("monitor-shifted.log"), TIMEOUT);
        return new Outcome(captureDir, capturedRecords, Run.read(live.resolve("processing/monitoring")),
                Run.read(shifted.resolve("processing/monitoring")));
    }

    /** The stage's verdict: no alarm on the captured test traffic, an alarm on the shifted replay. */
    static String check(Outcome o) {
        if (o.live().alarm()) {
            throw new StageFailedException("the drift monitor raised the alarm on the captured test traffic, which comes from "
                    + "the model's own data: " + String.join("; ", o.live().reasons()) + ". Report: " + o.live().reportHtml()
                    + ". Check the reference profile train wrote (profile.json) against the test split.");
        }
        if (!o.shifted().alarm()) {
            throw new StageFailedException("the drift monitor raised no alarm on the replay shifted by " + SHIFTS + " ("
                    + o.shifted().summary() + "): the thresholds miss a shift this large. Report: " + o.shifted().reportHtml());
        }
        return "captured " + o.capturedRecords() + " invocations: " + o.live().summary() + "; replay shifted by " + SHIFTS
                + ": " + o.shifted().summary() + " (" + String.join("; ", o.shifted().reasons()) + ")";
    }

    private static Path prefix(Path prefix, Path modelDir) throws IOException {
        LocalFiles.copyTree(modelDir, prefix.resolve("processing/input/model"));
        return prefix;
    }

    /** One CSV (header once) from a Spark split directory's part files. */
    static void concatenate(Path splitDir, Path target) throws IOException {
        List<Path> parts;
        try (Stream<Path> files = Files.list(splitDir)) {
            parts = files.filter(p -> p.getFileName().toString().endsWith(".csv")).sorted().toList();
        }
        StringBuilder out = new StringBuilder();
        boolean header = false;
        for (Path part : parts) {
            List<String> lines = Files.readAllLines(part, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                continue;
            }
            for (int i = header ? 1 : 0; i < lines.size(); i++) {
                if (!lines.get(i).isEmpty()) {
                    out.append(lines.get(i)).append('\n');
                }
            }
            header = true;
        }
        if (!header) {
            throw new StageFailedException("the test split " + splitDir + " has no CSV rows to replay");
        }
        Files.createDirectories(target.getParent());
        Files.writeString(target, out, StandardCharsets.UTF_8);
    }
}
