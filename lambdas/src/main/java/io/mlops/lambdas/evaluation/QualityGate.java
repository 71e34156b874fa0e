package io.mlops.lambdas.evaluation;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The quality gate, as a pure function (no AWS types): the Evaluate handler and the local
 * end-to-end run apply the same rule.
 *
 * <p>A model passes iff its value of {@link #metric} is at least {@link #threshold}, AND, when there
 * is a champion (the newest Approved model in the group), at least the champion's value minus
 * {@link #maxRegression}. No champion means the threshold alone decides. Comparisons are made on the
 * decimal values as written ({@link BigDecimal#valueOf(double)}), so a value exactly on a bound
 * passes regardless of binary floating-point rounding (0.812 - 0.01 is 0.802, not 0.80199...).
 *
 * @param metric name of the metric, e.g. {@code auc}
 * @param threshold minimum value, within [0, 1]
 * @param maxRegression how far below the champion the value may be, within [0, 1]
 */
public record QualityGate(String metric, double threshold, double maxRegression) {

    public QualityGate {
        if (metric == null || metric.isBlank()) {
            throw new IllegalArgumentException("quality gate metric is missing");
        }
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("quality gate threshold " + threshold + " must be within [0, 1]");
        }
        if (!(maxRegression >= 0 && maxRegression <= 1)) {
            throw new IllegalArgumentException("quality gate maxRegression " + maxRegression + " must be within [0, 1]");
        }
    }

    /**
     * The model currently approved in the registry.
     *
     * @param label how to name it in messages, e.g. {@code v3}
     * @param value its value of the gate metric
     */
    public record Champion(String label, double value) {
        public Champion {
            Objects.requireNonNull(label, "label");
            if (Double.isNaN(value) || Double.isInfinite(value)) {
                throw new IllegalArgumentException("champion " + label + " value must be finite, got " + value);
            }
        }
    }

    /** Applies the gate to a candidate's value of {@link #metric}. */
    public Decision evaluate(double value, Optional<Champion> champion) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(metric + " value must be finite, got " + value);
        }
        BigDecimal candidate = BigDecimal.valueOf(value);
        boolean thresholdPassed = candidate.compareTo(BigDecimal.valueOf(threshold)) >= 0;
        Double floor = null;
        boolean championPassed = true;
        if (champion.isPresent()) {
            BigDecimal f = BigDecimal.valueOf(champion.get().value()).subtract(BigDecimal.valueOf(maxRegression));
            floor = f.doubleValue();
            championPassed = candidate.compareTo(f) >= 0;
        }
        return new Decision(this, value, thresholdPassed, champion, floor, championPassed);
    }

    /**
     * The outcome with everything needed to explain it.
     *
     * @param gate the gate applied
     * @param value the candidate's value
     * @param thresholdPassed value >= threshold
     * @param champion the champion compared with, if any
     * @param championFloor champion value - maxRegression, when there is a champion
     * @param championPassed value >= championFloor (true when there is no champion)
     */
    public record Decision(QualityGate gate, double value, boolean thresholdPassed, Optional<Champion> champion,
            Double championFloor, boolean championPassed) {

        public boolean passed() {
            return thresholdPassed && championPassed;
        }

        /** One line per check, the value side by side with the bound, e.g. {@code auc 0.7412 < threshold 0.75 (FAIL)}. */
        public List<String> checks() {
            List<String> checks = new ArrayList<>();
            String m = gate.metric();
            checks.add(m + " " + shown(value, gate.threshold()) + (thresholdPassed ? " >= " : " < ") + "threshold "
                    + format(gate.threshold()) + (thresholdPassed ? " (pass)" : " (FAIL)"));
            if (champion.isPresent()) {
                Champion c = champion.get();
                checks.add(m + " " + shown(value, championFloor) + (championPassed ? " >= " : " < ") + "champion " + c.label() + " "
                        + format(c.value()) + " - tolerance " + format(gate.maxRegression()) + " = " + format(championFloor)
                        + (championPassed ? " (pass)" : " (FAIL)"));
            } else {
                checks.add("no approved champion in the registry: threshold only");
            }
            return checks;
        }

        /** The value as formatted, or in full when rounding would make it look equal to a bound it differs from. */
        private static String shown(double value, double bound) {
            String v = format(value);
            return v.equals(format(bound)) && BigDecimal.valueOf(value).compareTo(BigDecimal.valueOf(bound)) != 0
                    ? String.valueOf(value) : v;
        }

        /** Human one-liner, e.g. {@code gate passed: auc 0.83 >= threshold 0.75 (pass); auc 0.83 >= champion v3 ...}. */
        public String summary() {
            return "gate " + (passed() ? "passed" : "FAILED") + ": " + String.join("; ", checks());
        }
    }

    /** Up to 6 decimals, trailing zeros dropped, at least 2 decimals: 0.75, 0.7412, 0.802. */
    public static String format(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return String.valueOf(value);
        }
        BigDecimal d = BigDecimal.valueOf(value).setScale(6, RoundingMode.HALF_EVEN).stripTrailingZeros();
        if (d.scale() < 2) {
            d = d.setScale(2, RoundingMode.UNNECESSARY);
        }
        return d.toPlainString();
    }
}
