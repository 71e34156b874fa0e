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

    /** The endpoint the drift monitor watches (the PRD endpoint). */
    public static final String MONITOR_ENDPOINT_NAME = "MONITOR_ENDPOINT_NAME";
    /** Key prefix of the endpoint's data capture in {@link #ARTIFACT_BUCKET}, e.g. {@code datacapture/prd/}. */
    public static final String MONITOR_CAPTURE_PREFIX = "MONITOR_CAPTURE_PREFIX";
    /** Key prefix of the monitor's reports in {@link #ARTIFACT_BUCKET}, e.g. {@code monitoring/}. */
    public static final String MONITOR_OUTPUT_PREFIX = "MONITOR_OUTPUT_PREFIX";
    /** Execution role of the monitor's Processing job. */
    public static final String MONITOR_ROLE_ARN = "MONITOR_ROLE_ARN";
    /** Instance type of the monitor's Processing job, e.g. {@code ml.t3.medium}. */
    public static final String MONITOR_INSTANCE_TYPE = "MONITOR_INSTANCE_TYPE";
    /** Maximum runtime of the monitor's Processing job, in seconds. */
    public static final String MONITOR_MAX_RUNTIME_SECONDS = "MONITOR_MAX_RUNTIME_SECONDS";
    /** CloudWatch namespace of the drift metrics ({@link Monitoring#DEFAULT_NAMESPACE}). */
    public static final String MONITOR_NAMESPACE = "MONITOR_NAMESPACE";
    /** JSON object of the thresholds the monitor job gets as its environment ({@link Monitoring} names). */
    public static final String MONITOR_JOB_ENVIRONMENT = "MONITOR_JOB_ENVIRONMENT";
    /** The pipeline a drift alarm may start. */
    public static final String PIPELINE_NAME = "PIPELINE_NAME";
    /** Hours in which at most one retrain is started by drift alarms. */
    public static final String RETRAIN_MIN_INTERVAL_HOURS = "RETRAIN_MIN_INTERVAL_HOURS";

    private EnvNames() {
    }
}
