package io.mlops.etl;

import java.util.ArrayList;
import java.util.List;

/**
 * Exact stratified split sizes: how many rows of each class go to each split.
 *
 * <p>The targets {@code fraction[s] * classRows[c]} are rounded so that every cell, every class total
 * (exactly {@code classRows[c]}) and every split total ({@code fraction[s] * N}) is the target rounded
 * down or up ("controlled rounding"; such a rounding always exists). Among those, the one closest to
 * the targets (sum of squared errors) is taken, ties broken by enumeration order, so the plan is
 * deterministic. Each split is therefore within 1 row of its target size, and within 1 row per class
 * of the input's class balance.
 */
final class SplitPlan {
    /** {@code rows[c][s]}: rows of class c in split s. */
    final long[][] rows;

    private SplitPlan(long[][] rows) {
        this.rows = rows;
    }

    static SplitPlan of(long[] classRows, double[] fractions) {
        long total = 0;
        for (long n : classRows) {
            total += n;
        }
        List<long[]>[] options = new List[classRows.length];
        for (int c = 0; c < classRows.length; c++) {
            options[c] = roundings(classRows[c], fractions);
        }
        long[][] best = new long[classRows.length][];
        double[] bestError = {Double.POSITIVE_INFINITY};
        search(0, new long[classRows.length][], options, classRows, fractions, total, best, bestError);
        if (bestError[0] == Double.POSITIVE_INFINITY) {
            throw new IllegalStateException("no controlled rounding for classes " + java.util.Arrays.toString(classRows)
                    + " and fractions " + java.util.Arrays.toString(fractions) + " (cannot happen)");
        }
        return new SplitPlan(best);
    }

    /** Row vectors for one class: each cell its target floored or ceiled, summing to the class size. */
    private static List<long[]> roundings(long n, double[] fractions) {
        int s = fractions.length;
        List<long[]> out = new ArrayList<>();
        for (int mask = 0; mask < (1 << s); mask++) {
            long[] row = new long[s];
            long sum = 0;
            boolean ok = true;
            for (int j = 0; j < s; j++) {
                double target = target(fractions[j], n);
                long lo = (long) Math.floor(target);
                boolean up = (mask & (1 << j)) != 0;
                if (up && lo == target) {
                    ok = false; // an exact target has one rounding only
                    break;
                }
                row[j] = up ? lo + 1 : lo;
                sum += row[j];
            }
            if (ok && sum == n) {
                out.add(row);
            }
        }
        return out;
    }

    private static void search(int c, long[][] chosen, List<long[]>[] options, long[] classRows, double[] fractions,
                               long total, long[][] best, double[] bestError) {
        if (c == classRows.length) {
            double error = 0;
            for (int s = 0; s < fractions.length; s++) {
                long col = 0;
                for (long[] row : chosen) {
                    col += row[s];
                }
                double target = target(fractions[s], total);
                if (col < Math.floor(target) || col > Math.ceil(target)) {
                    return;
                }
                for (int k = 0; k < chosen.length; k++) {
                    double d = chosen[k][s] - target(fractions[s], classRows[k]);
                    error += d * d;
                }
            }
            if (error < bestError[0] - 1e-12) {
                bestError[0] = error;
                for (int k = 0; k < chosen.length; k++) {
                    best[k] = chosen[k].clone();
                }
            }
            return;
        }
        for (long[] row : options[c]) {
            chosen[c] = row;
            search(c + 1, chosen, options, classRows, fractions, total, best, bestError);
        }
    }

    /** {@code fraction * n}, snapped to the integer when floating point puts it a hair away (0.7 * 100). */
    static double target(double fraction, long n) {
        double t = fraction * n;
        double r = Math.rint(t);
        return Math.abs(t - r) < 1e-7 ? r : t;
    }

    long splitRows(int split) {
        long sum = 0;
        for (long[] row : rows) {
            sum += row[split];
        }
        return sum;
    }

    /** Rank boundary (exclusive) of split {@code s} within class {@code c}: ranks below it go to splits 0..s. */
    long boundary(int c, int s) {
        long sum = 0;
        for (int j = 0; j <= s; j++) {
            sum += rows[c][j];
        }
        return sum;
    }
}
