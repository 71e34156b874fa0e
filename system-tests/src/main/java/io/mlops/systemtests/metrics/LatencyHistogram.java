package io.mlops.systemtests.metrics;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Latencies in an HdrHistogram (microsecond resolution, auto-resizing). Thread-safe: recording and
 * queries are synchronized, so a progress line can read percentiles while load threads record.
 */
public final class LatencyHistogram {
    private final Histogram histogram;

    public LatencyHistogram() {
        this(3);
    }

    /** @param significantDigits 1-5; 2 keeps per-second histograms small */
    public LatencyHistogram(int significantDigits) {
        this.histogram = new Histogram(significantDigits);
    }

    public synchronized void recordNanos(long nanos) {
        histogram.recordValue(Math.max(1, nanos / 1_000));
    }

    public synchronized long count() {
        return histogram.getTotalCount();
    }

    /** The latency at {@code percentile} (0-100) in milliseconds; 0 when empty. */
    public synchronized double percentileMillis(double percentile) {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    public synchronized double maxMillis() {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getMaxValue() / 1000.0;
    }

    public synchronized double meanMillis() {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getMean() / 1000.0;
    }

    public synchronized LatencySummary summary() {
        return new LatencySummary(count(), round(percentileMillis(50)), round(percentileMillis(90)),
                round(percentileMillis(99)), round(percentileMillis(99.9)), round(maxMillis()), round(meanMillis()));
    }

    /**
     * The percentile distribution on a log scale of {@code 1/(1-p)}: 0%, 43.8%, 68.4%, 82.2%, 90%, ...
     * (four points per decade) up to 99.99%, then 100% (the maximum). Empty when nothing was recorded.
     */
    public synchronized List<PercentilePoint> distribution() {
        List<PercentilePoint> points = new ArrayList<>();
        if (histogram.getTotalCount() == 0) {
            return points;
        }
        for (int k = 0; k <= 16; k++) {
            double percentile = 100.0 * (1 - Math.pow(10, -k / 4.0));
            double rounded = Math.round(percentile * 10_000) / 10_000.0;
            points.add(new PercentilePoint(rounded, round(percentileMillis(percentile))));
        }
        points.add(new PercentilePoint(100.0, round(maxMillis())));
        return points;
    }

    /** Rounds to microseconds expressed in milliseconds (3 decimals). */
    public static double round(double millis) {
        return Math.round(millis * 1000.0) / 1000.0;
    }
}
