package io.mlops.contract;

/** Tag keys on AWS resources and metadata keys on model packages and S3 objects that modules read back. */
public final class Tags {
    /** Tag on every resource of a project (value: the project name or job-name prefix). */
    public static final String PROJECT = "mlops:project";
    /** Tag on SageMaker jobs and model packages: the pipeline execution that made them. */
    public static final String EXECUTION = "mlops:pipeline-execution-id";
    /** Tag on SageMaker jobs and model packages: the source commit. */
    public static final String COMMIT = "mlops:commit-id";

    /** Model package CustomerMetadataProperties keys (the registry's record of an evaluation). */
    public static final class PackageMetadata {
        public static final String EXECUTION = "pipeline-execution-id";
        public static final String COMMIT = "commit-id";
        public static final String DATASET = "dataset-sha256";
        /** {@code passed} or {@code failed}. */
        public static final String GATE = "gate";
        public static final String GATE_METRIC = "gate.metric";
        public static final String GATE_THRESHOLD = "gate.threshold";
        public static final String GATE_MAX_REGRESSION = "gate.max-regression";
        /** Prefix of one key per evaluation metric, e.g. {@code metric.roc_auc}. */
        public static final String METRIC_PREFIX = "metric.";

        private PackageMetadata() {
        }
    }

    /** S3 object metadata keys on the configuration files an execution copies to {@code runs/<exec>/config/}. */
    public static final class ObjectMetadata {
        public static final String EXECUTION = "execution-id";
        public static final String COMMIT = "commit-id";

        private ObjectMetadata() {
        }
    }

    private Tags() {
    }
}
