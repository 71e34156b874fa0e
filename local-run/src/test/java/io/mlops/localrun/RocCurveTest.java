package io.mlops.localrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RocCurveTest {
    @Test
    void perfectSeparationGoesThroughTheTopLeftCorner() {
        RocCurve curve = RocCurve.of(new double[] {0.9, 0.8, 0.2, 0.1}, new int[] {1, 1, 0, 0});

        assertThat(curve.auc()).isEqualTo(1.0);
        assertThat(curve.fpr()).containsExactly(0, 0, 0, 0.5, 1);
        assertThat(curve.tpr()).containsExactly(0, 0.5, 1, 1, 1);
    }

    @Test
    void tiedScoresMoveTogetherAndTheAreaMatchesTheTrapezoids() {
        double[] scores = {0.5, 0.5, 0.5, 0.5, 0.7, 0.3};
        int[] labels = {1, 0, 1, 0, 1, 0};
        RocCurve curve = RocCurve.of(scores, labels);

        assertThat(curve.fpr()).containsExactly(0, 0, 2.0 / 3, 1);
        assertThat(curve.tpr()).containsExactly(0, 1.0 / 3, 1, 1);
        assertThat(curve.auc()).isCloseTo(trapezoids(curve), within(1e-12));
    }

    @Test
    void onRandomScoresTheRankAreaEqualsTheAreaUnderThePoints() {
        Random random = new Random(7);
        double[] scores = new double[2000];
        int[] labels = new int[2000];
        for (int i = 0; i < scores.length; i++) {
            labels[i] = random.nextDouble() < 0.11 ? 1 : 0;
            scores[i] = Math.round((random.nextGaussian() + labels[i]) * 100) / 100.0; // ties on purpose
        }
        RocCurve curve = RocCurve.of(scores, labels);

        assertThat(curve.auc()).isBetween(0.6, 0.9).isCloseTo(trapezoids(curve), within(1e-9));
        assertThat(curve.records()).isEqualTo(2000);
    }

    @Test
    void thinningKeepsBothEndsAndBoundsThePoints() {
        Random random = new Random(3);
        double[] scores = new double[5000];
        int[] labels = new int[5000];
        for (int i = 0; i < scores.length; i++) {
            labels[i] = i % 9 == 0 ? 1 : 0;
            scores[i] = random.nextDouble() + labels[i] * 0.3;
        }
        RocCurve curve = RocCurve.of(scores, labels);
        RocCurve thin = curve.thinned(100);

        assertThat(curve.fpr()).hasSizeGreaterThan(1000);
        assertThat(thin.fpr()).hasSizeLessThanOrEqualTo(200 + 2);
        assertThat(thin.fpr()[0]).isZero();
        assertThat(thin.tpr()[0]).isZero();
        assertThat(thin.fpr()[thin.fpr().length - 1]).isEqualTo(1.0);
        assertThat(thin.tpr()[thin.tpr().length - 1]).isEqualTo(1.0);
        assertThat(thin.auc()).isEqualTo(curve.auc());
        assertThat(trapezoids(thin)).isCloseTo(curve.auc(), within(0.01));
    }

    @Test
    void failsWithASingleClass() {
        assertThatThrownBy(() -> RocCurve.of(new double[] {0.1, 0.2}, new int[] {0, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both classes");
    }

    private static double trapezoids(RocCurve curve) {
        double area = 0;
        for (int i = 1; i < curve.fpr().length; i++) {
            area += (curve.fpr()[i] - curve.fpr()[i - 1]) * (curve.tpr()[i] + curve.tpr()[i - 1]) / 2;
        }
        return area;
    }
}
