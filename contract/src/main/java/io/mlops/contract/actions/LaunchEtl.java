package io.mlops.contract.actions;

/** The ETL stage's Launch action (handler {@code LaunchEtlHandler}). */
public final class LaunchEtl {
    private LaunchEtl() {
    }

    /**
     * @param executionId     required: the pipeline execution id
     * @param commitId        optional: the source commit
     * @param etlJarUri       required: the ETL jar the Build stage uploaded
     * @param sourceArtifact  optional, handler default {@code SourceOutput}
     * @param settingsPath    optional, handler default {@code config/run-settings.json}
     * @param datasetArtifact optional: an input artifact holding the dataset instead of the newest upload
     */
    public record Input(String executionId, String commitId, String etlJarUri, String sourceArtifact,
            String settingsPath, String datasetArtifact) implements ActionInput {
    }

    public enum Output implements OutputVariable { JobRunId, DatasetUri, EtlOutputUri }
}
