package io.mlops.systemtests.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void reportsPercentilesInMilliseconds() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (int ms = 1; ms <= 100; ms++) {
            histogram.recordNanos(ms * 1_000_000L);
        }
        LatencySummary summary = histogram.summary();
        assertThat(summary.count()).isEqualTo(100);
        assertThat(summary.p50()).isCloseTo(50, within(0.1));
        assertThat(summary.p99()).isCloseTo(99, within(0.1));
        assertThat(summary.max()).isCloseTo(100, within(0.1));
        assertThat(summary.mean()).isCloseTo(50.5, within(0.1));
    }

    @Test
    void distributionRisesFromTheMedianToTheMaximum() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (int ms = 1; ms <= 1000; ms++) {
            histogram.recordNanos(ms * 1_000_000L);
        }
        List<PercentilePoint> points = histogram.distribution();
        assertThat(points.get(0).percentile()).isEqualTo(0.0);
        assertThat(points).extracting(PercentilePoint::percentile).contains(90.0, 99.0, 99.9, 100.0);
        assertThat(points.get(points.size() - 1).millis()).isCloseTo(1000, within(1.0));
        for (int i = 1; i < points.size(); i++) {
            assertThat(points.get(i).millis()).isGreaterThanOrEqualTo(points.get(i - 1).millis());
        }
    }

    @Test
    void isZeroWhenEmpty() {
        assertThat(new LatencyHistogram().summary()).isEqualTo(new LatencySummary(0, 0, 0, 0, 0, 0, 0));
        assertThat(new LatencyHistogram().distribution()).isEmpty();
    }
}
