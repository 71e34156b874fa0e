package io.mlops.contract.actions;

/** The Train stage's Launch action (handler {@code LaunchTrainingHandler}). */
public final class LaunchTraining {
    private LaunchTraining() {
    }

    /**
     * @param executionId    required: the pipeline execution id
     * @param commitId       optional: the source commit
     * @param imageUri       required: the model image built for this commit
     * @param sourceArtifact optional, handler default {@code SourceOutput}
     * @param settingsPath   optional, handler default {@code config/run-settings.json}
     */
    public record Input(String executionId, String commitId, String imageUri, String sourceArtifact,
            String settingsPath) implements ActionInput {
    }

    public enum Output implements OutputVariable { TrainingJobName, TrainingOutputUri }
}
