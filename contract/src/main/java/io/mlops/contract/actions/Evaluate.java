package io.mlops.contract.actions;

/** The Evaluate stage's action (handler {@code EvaluateHandler}). */
public final class Evaluate {
    private Evaluate() {
    }

    /**
     * @param executionId    required: the pipeline execution id
     * @param commitId       optional: the source commit
     * @param imageUri       required: the model image built for this commit
     * @param modelDataUrl   required: {@link MonitorTraining.Output#ModelDataUrl}
     * @param datasetSha256  optional: {@link MonitorEtl.Output#DatasetSha256}
     * @param sourceArtifact optional, handler default {@code SourceOutput}
     * @param settingsPath   optional, handler default {@code config/run-settings.json}
     */
    public record Input(String executionId, String commitId, String imageUri, String modelDataUrl,
            String datasetSha256, String sourceArtifact, String settingsPath) implements ActionInput {
    }

    public enum Output implements OutputVariable {
        ModelPackageArn, ModelPackageVersion, GateMetric, GateValue, GateThreshold, ChampionArn, ChampionValue,
        MetricsSummary, ModelImageUri, ModelDataUrl
    }
}
