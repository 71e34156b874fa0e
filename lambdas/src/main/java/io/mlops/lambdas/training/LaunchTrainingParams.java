package io.mlops.lambdas.training;

import io.mlops.contract.Artifacts;
import io.mlops.lambdas.pipeline.ImageUris;
import io.mlops.lambdas.pipeline.JobFailedException;
import io.mlops.lambdas.pipeline.UserParameters;
import java.util.regex.Pattern;

/**
 * UserParameters of the LaunchTraining action.
 *
 * @param executionId required: {@code #{codepipeline.PipelineExecutionId}}; names the job and the S3 prefixes
 * @param commitId optional: {@code #{SourceVariables.CommitId}}; becomes the {@code mlops:commit-id} tag
 * @param imageUri required: {@code #{BuildVariables.IMAGE_URI}}, the model image built for this commit, an ECR
 *        URI pinned by a tag other than {@code latest} or by an {@code @sha256:} digest
 * @param sourceArtifact optional, default {@code SourceOutput}: the input artifact holding the repository
 * @param settingsPath optional, default {@code config/run-settings.json}: the run settings file in it
 */
public record LaunchTrainingParams(String executionId, String commitId, String imageUri, String sourceArtifact,
        String settingsPath) implements UserParameters {

    public static final String DEFAULT_SOURCE_ARTIFACT = Artifacts.SOURCE_OUTPUT;
    public static final String DEFAULT_SETTINGS_PATH = Artifacts.RUN_SETTINGS_PATH;
    static final Pattern EXECUTION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    public LaunchTrainingParams {
        sourceArtifact = blank(sourceArtifact) ? DEFAULT_SOURCE_ARTIFACT : sourceArtifact.trim();
        settingsPath = blank(settingsPath) ? DEFAULT_SETTINGS_PATH : settingsPath.trim();
        commitId = blank(commitId) ? null : commitId.trim();
        executionId = executionId == null ? null : executionId.trim();
        imageUri = imageUri == null ? null : imageUri.trim();
    }

    @Override
    public void validate() {
        String exec = UserParameters.requireText(executionId, "executionId");
        if (!EXECUTION_ID.matcher(exec).matches()) {
            throw JobFailedException.configuration("user parameter 'executionId' must be the pipeline execution id "
                    + "(#{codepipeline.PipelineExecutionId}); it names S3 prefixes, so only letters, digits, '.', '_' "
                    + "and '-' (at most 200) are allowed; received '" + exec + "'");
        }
        ImageUris.requirePinned(imageUri, "imageUri");
        if (commitId != null) {
            UserParameters.requireText(commitId, "commitId");
        }
        UserParameters.requireText(sourceArtifact, "sourceArtifact");
        UserParameters.requireText(settingsPath, "settingsPath");
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
