package io.mlops.contract.actions;

/**
 * The SystemTest stage: the state machine's input, handed to the endpoint test function
 * ({@code EndpointTestHandler}, system-tests module) as its request.
 *
 * @param endpointName required: the DEV endpoint
 * @param testDataUri  required: the ETL test split, {@code s3://<bucket>/runs/<exec>/etl/test/}
 * @param reportUri    required: where the report goes, {@code s3://<bucket>/runs/<exec>/system-test/}
 * @param executionId  optional: the pipeline execution id
 * @param minRocAuc    optional: the DEV test's minimum ROC AUC
 * @param maxP99Millis optional: the latency budget
 * @param batchSize    optional: rows per request
 * @param maxRows      optional: rows of the test split sent
 */
public record EndpointTest(String endpointName, String testDataUri, String reportUri, String executionId,
        Double minRocAuc, Integer maxP99Millis, Integer batchSize, Integer maxRows) implements ActionInput {

    /** Defaults of the DEV endpoint test's thresholds: the infra's context defaults and the test's own. */
    public static final double DEFAULT_MIN_ROC_AUC = 0.75;
    public static final int DEFAULT_MAX_P99_MILLIS = 1000;
    public static final int DEFAULT_BATCH_SIZE = 100;
    public static final int DEFAULT_MAX_ROWS = 5000;
}
