package io.mlops.etl;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class SplitPlanTest {
    @Test
    void bankSizesGiveExactStratifiedCounts() {
        SplitPlan plan = SplitPlan.of(new long[] {36537, 4639}, new double[] {0.7, 0.15, 0.15});
        assertThat(plan.rows[1]).containsExactly(3247, 696, 696);
        assertThat(plan.splitRows(0) + plan.splitRows(1) + plan.splitRows(2)).isEqualTo(41176);
        assertThat(plan.boundary(1, 0)).isEqualTo(3247);
        assertThat(plan.boundary(1, 1)).isEqualTo(3247 + 696);
    }

    @Test
    void everyCellClassAndSplitIsItsTargetRoundedDownOrUp() {
        Random random = new Random(1);
        for (int trial = 0; trial < 20_000; trial++) {
            long[] classes = {random.nextInt(5000), 1 + random.nextInt(800)};
            double a = 0.05 + random.nextDouble() * 0.8;
            double b = (1 - a) * (0.05 + random.nextDouble() * 0.9);
            double[] fractions = {a, b, 1 - a - b};
            SplitPlan plan = SplitPlan.of(classes, fractions);
            long total = classes[0] + classes[1];
            for (int s = 0; s < 3; s++) {
                double target = fractions[s] * total;
                assertThat((double) plan.splitRows(s)).isBetween(Math.floor(target - 1e-9), Math.ceil(target + 1e-9));
                for (int c = 0; c < 2; c++) {
                    double cell = fractions[s] * classes[c];
                    assertThat((double) plan.rows[c][s]).isBetween(Math.floor(cell - 1e-9), Math.ceil(cell + 1e-9));
                }
            }
            for (int c = 0; c < 2; c++) {
                assertThat(plan.rows[c][0] + plan.rows[c][1] + plan.rows[c][2]).isEqualTo(classes[c]);
            }
        }
    }

    @Test
    void exactTargetsAreKeptExactly() {
        SplitPlan plan = SplitPlan.of(new long[] {80, 20}, new double[] {0.7, 0.15, 0.15});
        assertThat(plan.rows[0]).containsExactly(56, 12, 12);
        assertThat(plan.rows[1]).containsExactly(14, 3, 3);
    }
}
