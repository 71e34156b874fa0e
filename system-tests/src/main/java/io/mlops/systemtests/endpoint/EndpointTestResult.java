package io.mlops.systemtests.endpoint;

import java.util.List;

/**
 * The EndpointTest Lambda's output (docs/contracts/endpoint-test.md); the state machine branches on
 * {@code verdict}.
 *
 * @param verdict           {@code PASS} or {@code FAIL}
 * @param failures          one sentence per failed check (empty on PASS)
 * @param reportUri         the full report ({@code .../system-test/report.json})
 * @param rows              records scored
 * @param rocAuc            ROC AUC over the scored records; {@code null} when undefined
 * @param p50Millis         median latency of a batch request
 * @param p99Millis         99th percentile latency of a batch request
 * @param malformedRequests the deliberately bad requests and how many got a 4xx
 */
public record EndpointTestResult(
        String verdict,
        List<String> failures,
        String reportUri,
        long rows,
        Double rocAuc,
        double p50Millis,
        double p99Millis,
        MalformedCount malformedRequests) {

    /** @param sent bad requests sent; {@code rejectedWith4xx} of them answered with a 4xx */
    public record MalformedCount(int sent, int rejectedWith4xx) {
    }
}
