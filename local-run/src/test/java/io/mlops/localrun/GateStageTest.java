package io.mlops.localrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.lambdas.evaluation.EvaluationReport;
import io.mlops.lambdas.settings.RunSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GateStageTest {
    private static final RunSettings.QualityGate GATE = new RunSettings.QualityGate("auc", 0.75, 0.01);

    @TempDir
    Path root;

    static EvaluateStage.Outcome evaluation(String json) {
        return new EvaluateStage.Outcome(Path.of("model.tar.gz"), Path.of("evaluation.json"), Path.of("report.html"),
                EvaluationReport.parse(json.getBytes(StandardCharsets.UTF_8), "evaluation.json"), 0.29, 6176L, null,
                Path.of("evaluate.log"));
    }

    static EvaluateStage.Outcome auc(double value) {
        return evaluation("{\"binary_classification_metrics\": {\"auc\": {\"value\": " + value
                + ", \"standard_deviation\": \"NaN\"}, \"f1\": {\"value\": 0.5}}}");
    }

    @Test
    void withoutAChampionTheThresholdDecides() throws IOException {
        LocalRegistry registry = new LocalRegistry(root);

        GateStage.Outcome passed = GateStage.run(GATE, auc(0.8133), registry, "bank-marketing");
        GateStage.Outcome failed = GateStage.run(GATE, auc(0.7412), registry, "bank-marketing");

        assertThat(passed.passed()).isTrue();
        assertThat(passed.champion()).isEmpty();
        assertThat(passed.summary()).isEqualTo("gate passed: auc 0.8133 >= threshold 0.75 (pass); no approved champion in "
                + "the registry: threshold only");
        assertThat(failed.passed()).isFalse();
        assertThat(failed.summary()).contains("auc 0.7412 < threshold 0.75 (FAIL)");
    }

    @Test
    void failsBelowTheNewestApprovedChampionMinusTheTolerance() throws IOException {
        LocalRegistry registry = new LocalRegistry(root);
        registry.register(LocalRegistryTest.draft(RegistryEntry.PENDING, 0.90));
        registry.register(LocalRegistryTest.draft(RegistryEntry.PENDING, 0.82));
        LocalRegistryTest.approve(registry.file("bank-marketing", 1));
        LocalRegistryTest.approve(registry.file("bank-marketing", 2));

        GateStage.Outcome below = GateStage.run(GATE, auc(0.80), registry, "bank-marketing");
        GateStage.Outcome within = GateStage.run(GATE, auc(0.81), registry, "bank-marketing");

        assertThat(below.passed()).isFalse();
        assertThat(below.champion()).hasValueSatisfying(c -> assertThat(c.label()).isEqualTo("v2"));
        assertThat(below.decision().checks()).contains(
                "auc 0.80 < champion v2 0.82 - tolerance 0.01 = 0.81 (FAIL)");
        assertThat(within.passed()).as("exactly on the floor passes").isTrue();
    }

    @Test
    void anApprovedVersionWithoutTheMetricIsNotComparedAndSaysSo() throws IOException {
        LocalRegistry registry = new LocalRegistry(root);
        registry.register(LocalRegistryTest.draft(RegistryEntry.PENDING, 0.9));
        Path file = registry.file("bank-marketing", 1);
        LocalRegistryTest.approve(file);
        Files.writeString(file, Files.readString(file).replace("\"metrics\" : {\n    \"auc\" : 0.9\n  }", "\"metrics\" : { }"));

        GateStage.Outcome outcome = GateStage.run(GATE, auc(0.8), registry, "bank-marketing");

        assertThat(outcome.passed()).isTrue();
        assertThat(outcome.champion()).isEmpty();
        assertThat(outcome.note()).contains("approved v1 has no finite auc");
    }

    @Test
    void failsWhenEvaluationJsonLacksTheGateMetric() {
        EvaluateStage.Outcome noAuc = evaluation("{\"binary_classification_metrics\": {\"f1\": {\"value\": 0.5}}}");

        assertThatThrownBy(() -> GateStage.run(GATE, noAuc, new LocalRegistry(root), "bank-marketing"))
                .isInstanceOf(StageFailedException.class).hasMessageContaining("cannot apply the quality gate")
                .hasMessageContaining("binary_classification_metrics.auc.value");
    }
}
