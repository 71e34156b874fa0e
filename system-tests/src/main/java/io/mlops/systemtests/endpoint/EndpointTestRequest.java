package io.mlops.systemtests.endpoint;

/**
 * The EndpointTest Lambda's input (docs/contracts/endpoint-test.md). Optional fields are
 * {@code null} when absent and take the contract's defaults in {@link #settings()}.
 */
public record EndpointTestRequest(
        String endpointName,
        String testDataUri,
        String reportUri,
        String executionId,
        Double minRocAuc,
        Double maxP99Millis,
        Integer batchSize,
        Integer maxRows) {

    /**
     * Checks the required fields.
     *
     * @throws IllegalArgumentException naming the first missing field and what it should hold
     */
    public void validate() {
        require(endpointName, "endpointName", "the DEV endpoint's name, e.g. mlops-dev");
        require(testDataUri, "testDataUri", "the ETL test split, e.g. s3://artifacts/runs/<exec>/etl/test/");
        require(reportUri, "reportUri", "where the report goes, e.g. s3://artifacts/runs/<exec>/system-test/");
        require(executionId, "executionId", "the pipeline execution id");
    }

    /** The thresholds with the contract's defaults; validates their ranges. */
    public EndpointTestSettings settings() {
        return new EndpointTestSettings(
                minRocAuc == null ? EndpointTestSettings.DEFAULT_MIN_ROC_AUC : minRocAuc,
                maxP99Millis == null ? EndpointTestSettings.DEFAULT_MAX_P99_MILLIS : maxP99Millis,
                batchSize == null ? EndpointTestSettings.DEFAULT_BATCH_SIZE : batchSize,
                maxRows == null ? EndpointTestSettings.DEFAULT_MAX_ROWS : maxRows);
    }

    private static void require(String value, String field, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("EndpointTest input field '" + field + "' is missing or empty; it must be "
                    + what + " (see docs/contracts/endpoint-test.md); the system-test state machine passes it");
        }
    }
}
