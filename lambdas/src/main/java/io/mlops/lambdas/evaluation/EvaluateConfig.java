package io.mlops.lambdas.evaluation;

import io.mlops.contract.EnvNames;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.pipeline.JobFailedException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The environment of Evaluate: {@code ARTIFACT_BUCKET}, {@code SAGEMAKER_ROLE_ARN} (an IAM role ARN) and
 * {@code MODEL_PACKAGE_GROUP} (a group name) required; {@code JOB_NAME_PREFIX} (default
 * {@value EvaluateHandler#DEFAULT_PREFIX}); {@code KMS_KEY_ARN} optional; {@code INFERENCE_INSTANCE_TYPES} (the
 * endpoints' instance types, comma-separated) required. Checked when a job starts: a
 * missing or malformed value fails that job with a ConfigurationError.
 */
public record EvaluateConfig(String artifactBucket, String roleArn, String modelPackageGroup, String prefix,
        Optional<String> kmsKeyId, List<String> inferenceInstanceTypes) {
    private static final Pattern GROUP_NAME = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");
    /** A SageMaker instance type, e.g. {@code ml.m5.large}. */
    private static final Pattern INSTANCE_TYPE = Pattern.compile("ml\\.[a-z0-9]+\\.[a-z0-9]+");

    static EvaluateConfig from(HandlerEnv env) {
        EvaluateConfig config = new EvaluateConfig(env.require(EnvNames.ARTIFACT_BUCKET),
                env.require(EnvNames.SAGEMAKER_ROLE_ARN), env.require(EnvNames.MODEL_PACKAGE_GROUP),
                env.orDefault(EnvNames.JOB_NAME_PREFIX, EvaluateHandler.DEFAULT_PREFIX), env.optional(EnvNames.KMS_KEY_ARN),
                instanceTypes(env.require(EnvNames.INFERENCE_INSTANCE_TYPES)));
        if (!config.roleArn().startsWith("arn:") || !config.roleArn().contains(":role/")) {
            throw JobFailedException.configuration("environment variable " + EnvNames.SAGEMAKER_ROLE_ARN
                    + " is not an IAM role ARN: '" + config.roleArn() + "'. Redeploy the stack (cdk deploy).");
        }
        if (!GROUP_NAME.matcher(config.modelPackageGroup()).matches()) {
            throw JobFailedException.configuration("environment variable " + EnvNames.MODEL_PACKAGE_GROUP
                    + " is not a model package group name: '" + config.modelPackageGroup() + "'. Redeploy the stack.");
        }
        return config;
    }

    private static List<String> instanceTypes(String value) {
        List<String> types = Arrays.stream(value.split(",")).map(String::trim).filter(t -> !t.isEmpty()).distinct().toList();
        if (types.isEmpty() || !types.stream().allMatch(t -> INSTANCE_TYPE.matcher(t).matches())) {
            throw JobFailedException.configuration("environment variable " + EnvNames.INFERENCE_INSTANCE_TYPES
                    + " must list the endpoints' instance types, comma-separated (e.g. ml.t2.medium,ml.m5.large); received '"
                    + value + "'. It is set from mlops:dev:instanceType and mlops:prd:instanceType: redeploy the stack (cdk deploy).");
        }
        return types;
    }
}
