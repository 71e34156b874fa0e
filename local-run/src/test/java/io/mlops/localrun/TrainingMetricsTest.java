package io.mlops.localrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingMetricsTest {
    @Test
    void readsTheMetricLinesAsSageMakerDoesAndIgnoresTheRest() {
        var metrics = TrainingMetrics.parse(List.of(
                "2026-11-22 14:01:41,755 INFO train: fitted hist_gradient_boosting in 2.9 s (103 iterations)",
                "METRIC train:roc_auc=0.8359029036595846",
                "METRIC validation:roc_auc=0.78",
                "  METRIC indented=1.0",
                "METRIC validation:f1=5.0e-01",
                "METRIC validation:roc_auc=0.7803663963493532"));

        assertThat(metrics).containsExactly(java.util.Map.entry("train:roc_auc", 0.8359029036595846),
                java.util.Map.entry("validation:roc_auc", 0.7803663963493532), java.util.Map.entry("validation:f1", 0.5));
    }

    @Test
    void readsNotANumberAsSuch() {
        assertThat(TrainingMetrics.parse(List.of("METRIC validation:roc_auc=nan"))).containsEntry("validation:roc_auc",
                Double.NaN);
    }

    @Test
    void failsOnAMetricLineWhoseValueIsNotANumber() {
        assertThatThrownBy(() -> TrainingMetrics.parse(List.of("METRIC train:roc_auc=e")))
                .isInstanceOf(StageFailedException.class).hasMessageContaining("'METRIC train:roc_auc=e'");
    }
}
