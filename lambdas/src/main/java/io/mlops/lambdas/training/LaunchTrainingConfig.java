package io.mlops.lambdas.training;

import io.mlops.contract.EnvNames;
import io.mlops.lambdas.core.HandlerEnv;
import java.util.Optional;

/**
 * The environment of LaunchTraining: {@code ARTIFACT_BUCKET} and {@code SAGEMAKER_ROLE_ARN} (required),
 * {@code JOB_NAME_PREFIX} (default {@value LaunchTrainingHandler#DEFAULT_PREFIX}), {@code KMS_KEY_ARN}
 * (optional: volume and output encryption), {@code AWS_REGION} (for the console link in messages).
 */
public record LaunchTrainingConfig(String artifactBucket, String roleArn, String jobNamePrefix,
        Optional<String> kmsKeyArn, Optional<String> region) {

    static LaunchTrainingConfig from(HandlerEnv env) {
        return new LaunchTrainingConfig(env.require(EnvNames.ARTIFACT_BUCKET), env.require(EnvNames.SAGEMAKER_ROLE_ARN),
                env.orDefault(EnvNames.JOB_NAME_PREFIX, LaunchTrainingHandler.DEFAULT_PREFIX),
                env.optional(EnvNames.KMS_KEY_ARN), env.optional(EnvNames.AWS_REGION));
    }
}
