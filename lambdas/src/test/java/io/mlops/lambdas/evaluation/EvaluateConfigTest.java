package io.mlops.lambdas.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.contract.EnvNames;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.pipeline.JobFailedException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The instance types a registered package supports come from the configuration (the endpoints' types). */
class EvaluateConfigTest {

    private static HandlerEnv env(String instanceTypes) {
        Map<String, String> values = new HashMap<>(Map.of(EnvNames.ARTIFACT_BUCKET, "artifacts",
                EnvNames.SAGEMAKER_ROLE_ARN, "arn:aws:iam::123456789012:role/jobs", EnvNames.MODEL_PACKAGE_GROUP, "mlops-bank"));
        if (instanceTypes != null) {
            values.put(EnvNames.INFERENCE_INSTANCE_TYPES, instanceTypes);
        }
        return new HandlerEnv(values);
    }

    @Test
    void readsTheEndpointsInstanceTypesInOrderWithoutRepeats() {
        assertThat(EvaluateConfig.from(env(" ml.t2.medium, ml.m5.large ,ml.t2.medium")).inferenceInstanceTypes())
                .containsExactly("ml.t2.medium", "ml.m5.large");
    }

    @Test
    void failsWhenTheInstanceTypesAreNotInstanceTypes() {
        assertThatThrownBy(() -> EvaluateConfig.from(env("t2.medium")))
                .isInstanceOf(JobFailedException.class)
                .hasMessageContaining("INFERENCE_INSTANCE_TYPES").hasMessageContaining("'t2.medium'")
                .hasMessageContaining("mlops:prd:instanceType");
    }

    @Test
    void failsWhenTheInstanceTypesAreMissing() {
        assertThatThrownBy(() -> EvaluateConfig.from(env(null))).hasMessageContaining("INFERENCE_INSTANCE_TYPES");
    }
}
