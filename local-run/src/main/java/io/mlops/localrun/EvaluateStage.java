package io.mlops.localrun;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlops.lambdas.core.Json;
import io.mlops.lambdas.evaluation.EvaluationReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 3: the container's real {@code evaluate} (the Processing job's entry point) on the test split. The
 * model directory is packed into {@code processing/input/model/model.tar.gz} exactly as SageMaker packs a
 * training job's {@code /opt/ml/model/}, so {@code evaluate}'s real unpacking path runs; the test split goes to
 * {@code processing/input/test/}.
 */
final class EvaluateStage {
    private EvaluateStage() {
    }

    /**
     * What comes out of the stage.
     *
     * @param modelTarGz      the packed model (the registry's model data)
     * @param evaluationFile  {@code evaluation.json}
     * @param reportFile      evaluate's own {@code report.html}
     * @param report          the file as the Evaluate handler reads it
     * @param threshold       the F1-maximising threshold on the test split
     * @param rows            test records evaluated
     * @param confusionMatrix {@code [actual][predicted]} counts, {@code [[tn, fp], [fn, tp]]}
     */
    record Outcome(Path modelTarGz, Path evaluationFile, Path reportFile, EvaluationReport report, Double threshold,
            Long rows, long[][] confusionMatrix, Path log) {
        Map<String, Double> metrics() {
            return report.knownMetrics();
        }
    }

    static Outcome run(ModelContainer container, TrainStage.Outcome trained, EtlStage.Outcome etl, Path log,
            Duration timeout) throws IOException {
        Path prefix = trained.prefix();
        Path modelInput = Files.createDirectories(prefix.resolve("processing/input/model"));
        Path tarGz = modelInput.resolve("model.tar.gz");
        ModelArchive.pack(trained.modelDir(), tarGz, log.resolveSibling("tar.log"));
        LocalFiles.linkFiles(etl.split("test"), prefix.resolve("processing/input/test"));
        try {
            container.evaluate(prefix, log, timeout);
        } catch (IllegalStateException e) {
            throw new StageFailedException(e.getMessage(), e);
        }
        Path out = prefix.resolve("processing/evaluation");
        Path evaluation = out.resolve("evaluation.json");
        if (!Files.isRegularFile(evaluation)) {
            throw new StageFailedException("evaluate exited 0 but wrote no " + evaluation
                    + " (docs/contracts/model-container.md); log: " + log);
        }
        byte[] bytes = Files.readAllBytes(evaluation);
        EvaluationReport report = EvaluationReport.parse(bytes, evaluation.toString());
        JsonNode metrics = Json.EVENTS.readTree(bytes).path(EvaluationReport.ROOT);
        JsonNode threshold = metrics.at("/threshold/value");
        JsonNode rows = metrics.at("/rows/value");
        return new Outcome(tarGz, evaluation, out.resolve("report.html"), report,
                threshold.isNumber() ? threshold.asDouble() : null, rows.isNumber() ? rows.asLong() : null,
                confusionMatrix(metrics.path("confusion_matrix")), log);
    }

    /** {@code confusion_matrix[actual][predicted]} as {@code [[tn, fp], [fn, tp]]}, or null when absent. */
    static long[][] confusionMatrix(JsonNode node) {
        if (!node.isObject()) {
            return null;
        }
        long[][] matrix = new long[2][2];
        for (int actual = 0; actual < 2; actual++) {
            for (int predicted = 0; predicted < 2; predicted++) {
                JsonNode cell = node.path(String.valueOf(actual)).path(String.valueOf(predicted));
                if (!cell.canConvertToLong()) {
                    return null;
                }
                matrix[actual][predicted] = cell.asLong();
            }
        }
        return matrix;
    }

    /** Evaluate's charts as embedded images ({@code <img src="data:image/png;base64,...">}), for the run's report. */
    static List<String> embeddedCharts(Path reportHtml) throws IOException {
        List<String> images = new ArrayList<>();
        if (!Files.isRegularFile(reportHtml)) {
            return images;
        }
        String html = Files.readString(reportHtml);
        var m = java.util.regex.Pattern.compile("<img src=\"data:image/png;base64,[A-Za-z0-9+/=]+\"(?: alt=\"[^\"<>]*\")?>")
                .matcher(html);
        while (m.find()) {
            images.add(m.group());
        }
        return images;
    }

    /** Metric name to value, for the registry entry. */
    static Map<String, Double> metricsOf(Outcome outcome) {
        Map<String, Double> all = new LinkedHashMap<>(outcome.metrics());
        if (outcome.threshold() != null) {
            all.put("threshold", outcome.threshold());
        }
        return all;
    }
}
