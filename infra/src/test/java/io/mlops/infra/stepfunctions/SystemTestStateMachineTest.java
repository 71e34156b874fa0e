package io.mlops.infra.stepfunctions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlops.infra.NodeTools;
import io.mlops.infra.TestApps;
import io.mlops.infra.constructs.SystemTestWorkflow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.assertions.Template;

/**
 * The system-test state machine exactly as synthesized: validated with asl-validator and executed
 * with aws-local-stepfunctions (Node 22), the endpoint-test Lambda replaced by local handlers.
 */
class SystemTestStateMachineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:mlops-endpoint-test";
    private static JsonNode definition;
    private static Path definitionFile;
    private static Path inputFile;

    @BeforeAll
    static void extract(@TempDir Path dir) throws Exception {
        JsonNode template = JSON.valueToTree(Template.fromStack(TestApps.gatedStack()).toJSON());
        JsonNode machine = null;
        for (JsonNode r : template.path("Resources")) {
            if (r.path("Type").asText().equals("AWS::StepFunctions::StateMachine")) {
                machine = r;
            }
        }
        assertThat(machine).as("state machine in the template").isNotNull();
        // Resolve the Fn::Join: the only token is the endpoint test function's ARN.
        StringBuilder text = new StringBuilder();
        for (JsonNode part : machine.path("Properties").path("DefinitionString").path("Fn::Join").get(1)) {
            if (part.isTextual()) {
                text.append(part.asText());
            } else {
                assertThat(part.path("Fn::GetAtt").get(0).asText()).startsWith("SystemTestEndpointTestFunction");
                text.append(FUNCTION_ARN);
            }
        }
        definition = JSON.readTree(text.toString());
        definitionFile = Files.writeString(dir.resolve("definition.json"), text.toString());
        ObjectNode input = JSON.createObjectNode();
        input.put("endpointName", "mlops-dev");
        input.put("testDataUri", "s3://artifacts/runs/exec-1/etl/test/");
        input.put("reportUri", "s3://artifacts/runs/exec-1/system-test/");
        input.put("executionId", "exec-1");
        input.put("minRocAuc", 0.75);
        input.put("maxP99Millis", 1000);
        input.put("maxRows", 5000);
        inputFile = Files.writeString(dir.resolve("input.json"), input.toString());
    }

    private static JsonNode runLocally(String scenario) throws Exception {
        Path driver = TestApps.REPO_ROOT.resolve("infra/src/test/sfn/run-local.mjs");
        NodeTools.Result r = NodeTools.run(List.of(NodeTools.requireNode22().toString(), driver.toString(),
                definitionFile.toString(), scenario, inputFile.toString()), TestApps.REPO_ROOT);
        assertThat(r.exit()).as(r.stderr()).isZero();
        return JSON.readTree(r.stdout().strip());
    }

    @Test
    void definitionIsValidAmazonStatesLanguage() {
        NodeTools.Result r = NodeTools.run(List.of(NodeTools.requireNode22().toString(),
                NodeTools.script("asl-validator/dist/bin/asl-validator.js").toString(), "--json-path", definitionFile.toString()),
                TestApps.REPO_ROOT);
        assertThat(r.exit()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains("is valid");
    }

    @Test
    void invokesTheEndpointTestLambdaWithRetriesOnTransientErrors() {
        JsonNode task = definition.path("States").path(SystemTestWorkflow.TASK);
        assertThat(task.path("Type").asText()).isEqualTo("Task");
        assertThat(task.path("Resource").asText()).isEqualTo(FUNCTION_ARN);
        JsonNode retry = task.path("Retry").get(0);
        assertThat(retry.path("ErrorEquals")).extracting(JsonNode::asText)
                .containsExactlyElementsOf(SystemTestWorkflow.RETRIED_ERRORS);
        assertThat(retry.path("MaxAttempts").asInt()).isEqualTo(3);
        assertThat(retry.path("IntervalSeconds").asInt()).isEqualTo(5);
        assertThat(retry.path("BackoffRate").asDouble()).isEqualTo(2.0);
        assertThat(definition.path("States").path(SystemTestWorkflow.CHOICE).path("Type").asText()).isEqualTo("Choice");
    }

    @Test
    void passingVerdictSucceedsWithTheTestResult() throws Exception {
        JsonNode run = runLocally("pass");
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("output").path("verdict").asText()).isEqualTo("PASS");
        assertThat(run.path("taskCalls").asInt()).isEqualTo(1);
        // The task receives the pipeline's input unchanged (docs/contracts/endpoint-test.md).
        assertThat(run.path("inputs").get(0)).isEqualTo(JSON.readTree(Files.readString(inputFile)));
    }

    @Test
    void failingVerdictFailsTheExecutionWithEveryFailedCheck() throws Exception {
        JsonNode run = runLocally("fail");
        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(run.path("cause").path("name").asText()).isEqualTo("EndpointTestFailed");
        assertThat(run.path("message").asText())
                .contains("DEV endpoint failed its system test")
                .contains("ROC AUC 0.61 is below the minimum 0.75")
                .contains("p99 latency 1500 ms is above the maximum 1000 ms")
                .contains("s3://artifacts/runs/exec-1/system-test/report.json");
    }

    @Test
    void missingVerdictFailsClearlyInsteadOfARuntimeError() throws Exception {
        JsonNode run = runLocally("no-verdict");
        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(run.path("cause").path("name").asText()).isEqualTo("EndpointTestUnknownVerdict");
    }

    @Test
    void throttledInvocationsAreRetriedThenPass() throws Exception {
        JsonNode run = runLocally("throttled-then-pass");
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("taskCalls").asInt()).isEqualTo(3);
    }

    @Test
    void retriesStopAfterMaxAttemptsAndFailWithTheCause() throws Exception {
        JsonNode run = runLocally("always-throttled");
        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(run.path("cause").path("name").asText()).isEqualTo("Lambda.TooManyRequestsException");
        assertThat(run.path("taskCalls").asInt()).isEqualTo(4);
    }

    @Test
    void infrastructureErrorsAreNotRetriedAndFailWithTheCause() throws Exception {
        JsonNode run = runLocally("infra-error");
        assertThat(run.path("status").asText()).isEqualTo("FAILED");
        assertThat(run.path("taskCalls").asInt()).isEqualTo(1);
        assertThat(run.path("message").asText()).contains("endpoint mlops-dev does not exist");
    }
}
