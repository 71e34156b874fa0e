package io.mlops.systemtests.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AutoscalingTest {

    @Test
    void appliesAwsGuidanceMaxRpsTimesHalfTimesSixtyPerInstance() {
        Autoscaling advice = Autoscaling.of(40, 2);
        assertThat(advice.maxRpsPerInstance()).isEqualTo(20);
        assertThat(advice.invocationsPerInstancePerMinute()).isEqualTo(600);
        assertThat(advice.explanation()).isEqualTo("SageMakerVariantInvocationsPerInstance = max sustained RPS per "
                + "instance × 0.5 × 60 = (40.00 req/s / 2 instances) × 0.5 × 60 = 600 invocations per instance per minute");
    }

    @Test
    void sustainedThroughputIsTheBestWindowOfFullSeconds() {
        List<LoadReport.SecondStats> seconds = List.of(second(0, 10), second(1, 30), second(2, 30), second(3, 5),
                second(4, 100));
        assertThat(LoadRun.bestWindow(seconds, 4, 2)).isEqualTo(30);
        assertThat(LoadRun.bestWindow(seconds, 5, 2)).isEqualTo(52.5);
        assertThat(LoadRun.bestWindow(seconds, 4, 4)).isEqualTo(18.75);
    }

    private static LoadReport.SecondStats second(int s, long ok) {
        return new LoadReport.SecondStats(s, ok, 0, 1, 1, 1, 1);
    }
}
