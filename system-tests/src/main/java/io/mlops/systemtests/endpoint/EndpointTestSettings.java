package io.mlops.systemtests.endpoint;

import io.mlops.contract.actions.EndpointTest;

/**
 * Thresholds and sizes of one endpoint test (the contract's optional inputs).
 *
 * @param minRocAuc    the verdict fails below this ROC AUC
 * @param maxP99Millis the verdict fails when the p99 latency of a batch request is above this
 * @param batchSize    records per InvokeEndpoint request
 * @param maxRows      records scored at most (the first ones of the split, in file order)
 */
public record EndpointTestSettings(double minRocAuc, double maxP99Millis, int batchSize, int maxRows) {
    public static final double DEFAULT_MIN_ROC_AUC = EndpointTest.DEFAULT_MIN_ROC_AUC;
    public static final double DEFAULT_MAX_P99_MILLIS = EndpointTest.DEFAULT_MAX_P99_MILLIS;
    public static final int DEFAULT_BATCH_SIZE = EndpointTest.DEFAULT_BATCH_SIZE;
    public static final int DEFAULT_MAX_ROWS = EndpointTest.DEFAULT_MAX_ROWS;
    /** SageMaker's request payload limit is 6 MB; 10,000 short tabular rows stay well below. */
    public static final int MAX_BATCH_SIZE = 10_000;

    public EndpointTestSettings {
        if (!(minRocAuc >= 0 && minRocAuc <= 1)) {
            throw new IllegalArgumentException("minRocAuc must be between 0 and 1, e.g. 0.75; received " + minRocAuc);
        }
        if (!(maxP99Millis > 0) || Double.isInfinite(maxP99Millis)) {
            throw new IllegalArgumentException("maxP99Millis must be a positive number of milliseconds, e.g. 1000; received "
                    + maxP99Millis);
        }
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batchSize must be between 1 and " + MAX_BATCH_SIZE
                    + " records per request (SageMaker payloads are limited to 6 MB), e.g. 100; received " + batchSize);
        }
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be at least 1, e.g. 5000; received " + maxRows);
        }
    }

    public static EndpointTestSettings defaults() {
        return new EndpointTestSettings(DEFAULT_MIN_ROC_AUC, DEFAULT_MAX_P99_MILLIS, DEFAULT_BATCH_SIZE, DEFAULT_MAX_ROWS);
    }
}
