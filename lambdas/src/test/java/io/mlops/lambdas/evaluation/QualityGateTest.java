package io.mlops.lambdas.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.lambdas.evaluation.QualityGate.Champion;
import io.mlops.lambdas.evaluation.QualityGate.Decision;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QualityGateTest {
    private final QualityGate gate = new QualityGate("auc", 0.75, 0.01);

    @Test
    void passesOnTheThresholdAloneWhenThereIsNoChampion() {
        Decision d = gate.evaluate(0.76, Optional.empty());
        assertThat(d.passed()).isTrue();
        assertThat(d.championFloor()).isNull();
        assertThat(d.checks()).containsExactly("auc 0.76 >= threshold 0.75 (pass)",
                "no approved champion in the registry: threshold only");
        assertThat(d.summary()).startsWith("gate passed: ");
    }

    @Test
    void failsBelowTheThresholdEvenWithoutAChampion() {
        Decision d = gate.evaluate(0.7412, Optional.empty());
        assertThat(d.passed()).isFalse();
        assertThat(d.thresholdPassed()).isFalse();
        assertThat(d.checks().get(0)).isEqualTo("auc 0.7412 < threshold 0.75 (FAIL)");
        assertThat(d.summary()).startsWith("gate FAILED: ");
    }

    @Test
    void aValueExactlyOnABoundPassesDespiteBinaryRounding() {
        // In doubles 0.5 - 0.09 is 0.41000000000000003, so a naive comparison would reject 0.41; the gate compares decimals.
        assertThat(0.41 >= 0.5 - 0.09).isFalse();
        QualityGate loose = new QualityGate("auc", 0.4, 0.09);
        Decision d = loose.evaluate(0.41, Optional.of(new Champion("v3", 0.5)));
        assertThat(d.passed()).isTrue();
        assertThat(d.championFloor()).isEqualTo(0.41);
        assertThat(gate.evaluate(0.802, Optional.of(new Champion("v3", 0.812))).passed()).isTrue();
        assertThat(gate.evaluate(0.75, Optional.empty()).passed()).isTrue();
    }

    @Test
    void failsWhenTooFarBelowTheChampionThoughAboveTheThreshold() {
        Decision d = gate.evaluate(0.8019, Optional.of(new Champion("v3", 0.812)));
        assertThat(d.thresholdPassed()).isTrue();
        assertThat(d.championPassed()).isFalse();
        assertThat(d.passed()).isFalse();
        assertThat(d.checks()).containsExactly("auc 0.8019 >= threshold 0.75 (pass)",
                "auc 0.8019 < champion v3 0.812 - tolerance 0.01 = 0.802 (FAIL)");
    }

    @Test
    void passesAWorseModelWithinTheToleranceAndABetterOne() {
        assertThat(gate.evaluate(0.805, Optional.of(new Champion("v3", 0.812))).passed()).isTrue();
        assertThat(gate.evaluate(0.9, Optional.of(new Champion("v3", 0.812))).passed()).isTrue();
    }

    @Test
    void failsBothChecksAndListsBoth() {
        Decision d = gate.evaluate(0.70, Optional.of(new Champion("v9", 0.85)));
        assertThat(d.checks()).containsExactly("auc 0.70 < threshold 0.75 (FAIL)",
                "auc 0.70 < champion v9 0.85 - tolerance 0.01 = 0.84 (FAIL)");
    }

    @Test
    void zeroToleranceRequiresAtLeastTheChampionsValue() {
        QualityGate strict = new QualityGate("f1", 0.5, 0);
        assertThat(strict.evaluate(0.6, Optional.of(new Champion("v2", 0.6))).passed()).isTrue();
        assertThat(strict.evaluate(0.5999, Optional.of(new Champion("v2", 0.6))).passed()).isFalse();
    }

    @Test
    void showsFullPrecisionWhenRoundingWouldHideTheDifference() {
        Decision d = gate.evaluate(0.74999999, Optional.empty());
        assertThat(d.passed()).isFalse();
        assertThat(d.checks().get(0)).isEqualTo("auc 0.74999999 < threshold 0.75 (FAIL)");
    }

    @Test
    void failsLoudlyOnInvalidSettingsOrValues() {
        assertThatThrownBy(() -> new QualityGate("auc", 1.5, 0.01)).hasMessageContaining("threshold 1.5");
        assertThatThrownBy(() -> new QualityGate("auc", 0.7, -0.1)).hasMessageContaining("maxRegression -0.1");
        assertThatThrownBy(() -> new QualityGate(" ", 0.7, 0.01)).hasMessageContaining("metric");
        assertThatThrownBy(() -> gate.evaluate(Double.NaN, Optional.empty())).hasMessageContaining("NaN");
        assertThatThrownBy(() -> new Champion("v1", Double.POSITIVE_INFINITY)).hasMessageContaining("Infinity");
    }

    @Test
    void formatsShortDecimals() {
        assertThat(QualityGate.format(0.75)).isEqualTo("0.75");
        assertThat(QualityGate.format(0.8)).isEqualTo("0.80");
        assertThat(QualityGate.format(0.7412)).isEqualTo("0.7412");
        assertThat(QualityGate.format(1)).isEqualTo("1.00");
        assertThat(QualityGate.format(0.123456789)).isEqualTo("0.123457");
    }
}
