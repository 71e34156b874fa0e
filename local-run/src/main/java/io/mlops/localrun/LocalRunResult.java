package io.mlops.localrun;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mlops.lambdas.core.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How a local run ended: {@code <work>/run.json}.
 *
 * @param runId         {@code local-<work folder name>}
 * @param status        {@link #PASSED} or {@link #FAILED}
 * @param failedStage   {@code n/8 name} of the stage that stopped the run, or null
 * @param message       why it stopped (the stage's own message), or null
 * @param startedAt     ISO-8601 UTC
 * @param wallSeconds   from start to the report
 * @param work          the run's folder (everything it made is there)
 * @param report        {@code report.html}
 * @param stages        all eight stages, run or not
 * @param metrics       every number worth keeping: {@code test:auc} ... (evaluate), {@code validation:roc_auc} ...
 *                      (train's METRIC lines), {@code served:auc} (the served model on the whole test split),
 *                      {@code endpoint-test:auc}, {@code endpoint-test:p99_ms}, {@code load:*}
 * @param registryEntry the registered version's file, or null when the run stopped before registering
 * @param registryStatus its status, or null
 * @param serverPid     the PID {@code serve} ran as, or null when it was not started
 * @param serverUrl     its URL on 127.0.0.1, or null
 */
public record LocalRunResult(String runId, String status, String failedStage, String message, String startedAt,
        double wallSeconds, String work, String report, List<StageResult> stages, Map<String, Double> metrics,
        String registryEntry, String registryStatus, Long serverPid, String serverUrl) {
    public static final String PASSED = "PASSED";
    public static final String FAILED = "FAILED";
    public static final String FILE = "run.json";

    public boolean passed() {
        return PASSED.equals(status);
    }

    /** The stage named {@code name}. */
    public StageResult stage(String name) {
        return stages.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no stage '" + name + "' in " + stages));
    }

    public String toJson() {
        try {
            return Json.EVENTS.writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the run result: " + e.getOriginalMessage(), e);
        }
    }

    public static LocalRunResult fromJson(String json) throws IOException {
        return Json.STRICT.readValue(json, LocalRunResult.class);
    }

    public Path writeTo(Path folder) throws IOException {
        Path file = folder.resolve(FILE);
        Files.writeString(file, toJson(), StandardCharsets.UTF_8);
        return file;
    }
}
