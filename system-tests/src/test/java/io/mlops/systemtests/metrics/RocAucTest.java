package io.mlops.systemtests.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RocAucTest {

    @Test
    void matchesScikitLearnsDocumentedExample() {
        // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
        assertThat(RocAuc.compute(new double[] {0.1, 0.4, 0.35, 0.8}, new int[] {0, 0, 1, 1}).orElseThrow())
                .isEqualTo(0.75);
    }

    @Test
    void isOneForAPerfectRankingAndZeroForAReversedOne() {
        int[] labels = {0, 0, 0, 1, 1};
        assertThat(RocAuc.compute(new double[] {0.1, 0.2, 0.3, 0.8, 0.9}, labels).orElseThrow()).isEqualTo(1.0);
        assertThat(RocAuc.compute(new double[] {0.9, 0.8, 0.7, 0.2, 0.1}, labels).orElseThrow()).isEqualTo(0.0);
    }

    @Test
    void countsTiedScoresAsOneHalf() {
        // positives {0.5, 0.9} vs negatives {0.5, 0.2}: 0.5 (tie) + 1 + 1 + 1 = 3.5 of 4 pairs
        assertThat(RocAuc.compute(new double[] {0.5, 0.5, 0.2, 0.9}, new int[] {0, 1, 0, 1}).orElseThrow())
                .isEqualTo(0.875);
        // everything tied: no information
        assertThat(RocAuc.compute(new double[] {0.3, 0.3, 0.3, 0.3}, new int[] {0, 1, 0, 1}).orElseThrow())
                .isEqualTo(0.5);
    }

    @Test
    void agreesWithCountingAllPairsOnRandomDataWithManyTies() {
        Random random = new Random(7);
        for (int round = 0; round < 20; round++) {
            int n = 50 + random.nextInt(200);
            double[] scores = new double[n];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = random.nextInt(3) == 0 ? 1 : 0;
                scores[i] = random.nextInt(10) / 10.0 + labels[i] * 0.1;
            }
            labels[0] = 1;
            labels[1] = 0;
            assertThat(RocAuc.compute(scores, labels).orElseThrow()).isCloseTo(pairwise(scores, labels), within(1e-12));
        }
    }

    @Test
    void isUndefinedWithOnlyOneClass() {
        assertThat(RocAuc.compute(new double[] {0.2, 0.9}, new int[] {1, 1})).isEmpty();
        assertThat(RocAuc.compute(new double[] {0.2, 0.9}, new int[] {0, 0})).isEmpty();
    }

    @Test
    void failsOnMismatchedLengthsBadLabelsAndNaN() {
        assertThatThrownBy(() -> RocAuc.compute(new double[] {0.1}, new int[] {0, 1}))
                .hasMessageContaining("1 scores but 2 labels");
        assertThatThrownBy(() -> RocAuc.compute(new double[] {0.1, 0.2}, new int[] {0, 2}))
                .hasMessageContaining("label 1 is 2");
        assertThatThrownBy(() -> RocAuc.compute(new double[] {Double.NaN, 0.2}, new int[] {0, 1}))
                .hasMessageContaining("score 0 is NaN");
    }

    private static double pairwise(double[] scores, int[] labels) {
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < scores.length; i++) {
            for (int j = 0; j < scores.length; j++) {
                if (labels[i] == 1 && labels[j] == 0) {
                    pairs++;
                    wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
            }
        }
        return wins / pairs;
    }
}
