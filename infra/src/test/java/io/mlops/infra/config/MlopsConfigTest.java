package io.mlops.infra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.infra.TestApps;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MlopsConfigTest {

    private static MlopsConfig read(Map<String, Object> overrides) {
        Map<String, Object> context = TestApps.cdkJsonContext();
        context.putAll(overrides);
        return MlopsConfig.from(context::get, context.keySet());
    }

    @Test
    void cdkJsonContextIsValidAndEqualsTheDocumentedDefaults() {
        MlopsConfig fromCdkJson = read(Map.of());
        assertThat(fromCdkJson).isEqualTo(MlopsConfig.defaults());
        assertThat(fromCdkJson.prd().instanceCount()).isGreaterThanOrEqualTo(2);
        assertThat(fromCdkJson.modelPackageGroupName()).isEqualTo("mlops-bank-marketing");
        assertThat(fromCdkJson.endpointName(fromCdkJson.dev())).isEqualTo("mlops-dev");
        assertThat(fromCdkJson.endpointStackName(fromCdkJson.prd())).isEqualTo("mlops-endpoint-prd");
    }

    @Test
    void acceptsStringsAsTheCliPassesThemWithDashC() {
        MlopsConfig c = read(Map.of(MlopsConfig.Keys.PRD_MAX_CAPACITY, "6", MlopsConfig.Keys.TEST_MIN_ROC_AUC, "0.8",
                MlopsConfig.Keys.APPROVAL_EMAIL, "ml-team@example.com", MlopsConfig.Keys.REMOVAL_POLICY, "DESTROY"));
        assertThat(c.autoscaling().maxCapacity()).isEqualTo(6);
        assertThat(c.systemTest().minRocAuc()).isEqualTo(0.8);
        assertThat(c.approvalEmail()).isEqualTo("ml-team@example.com");
        assertThat(c.destroyOnRemoval()).isTrue();
    }

    @Test
    void failsOnAPrdFleetOfOneWithKeyValueAndFix() {
        assertThatThrownBy(() -> read(Map.of(MlopsConfig.Keys.PRD_INSTANCE_COUNT, 1)))
                .isInstanceOf(MlopsConfig.InvalidConfigException.class)
                .hasMessageContaining("mlops:prd:instanceCount = 1 is invalid")
                .hasMessageContaining("between 2 and 100")
                .hasMessageContaining("Fix: set \"mlops:prd:instanceCount\" in cdk.json");
    }

    @Test
    void failsOnEveryProblemAtOnce() {
        Map<String, Object> bad = new HashMap<>();
        bad.put(MlopsConfig.Keys.PROJECT_NAME, "My_Project");
        bad.put(MlopsConfig.Keys.DEV_INSTANCE_TYPE, "t2.medium");
        bad.put(MlopsConfig.Keys.PRD_MIN_CAPACITY, 5);
        bad.put(MlopsConfig.Keys.PRD_MAX_CAPACITY, 3);
        bad.put(MlopsConfig.Keys.APPROVAL_EMAIL, "not-an-email");
        bad.put(MlopsConfig.Keys.TEST_MIN_ROC_AUC, "high");
        bad.put(MlopsConfig.Keys.LOG_RETENTION_DAYS, 30);
        assertThatThrownBy(() -> read(bad))
                .isInstanceOfSatisfying(MlopsConfig.InvalidConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("mlops:projectName = \"My_Project\" is invalid"))
                        .anySatisfy(p -> assertThat(p).startsWith("mlops:dev:instanceType = \"t2.medium\" is invalid")
                                .contains("ml.t2.medium"))
                        .anySatisfy(p -> assertThat(p).startsWith("mlops:prd:minCapacity = 5 is invalid")
                                .contains("at most mlops:prd:maxCapacity (3)"))
                        .anySatisfy(p -> assertThat(p).startsWith("mlops:approvalEmail = \"not-an-email\""))
                        .anySatisfy(p -> assertThat(p).startsWith("mlops:systemTest:minRocAuc = \"high\""))
                        .anySatisfy(p -> assertThat(p).startsWith("mlops:logRetentionDays = 30").contains("CT.CLOUDWATCH.PR.2")));
    }

    @Test
    void failsOnACanaryLargerThanHalfTheFleet() {
        assertThatThrownBy(() -> read(Map.of(MlopsConfig.Keys.PRD_CANARY_INSTANCES, 2)))
                .hasMessageContaining("mlops:prd:canaryInstances = 2 is invalid")
                .hasMessageContaining("<= 50% of the fleet");
    }

    @Test
    void failsOnAnUnknownKeySoTyposNeverPass() {
        assertThatThrownBy(() -> read(Map.of("mlops:prd:instanceCont", 3)))
                .hasMessageContaining("unknown context key(s) [mlops:prd:instanceCont]")
                .hasMessageContaining("Fix the spelling");
    }

    @Test
    void failsOnAFractionalCount() {
        assertThatThrownBy(() -> read(Map.of(MlopsConfig.Keys.DEV_INSTANCE_COUNT, 1.5)))
                .hasMessageContaining("mlops:dev:instanceCount = 1.5 is invalid: expected a whole number");
    }

    @Test
    void failsOnARenamedKeyWithItsNewName() {
        Map<String, Object> old = new java.util.LinkedHashMap<>();
        old.put("mlops:thresholds:minRocAuc", 0.8);
        assertThatThrownBy(() -> read(old))
                .isInstanceOfSatisfying(MlopsConfig.InvalidConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).contains("mlops:thresholds:minRocAuc was renamed to mlops:systemTest:minRocAuc")
                                .contains("qualityGate")));
    }

    @Test
    void theRepositoryCdkJsonSetsNoDefaultAgain() throws Exception {
        Map<?, ?> context = (Map<?, ?>) new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue(io.mlops.infra.TestApps.REPO_ROOT.resolve("cdk.json").toFile(), Map.class).get("context");
        for (var e : context.entrySet()) {
            Object fallback = MlopsConfig.Keys.DEFAULTS.get(String.valueOf(e.getKey()));
            assertThat(fallback).as("cdk.json repeats the default of %s (defaults live in MlopsConfig.Keys.DEFAULTS)", e.getKey())
                    .isNotEqualTo(e.getValue());
        }
    }
}
