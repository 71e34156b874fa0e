package io.mlops.localrun;

import io.mlops.systemtests.metrics.RocAuc;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The ROC curve of scored records: one point (false positive rate, true positive rate) per distinct score,
 * from (0, 0) to (1, 1), scores taken as thresholds from the highest down (tied scores move together, as in
 * scikit-learn's {@code roc_curve}). The area is {@link RocAuc}'s rank statistic, which equals the
 * trapezoidal area under these points.
 *
 * @param fpr     false positive rates, ascending
 * @param tpr     true positive rates
 * @param auc     area under the curve
 * @param records how many records
 */
public record RocCurve(double[] fpr, double[] tpr, double auc, int records) {

    /**
     * @throws IllegalArgumentException when there is only one class (the curve is undefined) or the inputs differ
     *                                  in length
     */
    public static RocCurve of(double[] scores, int[] labels) {
        OptionalDouble auc = RocAuc.compute(scores, labels);
        if (auc.isEmpty()) {
            throw new IllegalArgumentException("the ROC curve needs both classes; the " + scores.length
                    + " records have only label " + (labels.length == 0 ? "(none)" : labels[0]));
        }
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        long positives = Arrays.stream(labels).filter(l -> l == 1).count();
        long negatives = labels.length - positives;
        List<double[]> points = new ArrayList<>();
        points.add(new double[] {0, 0});
        long tp = 0;
        long fp = 0;
        int i = 0;
        while (i < order.length) {
            double score = scores[order[i]];
            while (i < order.length && scores[order[i]] == score) {
                if (labels[order[i]] == 1) {
                    tp++;
                } else {
                    fp++;
                }
                i++;
            }
            points.add(new double[] {(double) fp / negatives, (double) tp / positives});
        }
        return new RocCurve(points.stream().mapToDouble(p -> p[0]).toArray(), points.stream().mapToDouble(p -> p[1]).toArray(),
                auc.getAsDouble(), scores.length);
    }

    /**
     * At most {@code 2 * maxPoints} points for a chart: a point is kept when it is at least {@code 1/maxPoints}
     * away (in either rate) from the last kept one; the first and last points are always kept.
     */
    public RocCurve thinned(int maxPoints) {
        if (fpr.length <= maxPoints) {
            return this;
        }
        double step = 1.0 / maxPoints;
        List<Integer> kept = new ArrayList<>();
        kept.add(0);
        for (int k = 1; k < fpr.length - 1; k++) {
            int last = kept.get(kept.size() - 1);
            if (fpr[k] - fpr[last] >= step || tpr[k] - tpr[last] >= step) {
                kept.add(k);
            }
        }
        kept.add(fpr.length - 1);
        return new RocCurve(kept.stream().mapToDouble(k -> fpr[k]).toArray(), kept.stream().mapToDouble(k -> tpr[k]).toArray(),
                auc, records);
    }
}
