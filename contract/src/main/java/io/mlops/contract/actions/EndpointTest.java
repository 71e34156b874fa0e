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
}
