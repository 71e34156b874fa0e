package io.mlops.lambdas.core;

import io.mlops.contract.EnvNames;
import java.util.Map;
import java.util.Optional;

/**
 * The only place handlers read environment variables. The names are the contract module's
 * {@link EnvNames}, which the CDK construct that creates the functions uses too.
 */
public final class HandlerEnv {
    /** Region of the SDK clients (set by Lambda). */
    public static final String AWS_REGION = EnvNames.AWS_REGION;
    /** Bucket for ETL output, training output, evaluation reports ({@code runs/<exec>/...}). */
    public static final String ARTIFACT_BUCKET = EnvNames.ARTIFACT_BUCKET;
    /** Bucket users upload datasets to ({@code datasets/*.zip}). */
    public static final String DATA_BUCKET = EnvNames.DATA_BUCKET;
    /** Key prefix of uploaded datasets in {@link #DATA_BUCKET}; default {@code datasets/}. */
    public static final String DATASET_PREFIX = EnvNames.DATASET_PREFIX;
    /** Name of the Glue ETL job. */
    public static final String GLUE_JOB_NAME = EnvNames.GLUE_JOB_NAME;
    /** Execution role SageMaker training and processing jobs assume. */
    public static final String SAGEMAKER_ROLE_ARN = EnvNames.SAGEMAKER_ROLE_ARN;
    /** SageMaker model package group that receives every evaluated model. */
    public static final String MODEL_PACKAGE_GROUP = EnvNames.MODEL_PACKAGE_GROUP;
    /** Prefix of SageMaker job names; default {@code mlops}. */
    public static final String JOB_NAME_PREFIX = EnvNames.JOB_NAME_PREFIX;
    /** Optional KMS key ARN for SageMaker job volumes and outputs. */
    public static final String KMS_KEY_ARN = EnvNames.KMS_KEY_ARN;

    private final Map<String, String> values;

    public HandlerEnv(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static HandlerEnv fromSystem() {
        return new HandlerEnv(System.getenv());
    }

    /** A required variable; fails with the name and the fix when it is missing or blank. */
    public String require(String name) {
        String value = values.get(name);
        if (value == null || value.isBlank()) {
            throw new MissingEnvironmentException("environment variable " + name + " is not set on this function; "
                    + "it is set by the infra construct PipelineHandlers - redeploy the stack (cdk deploy) "
                    + "or set it on the function");
        }
        return value.trim();
    }

    public Optional<String> optional(String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    public String orDefault(String name, String fallback) {
        return optional(name).orElse(fallback);
    }
}
