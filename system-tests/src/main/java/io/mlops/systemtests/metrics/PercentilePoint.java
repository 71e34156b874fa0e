package io.mlops.systemtests.metrics;

/** @param percentile 0-100; {@code millis} the latency at it */
public record PercentilePoint(double percentile, double millis) {
}
