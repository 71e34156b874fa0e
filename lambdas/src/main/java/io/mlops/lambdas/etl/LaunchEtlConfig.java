package io.mlops.lambdas.etl;

import io.mlops.contract.EnvNames;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.core.MissingEnvironmentException;
import java.util.Optional;

/**
 * The environment of LaunchEtl: {@code GLUE_JOB_NAME} and {@code ARTIFACT_BUCKET} (required, checked
 * when a job starts), {@code DATA_BUCKET} (required only when the dataset is not an input artifact, so
 * checked then), {@code DATASET_PREFIX} (default {@value LaunchEtlHandler#DEFAULT_DATASET_PREFIX}, as
 * a folder).
 */
public record LaunchEtlConfig(String glueJobName, String artifactBucket, Optional<String> dataBucket,
        String datasetPrefix) {

    static LaunchEtlConfig from(HandlerEnv env) {
        return new LaunchEtlConfig(env.require(EnvNames.GLUE_JOB_NAME), env.require(EnvNames.ARTIFACT_BUCKET),
                env.optional(EnvNames.DATA_BUCKET), datasetPrefix(env));
    }

    /** {@code DATA_BUCKET}, or the same failure as a missing required variable. */
    String requireDataBucket() {
        return dataBucket.orElseThrow(() -> MissingEnvironmentException.notSet(EnvNames.DATA_BUCKET));
    }

    static String datasetPrefix(HandlerEnv env) {
        String prefix = env.orDefault(EnvNames.DATASET_PREFIX, LaunchEtlHandler.DEFAULT_DATASET_PREFIX);
        while (prefix.startsWith("/")) {
            prefix = prefix.substring(1);
        }
        return prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    }
}
