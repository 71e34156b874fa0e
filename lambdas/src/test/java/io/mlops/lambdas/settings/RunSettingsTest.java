package io.mlops.lambdas.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.lambdas.pipeline.JobFailedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.codepipeline.model.FailureType;

class RunSettingsTest {

    private static RunSettings parse(String json) {
        return RunSettings.parse(json.getBytes(StandardCharsets.UTF_8), "config/run-settings.json");
    }

    @Test
    void emptyObjectMeansDocumentedDefaults() {
        RunSettings s = parse("{}");
        assertThat(s.etl().workerType()).isEqualTo("G.1X");
        assertThat(s.etl().numberOfWorkers()).isEqualTo(2);
        assertThat(s.training().instanceType()).isEqualTo("ml.m5.large");
        assertThat(s.training().spot().enabled()).isFalse();
        assertThat(s.qualityGate().metric()).isEqualTo("auc");
        assertThat(s.qualityGate().threshold()).isEqualTo(0.75);
        assertThat(s.qualityGate().maxRegression()).isEqualTo(0.01);
    }

    @Test
    void theRepositorysRunSettingsFileIsValid() throws IOException {
        Path file = Path.of("..", "config", "run-settings.json");
        RunSettings s = RunSettings.parse(Files.readAllBytes(file), file.toString());
        assertThat(s.training().hyperparameters()).containsKey("algorithm");
    }

    @Test
    void hyperparametersBecomeStringsAsSageMakerRequires() {
        RunSettings s = parse("{\"training\":{\"hyperparameters\":{\"algorithm\":\"random_forest\",\"max_depth\":8,"
                + "\"learning_rate\":0.05,\"balanced\":true,\"grid\":{\"a\":[1,2]}}}}");
        assertThat(s.training().hyperparametersAsStrings()).containsExactly(
                java.util.Map.entry("algorithm", "random_forest"), java.util.Map.entry("max_depth", "8"),
                java.util.Map.entry("learning_rate", "0.05"), java.util.Map.entry("balanced", "true"),
                java.util.Map.entry("grid", "{\"a\":[1,2]}"));
    }

    @Test
    void monitoringThresholdsBecomeMonitorHyperparametersAfterTheTrainingOnes() {
        RunSettings s = parse("{\"training\":{\"hyperparameters\":{\"algorithm\":\"random_forest\"}},"
                + "\"monitoring\":{\"psiThreshold\":0.25,\"ksPValue\":0.05,\"minRows\":500}}");
        assertThat(s.trainingHyperparameters()).containsExactly(
                java.util.Map.entry("algorithm", "random_forest"), java.util.Map.entry("monitor_psi_threshold", "0.25"),
                java.util.Map.entry("monitor_ks_p_value", "0.05"), java.util.Map.entry("monitor_min_rows", "500"));
        assertThat(parse("{}").trainingHyperparameters()).isEmpty();
    }

    @Test
    void failsOnMoreThan100HyperparametersOrAnOverlongValueNamingTheKey() {
        StringBuilder many = new StringBuilder("{\"training\":{\"hyperparameters\":{");
        for (int i = 0; i < 98; i++) {
            many.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":1");
        }
        many.append("}},\"monitoring\":{\"psiThreshold\":0.2,\"minRows\":10,\"ksPValue\":0.01}}");
        assertThatThrownBy(() -> parse(many.toString()))      // 98 + 3 monitor_* = 101
                .isInstanceOf(JobFailedException.class)
                .hasMessageContaining("give 101 hyperparameters; SageMaker allows 100");
        assertThatThrownBy(() -> parse("{\"training\":{\"hyperparameters\":{\"note\":\"" + "x".repeat(2501) + "\"}}}"))
                .isInstanceOf(JobFailedException.class)
                .hasMessageContaining("training.hyperparameters.note is too long");
    }

    @Test
    void failsOnMonitoringThresholdsOutOfRangeOrPassedAsHyperparameters() {
        assertThatThrownBy(() -> parse("{\"training\":{\"hyperparameters\":{\"monitor_psi_threshold\":0.1}},"
                + "\"monitoring\":{\"driftedFeatureShare\":1.5,\"psiThreshold\":-0.1,\"minRows\":-1}}"))
                .isInstanceOf(JobFailedException.class)
                .hasMessageContaining("training.hyperparameters.monitor_psi_threshold is reserved")
                .hasMessageContaining("monitoring.psiThreshold")
                .hasMessageContaining("monitoring.driftedFeatureShare 1.5 must be within [0, 1]")
                .hasMessageContaining("monitoring.psiThreshold -0.1 must be a number >= 0")
                .hasMessageContaining("monitoring.minRows -1 must be >= 0");
        assertThatThrownBy(() -> parse("{\"monitoring\":{\"psiTreshold\":0.1}}"))
                .isInstanceOf(JobFailedException.class).hasMessageContaining("'monitoring.psiTreshold'");
    }

    @Test
    void failsOnAnUnknownKeyNamingItsPath() {
        assertThatThrownBy(() -> parse("{\"training\":{\"instanceTyp\":\"ml.m5.large\"}}"))
                .isInstanceOf(JobFailedException.class)
                .hasMessageContaining("invalid at 'training.instanceTyp'")
                .satisfies(e -> assertThat(((JobFailedException) e).type()).isEqualTo(FailureType.CONFIGURATION_ERROR));
    }

    @Test
    void failsOnAWrongTypeNamingItsPath() {
        assertThatThrownBy(() -> parse("{\"qualityGate\":{\"threshold\":\"high\"}}"))
                .isInstanceOf(JobFailedException.class).hasMessageContaining("'qualityGate.threshold'");
    }

    @Test
    void failsOnInvalidJson() {
        assertThatThrownBy(() -> parse("{\"etl\": "))
                .isInstanceOf(JobFailedException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> parse("null"))
                .isInstanceOf(JobFailedException.class).hasMessageContaining("are empty");
    }

    @Test
    void failsListingEveryOutOfRangeValue() {
        assertThatThrownBy(() -> parse("{\"etl\":{\"workerType\":\"G.3X\",\"numberOfWorkers\":1,\"arguments\":{\"seed\":\"1\"}},"
                + "\"training\":{\"instanceType\":\"m5.large\",\"maxRuntimeSeconds\":3600,"
                + "\"spot\":{\"enabled\":true,\"maxWaitSeconds\":600}},"
                + "\"qualityGate\":{\"metric\":\"roc\",\"threshold\":1.5}}"))
                .isInstanceOf(JobFailedException.class)
                .hasMessageContaining("etl.workerType 'G.3X'")
                .hasMessageContaining("etl.numberOfWorkers 1 must be within [2, 299]")
                .hasMessageContaining("etl.arguments key 'seed' must start with '--'")
                .hasMessageContaining("training.instanceType 'm5.large'")
                .hasMessageContaining("training.spot.maxWaitSeconds (600) must be >= training.maxRuntimeSeconds (3600)")
                .hasMessageContaining("qualityGate.metric 'roc'")
                .hasMessageContaining("qualityGate.threshold 1.5");
    }

    @Test
    void failsOnJobTimeLimitsLongerThanAPipelineActionWaitsNamingTheLimit() {
        assertThatThrownBy(() -> parse("{\"etl\":{\"timeoutMinutes\":2880},"
                + "\"training\":{\"maxRuntimeSeconds\":86400,\"spot\":{\"enabled\":true,\"maxWaitSeconds\":172800}},"
                + "\"evaluation\":{\"maxRuntimeSeconds\":432000}}"))
                .isInstanceOf(JobFailedException.class)
                .hasMessageContaining("etl.timeoutMinutes 2880 minutes is more than 1380 (23 hours): CodePipeline fails an "
                        + "action that has not succeeded within 24 hours")
                .hasMessageContaining("training.maxRuntimeSeconds 86400 seconds is more than 82800")
                .hasMessageContaining("training.spot.maxWaitSeconds 172800 seconds is more than 82800")
                .hasMessageContaining("evaluation.maxRuntimeSeconds 432000 seconds is more than 82800");
        // The limits themselves are accepted.
        assertThat(parse("{\"etl\":{\"timeoutMinutes\":1380},\"training\":{\"maxRuntimeSeconds\":82800,"
                + "\"spot\":{\"enabled\":true,\"maxWaitSeconds\":82800}},\"evaluation\":{\"maxRuntimeSeconds\":82800}}")
                .training().spot().maxWaitSeconds()).isEqualTo(82800);
    }

    @Test
    void failsOnAStreamingOnlyGlueWorkerTypeSayingWhichToUse() {
        assertThatThrownBy(() -> parse("{\"etl\":{\"workerType\":\"G.025X\"}}"))
                .isInstanceOf(JobFailedException.class)
                .hasMessageContaining("etl.workerType 'G.025X' is for Glue streaming jobs only")
                .hasMessageContaining("use G.1X or larger");
        assertThatThrownBy(() -> parse("{\"etl\":{\"workerType\":\"Z.2X\"}}"))
                .hasMessageContaining("etl.workerType 'Z.2X' is not one of [G.1X, G.2X, G.4X, G.8X]");
    }
}
