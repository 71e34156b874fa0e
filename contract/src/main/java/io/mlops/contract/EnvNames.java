package io.mlops.contract;

/**
 * Names of the environment variables the infra sets on the pipeline functions and the handlers read
 * (through {@code io.mlops.lambdas.core.HandlerEnv}).
 */
public final class EnvNames {
    /** Region of the SDK clients (set by Lambda itself). */
    public static final String AWS_REGION = "AWS_REGION";
    /** Bucket for ETL output, training output, evaluation reports ({@code runs/<exec>/...}, see {@link RunPaths}). */
    public static final String ARTIFACT_BUCKET = "ARTIFACT_BUCKET";
    /** Bucket users upload datasets to ({@code datasets/*.zip}). */
    public static final String DATA_BUCKET = "DATA_BUCKET";
    /** Key prefix of uploaded datasets in {@link #DATA_BUCKET}; default {@link RunPaths#DATASETS_PREFIX}. */
    public static final String DATASET_PREFIX = "DATASET_PREFIX";
    /** Name of the Glue ETL job. */
    public static final String GLUE_JOB_NAME = "GLUE_JOB_NAME";
    /** Execution role SageMaker training and processing jobs assume. */
    public static final String SAGEMAKER_ROLE_ARN = "SAGEMAKER_ROLE_ARN";
    /** SageMaker model package group that receives every evaluated model. */
    public static final String MODEL_PACKAGE_GROUP = "MODEL_PACKAGE_GROUP";
    /** Prefix of SageMaker job names; default {@code mlops}. */
    public static final String JOB_NAME_PREFIX = "JOB_NAME_PREFIX";
    /**
     * Comma-separated instance types the endpoints are configured with (DEV and PRD, from the CDK context):
     * the model package declares them as its SupportedRealtimeInferenceInstanceTypes.
     */
    public static final String INFERENCE_INSTANCE_TYPES = "INFERENCE_INSTANCE_TYPES";
    /** Optional KMS key ARN for SageMaker job volumes and outputs. */
    public static final String KMS_KEY_ARN = "KMS_KEY_ARN";

    private EnvNames() {
    }
}
