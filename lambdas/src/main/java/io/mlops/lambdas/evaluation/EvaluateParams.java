package io.mlops.lambdas.evaluation;

import io.mlops.contract.Artifacts;
import io.mlops.lambdas.pipeline.ImageUris;
import io.mlops.lambdas.pipeline.JobFailedException;
import io.mlops.lambdas.pipeline.UserParameters;
import java.util.regex.Pattern;

/**
 * UserParameters of the Evaluate action (JSON; unknown keys fail).
 *
 * @param executionId required; {@code #{codepipeline.PipelineExecutionId}}
 * @param commitId optional; {@code #{SourceVariables.CommitId}}, recorded on the model package
 * @param imageUri required; the model image built for this commit, pinned by tag (not {@code latest}) or digest;
 *        {@code #{BuildVariables.IMAGE_URI}}
 * @param modelDataUrl required; S3 URI of {@code model.tar.gz}; {@code #{TrainMonitor.ModelDataUrl}}
 * @param datasetSha256 optional; {@code #{EtlMonitor.DatasetSha256}}, recorded on the model package
 * @param sourceArtifact input artifact holding the repository; default {@code SourceOutput}
 * @param settingsPath path of the run settings inside it; default {@code config/run-settings.json}
 */
public record EvaluateParams(String executionId, String commitId, String imageUri, String modelDataUrl,
        String datasetSha256, String sourceArtifact, String settingsPath) implements UserParameters {

    public static final String DEFAULT_SOURCE_ARTIFACT = Artifacts.SOURCE_OUTPUT;
    public static final String DEFAULT_SETTINGS_PATH = Artifacts.RUN_SETTINGS_PATH;
    static final Pattern S3_OBJECT = Pattern.compile("s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+");
    static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    public EvaluateParams {
        sourceArtifact = blank(sourceArtifact) ? DEFAULT_SOURCE_ARTIFACT : sourceArtifact.trim();
        settingsPath = blank(settingsPath) ? DEFAULT_SETTINGS_PATH : settingsPath.trim();
        executionId = executionId == null ? null : executionId.trim();
        imageUri = imageUri == null ? null : imageUri.trim();
        modelDataUrl = modelDataUrl == null ? null : modelDataUrl.trim();
        commitId = blank(commitId) ? null : commitId.trim();
        datasetSha256 = blank(datasetSha256) ? null : datasetSha256.trim();
    }

    @Override
    public void validate() {
        UserParameters.requireText(executionId, "executionId");
        ImageUris.requirePinned(imageUri, "imageUri");
        String model = UserParameters.requireText(modelDataUrl, "modelDataUrl");
        if (!S3_OBJECT.matcher(model).matches()) {
            throw JobFailedException.configuration("user parameter 'modelDataUrl' is not an S3 object URI: '" + model
                    + "'. Pass the training output, e.g. #{TrainMonitor.ModelDataUrl} "
                    + "(s3://<bucket>/runs/<exec>/training/<job>/output/model.tar.gz).");
        }
        if (commitId != null && commitId.contains("#{")) {
            UserParameters.requireText(commitId, "commitId");
        }
        if (datasetSha256 != null) {
            UserParameters.requireText(datasetSha256, "datasetSha256");
            if (!SHA256.matcher(datasetSha256).matches()) {
                throw JobFailedException.configuration("user parameter 'datasetSha256' is not a SHA-256 hex digest: '"
                        + datasetSha256 + "'. Pass #{EtlMonitor.DatasetSha256} or leave it out.");
            }
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
