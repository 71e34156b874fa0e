package io.mlops.systemtests.metrics;

/**
 * Latency percentiles in milliseconds.
 *
 * @param count number of recorded values
 */
public record LatencySummary(long count, double p50, double p90, double p99, double p999, double max, double mean) {
}
