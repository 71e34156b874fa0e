package io.mlops.contract;

/**
 * The Lambda functions of the pipeline: the handler class each one runs (the Lambda handler string is the
 * fully-qualified name of a {@code RequestStreamHandler}). The lambdas and system-tests modules test that
 * each class exists there; infra creates one function per constant.
 */
public enum Handler {
    LAUNCH_ETL("io.mlops.lambdas.etl.LaunchEtlHandler"),
    MONITOR_ETL("io.mlops.lambdas.etl.MonitorEtlHandler"),
    LAUNCH_TRAINING("io.mlops.lambdas.training.LaunchTrainingHandler"),
    MONITOR_TRAINING("io.mlops.lambdas.training.MonitorTrainingHandler"),
    EVALUATE("io.mlops.lambdas.evaluation.EvaluateHandler"),
    APPROVE_MODEL("io.mlops.lambdas.approval.ApproveModelHandler"),
    /** After DeployDev and DeployPrd: the endpoint serves what this execution deployed (issue 13). */
    VERIFY_ENDPOINT("io.mlops.lambdas.verify.VerifyEndpointHandler"),
    MODEL_GROUP("io.mlops.lambdas.modelgroup.ModelGroupHandler"),
    /** Started hourly by EventBridge Scheduler: the drift monitor's Processing job on the last full hour of PRD capture. */
    LAUNCH_MONITOR("io.mlops.lambdas.monitoring.LaunchMonitorHandler"),
    /** Started by the drift alarm (EventBridge rule, only with mlops:monitor:retrainOnDrift): a rate-limited retrain. */
    RETRAIN_ON_DRIFT("io.mlops.lambdas.monitoring.RetrainOnDriftHandler"),
    /** The DEV endpoint test, run by the SystemTest state machine (system-tests module). */
    ENDPOINT_TEST("io.mlops.systemtests.endpoint.EndpointTestHandler");

    private final String className;

    Handler(String className) {
        this.className = className;
    }

    /** Fully-qualified class name, the Lambda function's handler string. */
    public String className() {
        return className;
    }
}
