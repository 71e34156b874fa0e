package io.mlops.infra;

/**
 * The names this app shares with the {@code lambdas/} and {@code system-tests/} modules. They are
 * copies of {@code io.mlops.lambdas.core.HandlerEnv}'s constants and of the handler class names;
 * {@code HandlerContractTest} reads those modules' sources and fails when a copy drifts.
 */
public final class HandlerContract {
    // Environment variable names (io.mlops.lambdas.core.HandlerEnv).
    public static final String ARTIFACT_BUCKET = "ARTIFACT_BUCKET";
    public static final String DATA_BUCKET = "DATA_BUCKET";
    public static final String DATASET_PREFIX = "DATASET_PREFIX";
    public static final String GLUE_JOB_NAME = "GLUE_JOB_NAME";
    public static final String SAGEMAKER_ROLE_ARN = "SAGEMAKER_ROLE_ARN";
    public static final String MODEL_PACKAGE_GROUP = "MODEL_PACKAGE_GROUP";
    public static final String JOB_NAME_PREFIX = "JOB_NAME_PREFIX";
    public static final String KMS_KEY_ARN = "KMS_KEY_ARN";

    // Handler classes (Lambda handler string = fully-qualified class name of a RequestStreamHandler).
    public static final String LAUNCH_ETL = "io.mlops.lambdas.etl.LaunchEtlHandler";
    public static final String MONITOR_ETL = "io.mlops.lambdas.etl.MonitorEtlHandler";
    public static final String LAUNCH_TRAINING = "io.mlops.lambdas.training.LaunchTrainingHandler";
    public static final String MONITOR_TRAINING = "io.mlops.lambdas.training.MonitorTrainingHandler";
    public static final String EVALUATE = "io.mlops.lambdas.evaluation.EvaluateHandler";
    public static final String APPROVE_MODEL = "io.mlops.lambdas.approval.ApproveModelHandler";
    public static final String MODEL_GROUP = "io.mlops.lambdas.modelgroup.ModelGroupHandler";
    public static final String ENDPOINT_TEST = "io.mlops.systemtests.endpoint.EndpointTestHandler";

    // S3 layout (DESIGN.md "S3 layout").
    public static final String DATASET_KEY_PREFIX = "datasets/";
    public static final String RUNS_PREFIX = "runs/";
    public static final String BUILDS_PREFIX = "builds/";

    private HandlerContract() {
    }
}
