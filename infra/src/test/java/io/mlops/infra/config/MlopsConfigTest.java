package io.mlops.infra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.infra.TestApps;
import java.util.HashMap;
import java.util.List;
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

    // --- DEV serving mode and the source (issue 13 §4, §5) ---

    private static final String ARN = "arn:aws:codeconnections:eu-west-1:123456789012:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d";

    private static Map<String, Object> github(Map<String, Object> more) {
        Map<String, Object> c = new HashMap<>(Map.of(MlopsConfig.Keys.SOURCE, "codeconnections",
                MlopsConfig.Keys.SOURCE_CONNECTION_ARN, ARN, MlopsConfig.Keys.SOURCE_OWNER, "my-org",
                MlopsConfig.Keys.SOURCE_REPO, "mlops-pipeline"));
        c.putAll(more);
        return c;
    }

    @Test
    void devIsServerlessAndTheSourceIsCodeCommitByDefault() {
        MlopsConfig c = MlopsConfig.defaults();
        assertThat(c.devEndpoint()).isEqualTo(new MlopsConfig.DevEndpoint(true, 2048, 5, false));
        assertThat(c.source().codeConnections()).isFalse();
        assertThat(c.source().filePaths()).contains("model-container/**", "etl/**", "config/**");
        MlopsConfig instance = read(Map.of(MlopsConfig.Keys.DEV_MODE, "INSTANCE", MlopsConfig.Keys.DEV_DELETE_AFTER_APPROVAL, "true"));
        assertThat(instance.devEndpoint().serverless()).isFalse();
        assertThat(instance.devEndpoint().deleteAfterApproval()).isTrue();
    }

    @Test
    void failsOnServerlessMemoryOutsideTheGigabyteStepsAndOnConcurrencyAbove200() {
        assertThatThrownBy(() -> read(Map.of(MlopsConfig.Keys.DEV_SERVERLESS_MEMORY_MB, 1536,
                MlopsConfig.Keys.DEV_SERVERLESS_MAX_CONCURRENCY, 201)))
                .isInstanceOfSatisfying(MlopsConfig.InvalidConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("mlops:dev:serverless:memorySizeMb = 1536 is invalid")
                                .contains("[1024, 2048, 3072, 4096, 5120, 6144]").contains("MemorySizeInMB"))
                        .anySatisfy(p -> assertThat(p).startsWith("mlops:dev:serverless:maxConcurrency = 201 is invalid")
                                .contains("between 1 and 200")));
        assertThatThrownBy(() -> read(Map.of(MlopsConfig.Keys.DEV_SERVERLESS_MEMORY_MB, 8192)))
                .hasMessageContaining("mlops:dev:serverless:memorySizeMb = 8192 is invalid: expected a whole number between 1024 and 6144");
    }

    @Test
    void failsOnAnUnknownDevModeAndANonBooleanDeleteSetting() {
        assertThatThrownBy(() -> read(Map.of(MlopsConfig.Keys.DEV_MODE, "lambda", MlopsConfig.Keys.DEV_DELETE_AFTER_APPROVAL, "yes")))
                .isInstanceOfSatisfying(MlopsConfig.InvalidConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("mlops:dev:mode = \"lambda\" is invalid")
                                .contains("\"serverless\"").contains("\"instance\"").contains("Fix: set \"mlops:dev:mode\""))
                        .anySatisfy(p -> assertThat(p).startsWith("mlops:dev:deleteAfterApproval = \"yes\" is invalid: expected true or false")));
    }

    @Test
    void readsACodeConnectionsSourceWithEitherArnPrefixAndFilePathsAsListOrText() {
        MlopsConfig c = read(github(Map.of(MlopsConfig.Keys.SOURCE_FILE_PATHS, List.of("etl/**", "model-container/**"))));
        assertThat(c.source()).isEqualTo(new MlopsConfig.Source(true, ARN, "my-org", "mlops-pipeline", List.of("etl/**", "model-container/**")));
        String legacy = ARN.replace("codeconnections", "codestar-connections");
        assertThat(read(github(Map.of(MlopsConfig.Keys.SOURCE_CONNECTION_ARN, legacy))).source().connectionArn()).isEqualTo(legacy);
        assertThat(read(github(Map.of(MlopsConfig.Keys.SOURCE_FILE_PATHS, "etl/**, config/**"))).source().filePaths())
                .containsExactly("etl/**", "config/**");
        assertThat(read(github(Map.of(MlopsConfig.Keys.SOURCE_FILE_PATHS, "[\"etl/**\"]"))).source().filePaths())
                .containsExactly("etl/**");
    }

    @Test
    void failsOnACodeConnectionsSourceWithoutConnectionOwnerAndRepo() {
        assertThatThrownBy(() -> read(Map.of(MlopsConfig.Keys.SOURCE, "codeconnections",
                MlopsConfig.Keys.SOURCE_CONNECTION_ARN, "arn:aws:codecommit:eu-west-1:123456789012:mlops",
                MlopsConfig.Keys.SOURCE_REPO, "org/repo.git")))
                .isInstanceOfSatisfying(MlopsConfig.InvalidConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("mlops:source:connectionArn = \"arn:aws:codecommit:eu-west-1:123456789012:mlops\" is invalid")
                                .contains("arn:aws:codeconnections:").contains("codestar-connections"))
                        .anySatisfy(p -> assertThat(p).startsWith("mlops:source:owner = \"\" is invalid"))
                        .anySatisfy(p -> assertThat(p).startsWith("mlops:source:repo = \"org/repo.git\" is invalid")
                                .contains("without the owner")));
    }

    @Test
    void failsOnConnectionSettingsWhileTheSourceIsCodeCommit() {
        assertThatThrownBy(() -> read(Map.of(MlopsConfig.Keys.SOURCE_CONNECTION_ARN, ARN)))
                .hasMessageContaining("mlops:source:connectionArn = \"" + ARN + "\" is invalid")
                .hasMessageContaining("set that too, or remove mlops:source:connectionArn");
        assertThatThrownBy(() -> read(Map.of(MlopsConfig.Keys.SOURCE, "github")))
                .hasMessageContaining("mlops:source = \"github\" is invalid")
                .hasMessageContaining("\"codeconnections\"");
    }

    @Test
    void failsOnMoreThanEightFilePathPatterns() {
        List<String> nine = java.util.stream.IntStream.range(0, 9).mapToObj(i -> "dir" + i + "/**").toList();
        assertThatThrownBy(() -> read(github(Map.of(MlopsConfig.Keys.SOURCE_FILE_PATHS, nine))))
                .hasMessageContaining("mlops:source:filePaths = " + nine + " is invalid: expected 1 to 8 glob patterns")
                .hasMessageContaining("GitFilePathFilterCriteria");
        assertThatThrownBy(() -> read(github(Map.of(MlopsConfig.Keys.SOURCE_FILE_PATHS, "[etl"))))
                .hasMessageContaining("mlops:source:filePaths = \"[etl\" is invalid: expected a JSON array");
    }
}
