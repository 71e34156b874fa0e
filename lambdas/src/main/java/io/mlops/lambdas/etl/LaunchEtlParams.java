package io.mlops.lambdas.etl;

import io.mlops.contract.Artifacts;
import io.mlops.lambdas.pipeline.JobFailedException;
import io.mlops.lambdas.pipeline.UserParameters;
import java.util.regex.Pattern;

/**
 * UserParameters of the LaunchEtl action.
 *
 * @param executionId required: {@code #{codepipeline.PipelineExecutionId}}; names the run's output prefix
 * @param commitId optional: {@code #{SourceVariables.CommitId}}; recorded on the config snapshot
 * @param etlJarUri required: {@code #{BuildVariables.ETL_JAR_URI}}, the ETL jar built for this commit
 *        ({@code s3://bucket/key.jar})
 * @param sourceArtifact optional, default {@code SourceOutput}: the input artifact holding the repository
 * @param settingsPath optional, default {@code config/run-settings.json}: the run settings file in it
 * @param datasetArtifact optional: name of an S3-source input artifact holding the dataset; when the
 *        action has no such input, the newest dataset under {@code DATA_BUCKET/DATASET_PREFIX} is used
 */
public record LaunchEtlParams(String executionId, String commitId, String etlJarUri, String sourceArtifact,
        String settingsPath, String datasetArtifact) implements UserParameters {

    public static final String DEFAULT_SOURCE_ARTIFACT = Artifacts.SOURCE_OUTPUT;
    public static final String DEFAULT_SETTINGS_PATH = Artifacts.RUN_SETTINGS_PATH;
    /** Pipeline execution ids are UUIDs; anything else must at least be safe in an S3 key. */
    static final Pattern EXECUTION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    static final Pattern JAR_URI = Pattern.compile("s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^,\\s]*[^/,\\s]\\.jar");

    public LaunchEtlParams {
        sourceArtifact = blank(sourceArtifact) ? DEFAULT_SOURCE_ARTIFACT : sourceArtifact.trim();
        settingsPath = blank(settingsPath) ? DEFAULT_SETTINGS_PATH : settingsPath.trim();
        commitId = blank(commitId) ? null : commitId.trim();
        datasetArtifact = blank(datasetArtifact) ? null : datasetArtifact.trim();
        executionId = executionId == null ? null : executionId.trim();
        etlJarUri = etlJarUri == null ? null : etlJarUri.trim();
    }

    @Override
    public void validate() {
        requireExecutionId(executionId);
        String jar = UserParameters.requireText(etlJarUri, "etlJarUri");
        if (!JAR_URI.matcher(jar).matches()) {
            throw JobFailedException.configuration("user parameter 'etlJarUri' must be the S3 URI of the ETL jar "
                    + "built for this commit, like s3://my-artifacts/etl/<commit>/etl.jar; received '" + jar
                    + "'. It comes from the Build action's exported variable ETL_JAR_URI (#{BuildVariables.ETL_JAR_URI}).");
        }
        rejectUnresolved(commitId, "commitId");
        rejectUnresolved(datasetArtifact, "datasetArtifact");
        rejectUnresolved(sourceArtifact, "sourceArtifact");
        rejectUnresolved(settingsPath, "settingsPath");
    }

    static void requireExecutionId(String executionId) {
        String exec = UserParameters.requireText(executionId, "executionId");
        if (!EXECUTION_ID.matcher(exec).matches()) {
            throw JobFailedException.configuration("user parameter 'executionId' must be the pipeline execution id "
                    + "(#{codepipeline.PipelineExecutionId}); it names S3 prefixes, so only letters, digits, '.', '_' "
                    + "and '-' (at most 200) are allowed; received '" + exec + "'");
        }
    }

    static void rejectUnresolved(String value, String key) {
        if (value != null) {
            UserParameters.requireText(value, key);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
