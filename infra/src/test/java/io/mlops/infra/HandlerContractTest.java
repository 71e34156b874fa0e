package io.mlops.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mlops.infra.constructs.MlopsPipeline;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Ties the names this app copies from the handler modules to those modules' sources. */
class HandlerContractTest {
    private static final Path LAMBDAS = TestApps.REPO_ROOT.resolve("lambdas/src/main/java");

    private static String source(Path root, String className) throws IOException {
        return Files.readString(root.resolve(className.replace('.', '/') + ".java"));
    }

    @Test
    void environmentVariableNamesMatchHandlerEnv() throws Exception {
        String handlerEnv = source(LAMBDAS, "io.mlops.lambdas.core.HandlerEnv");
        Map<String, String> theirs = new LinkedHashMap<>();
        Matcher m = Pattern.compile("public static final String (\\w+) = \"([^\"]+)\";").matcher(handlerEnv);
        while (m.find()) {
            theirs.put(m.group(1), m.group(2));
        }
        theirs.remove("AWS_REGION"); // set by Lambda itself
        Map<String, String> ours = new LinkedHashMap<>();
        for (Field f : HandlerContract.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && theirs.containsKey(f.getName())) {
                ours.put(f.getName(), (String) f.get(null));
            }
        }
        assertThat(ours).isEqualTo(theirs);
    }

    @Test
    void everyPipelineHandlerClassExists() {
        for (String handler : List.of(HandlerContract.LAUNCH_ETL, HandlerContract.MONITOR_ETL, HandlerContract.LAUNCH_TRAINING,
                HandlerContract.MONITOR_TRAINING, HandlerContract.EVALUATE, HandlerContract.APPROVE_MODEL,
                HandlerContract.MODEL_GROUP)) {
            assertThat(LAMBDAS.resolve(handler.replace('.', '/') + ".java")).as(handler).isRegularFile();
        }
    }

    @Test
    void endpointTestHandlerClassExists() {
        Path systemTests = TestApps.REPO_ROOT.resolve("system-tests/src/main/java");
        assumeTrue(Files.isDirectory(systemTests), "system-tests module not present yet: cannot check "
                + HandlerContract.ENDPOINT_TEST);
        assertThat(systemTests.resolve(HandlerContract.ENDPOINT_TEST.replace('.', '/') + ".java")).isRegularFile();
    }

    /** Params records bind strictly: a key the record lacks fails every run. */
    @Test
    void userParameterKeysAreComponentsOfTheHandlersParamsRecords() throws Exception {
        Map<String, Set<String>> wired = Map.of(
                "io.mlops.lambdas.etl.LaunchEtlParams", Set.of("executionId", "commitId", "etlJarUri"),
                "io.mlops.lambdas.etl.MonitorEtlParams", Set.of("executionId", "jobRunId"),
                "io.mlops.lambdas.training.LaunchTrainingParams", Set.of("executionId", "commitId", "imageUri"),
                "io.mlops.lambdas.training.MonitorTrainingParams", Set.of("trainingJobName"),
                "io.mlops.lambdas.evaluation.EvaluateParams",
                Set.of("executionId", "commitId", "imageUri", "modelDataUrl", "datasetSha256"),
                "io.mlops.lambdas.approval.ApproveModelParams", Set.of("modelPackageArn", "executionId"));
        for (var e : wired.entrySet()) {
            String src = source(LAMBDAS, e.getKey());
            Matcher m = Pattern.compile("public record \\w+\\(([^)]*)\\)").matcher(src);
            assertThat(m.find()).as(e.getKey()).isTrue();
            Set<String> components = Arrays.stream(m.group(1).split(","))
                    .map(String::strip).map(c -> c.substring(c.lastIndexOf(' ') + 1)).collect(Collectors.toSet());
            assertThat(components).as(e.getKey()).containsAll(e.getValue());
        }
    }

    /** Variables the pipeline references must be outputs the handlers export. */
    @Test
    void referencedOutputVariablesAreExportedByTheHandlers() throws Exception {
        Map<String, List<String>> exported = Map.of(
                "io.mlops.lambdas.etl.LaunchEtlHandler", List.of("JobRunId"),
                "io.mlops.lambdas.etl.MonitorEtlHandler", List.of("DatasetSha256"),
                "io.mlops.lambdas.training.LaunchTrainingHandler", List.of("TrainingJobName"),
                "io.mlops.lambdas.training.MonitorTrainingHandler", List.of("ModelDataUrl"),
                "io.mlops.lambdas.evaluation.EvaluateHandler",
                List.of("ModelPackageArn", "MetricsSummary", "GateMetric", "GateValue", "GateThreshold", "ChampionValue"));
        for (var e : exported.entrySet()) {
            String src = source(LAMBDAS, e.getKey());
            for (String variable : e.getValue()) {
                assertThat(src).as(e.getKey() + " exports " + variable).contains("\"" + variable + "\"");
            }
        }
        assertThat(MlopsPipeline.SOURCE_ARTIFACT).isEqualTo("SourceOutput");
        assertThat(source(LAMBDAS, "io.mlops.lambdas.etl.LaunchEtlParams")).contains("\"SourceOutput\"");
    }
}
