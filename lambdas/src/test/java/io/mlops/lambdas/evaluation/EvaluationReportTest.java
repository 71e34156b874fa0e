package io.mlops.lambdas.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.lambdas.evaluation.EvaluationReport.InvalidEvaluationException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EvaluationReportTest {
    static final String SOURCE = "s3://b/runs/e/evaluation/evaluation.json";

    static EvaluationReport parse(String json) {
        return EvaluationReport.parse(json.getBytes(StandardCharsets.UTF_8), SOURCE);
    }

    @Test
    void readsTheContractExample() {
        EvaluationReport report = parse(EvaluateHandlerTest.evaluation("0.81"));
        assertThat(report.require("auc")).isEqualTo(0.81);
        assertThat(report.require("f1")).isEqualTo(0.52);
        assertThat(report.value("rows")).hasValue(6178);
        assertThat(report.value("confusion_matrix")).isEmpty();
        assertThat(report.knownMetrics()).containsExactly(
                java.util.Map.entry("auc", 0.81), java.util.Map.entry("pr_auc", 0.45), java.util.Map.entry("accuracy", 0.89),
                java.util.Map.entry("precision", 0.5), java.util.Map.entry("recall", 0.55), java.util.Map.entry("f1", 0.52));
    }

    @Test
    void acceptsNumbersWrittenAsText() {
        assertThat(parse("{\"binary_classification_metrics\":{\"auc\":{\"value\":\"0.8\"}}}").require("auc")).isEqualTo(0.8);
    }

    @Test
    void failsNamingTheKeyForPythonsBareNaN() {
        EvaluationReport report = parse("{\"binary_classification_metrics\":{\"auc\":{\"value\":NaN},\"f1\":{\"value\":0.5}}}");
        assertThatThrownBy(() -> report.require("auc")).isInstanceOf(InvalidEvaluationException.class)
                .hasMessageContaining(SOURCE).hasMessageContaining("binary_classification_metrics.auc.value is NaN");
        assertThat(report.knownMetrics()).containsOnlyKeys("f1");
    }

    @Test
    void failsNamingTheKeyAndWhatIsPresentWhenTheMetricIsMissing() {
        EvaluationReport report = parse("{\"binary_classification_metrics\":{\"f1\":{\"value\":0.5}}}");
        assertThatThrownBy(() -> report.require("pr_auc"))
                .hasMessageContaining("no binary_classification_metrics.pr_auc.value").hasMessageContaining("[f1]")
                .hasMessageContaining("qualityGate.metric");
    }

    @Test
    void failsForTextThatIsNotANumber() {
        assertThatThrownBy(() -> parse("{\"binary_classification_metrics\":{\"auc\":{\"value\":\"high\"}}}").require("auc"))
                .hasMessageContaining("auc.value is not a number").hasMessageContaining("high");
    }

    @Test
    void failsForPercentagesInsteadOfFractions() {
        assertThatThrownBy(() -> parse("{\"binary_classification_metrics\":{\"auc\":{\"value\":81}}}").require("auc"))
                .hasMessageContaining("outside [0, 1]");
    }

    @Test
    void failsForMalformedOrMisshapenFiles() {
        assertThatThrownBy(() -> parse("{\"binary_classification_metrics\":")).hasMessageContaining(SOURCE)
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> parse("[1, 2]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> parse("{\"metrics\":{}}")).hasMessageContaining("no object 'binary_classification_metrics'")
                .hasMessageContaining("[metrics]");
    }
}
