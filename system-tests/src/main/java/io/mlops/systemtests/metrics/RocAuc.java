package io.mlops.systemtests.metrics;

import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * Area under the ROC curve by ranks (the Mann-Whitney U statistic): the probability that a random
 * positive scores higher than a random negative, ties counting one half. Tied scores get their
 * average rank, so the result equals the trapezoidal area under the ROC curve (as scikit-learn's
 * {@code roc_auc_score}). O(n log n).
 */
public final class RocAuc {
    private RocAuc() {
    }

    /**
     * @param scores predicted probability of the positive class per record
     * @param labels 0 or 1 per record
     * @return the AUC, or empty when only one class is present (AUC is undefined then)
     * @throws IllegalArgumentException on different lengths, a label other than 0/1 or a NaN score
     */
    public static OptionalDouble compute(double[] scores, int[] labels) {
        if (scores.length != labels.length) {
            throw new IllegalArgumentException(scores.length + " scores but " + labels.length + " labels");
        }
        int n = scores.length;
        long positives = 0;
        for (int i = 0; i < n; i++) {
            if (labels[i] != 0 && labels[i] != 1) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i] + ", expected 0 or 1");
            }
            if (Double.isNaN(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is NaN");
            }
            positives += labels[i];
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return OptionalDouble.empty();
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double positiveRankSum = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double averageRank = (i + 1 + j + 1) / 2.0;
            for (int k = i; k <= j; k++) {
                if (labels[order[k]] == 1) {
                    positiveRankSum += averageRank;
                }
            }
            i = j + 1;
        }
        double u = positiveRankSum - positives * (positives + 1) / 2.0;
        return OptionalDouble.of(u / ((double) positives * negatives));
    }
}
