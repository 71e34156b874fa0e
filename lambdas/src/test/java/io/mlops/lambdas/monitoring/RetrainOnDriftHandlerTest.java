package io.mlops.lambdas.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlops.contract.EnvNames;
import io.mlops.lambdas.core.HandlerConfig;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.testing.AwsStub;
import io.mlops.lambdas.testing.Fixtures;
import io.mlops.lambdas.testing.TestContext;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RetrainOnDriftHandlerTest {
    @RegisterExtension
    static final AwsStub aws = new AwsStub();

    static final String LIST = "CodePipeline_20150709.ListPipelineExecutions";
    static final String START = "CodePipeline_20150709.StartPipelineExecution";
    static final String FUNCTION = "mlops-RetrainOnDrift";
    static final Instant NOW = Instant.parse("2026-12-03T15:20:00Z");
    static final String ROLE_SESSION = "arn:aws:sts::123456789012:assumed-role/mlops-retrain-role/" + FUNCTION;

    static JsonNode invoke(String event) {
        RetrainOnDriftHandler handler = new RetrainOnDriftHandler(new RetrainOnDriftHandler.Deps(aws.clients().codePipeline(),
                HandlerConfig.of(new RetrainConfig("mlops", 24, FUNCTION)), Clock.fixed(NOW, ZoneOffset.UTC)));
        return Fixtures.tree(Fixtures.invoke(handler, event, new TestContext()));
    }

    static String execution(String id, String status, Instant start, String triggerType, String detail) {
        return "{\"pipelineExecutionId\":\"" + id + "\",\"status\":\"" + status + "\",\"startTime\":" + start.getEpochSecond()
                + ",\"lastUpdateTime\":" + start.getEpochSecond() + ",\"trigger\":{\"triggerType\":\"" + triggerType
                + "\",\"triggerDetail\":\"" + detail + "\"}}";
    }

    static String page(String... executions) {
        return "{\"pipelineExecutionSummaries\":[" + String.join(",", executions) + "]}";
    }

    @BeforeEach
    void stubs() {
        aws.ok(START, "{\"pipelineExecutionId\":\"new-exec\"}");
    }

    @Test
    void startsOneExecutionWhenTheAlarmFiresAndNothingRecentWasStartedByIt() {
        aws.ok(LIST, page(
                execution("push", "Succeeded", NOW.minusSeconds(3600), "CloudWatchEvent", "arn:aws:events:rule/x"),
                execution("old-retrain", "Succeeded", NOW.minusSeconds(30 * 3600), "StartPipelineExecution", ROLE_SESSION)));

        JsonNode out = invoke(Fixtures.event("drift-alarm-state-change.json"));

        assertThat(out.path("status").asText()).isEqualTo(RetrainDecision.STARTED);
        assertThat(out.path("pipelineExecutionId").asText()).isEqualTo("new-exec");
        JsonNode start = aws.onlyRequest(START);
        assertThat(start.path("name").asText()).isEqualTo("mlops");
        assertThat(start.path("clientRequestToken").asText()).isEqualTo("drift-retrain-" + NOW.getEpochSecond() / (24 * 3600));
    }

    @Test
    void skipsWhenItStartedARetrainWithinTheInterval() {
        aws.ok(LIST, page(execution("recent-retrain", "Failed", NOW.minusSeconds(5 * 3600), "StartPipelineExecution", ROLE_SESSION)));

        JsonNode out = invoke(Fixtures.event("drift-alarm-state-change.json"));

        assertThat(out.path("status").asText()).isEqualTo(RetrainDecision.SKIPPED);
        assertThat(out.path("pipelineExecutionId").asText()).isEqualTo("recent-retrain");
        assertThat(out.path("reason").asText()).contains("within the last 24 h");
        assertThat(aws.count(START)).isZero();
    }

    @Test
    void aPersonsManualStartDoesNotCountAsARetrain() {
        aws.ok(LIST, page(execution("manual", "Succeeded", NOW.minusSeconds(600), "StartPipelineExecution",
                "arn:aws:sts::123456789012:assumed-role/Admin/alice")));

        assertThat(invoke(Fixtures.event("drift-alarm-state-change.json")).path("status").asText()).isEqualTo(RetrainDecision.STARTED);
    }

    @Test
    void skipsWhileAnExecutionIsInProgress() {
        aws.ok(LIST, page(execution("running", "InProgress", NOW.minusSeconds(600), "CloudWatchEvent", "rule")));

        JsonNode out = invoke(Fixtures.event("drift-alarm-state-change.json"));

        assertThat(out.path("status").asText()).isEqualTo(RetrainDecision.SKIPPED);
        assertThat(out.path("reason").asText()).contains("in progress");
        assertThat(aws.count(START)).isZero();
    }

    @Test
    void skipsAReturnToOk() {
        String ok = Fixtures.event("drift-alarm-state-change.json").replace("\"value\": \"ALARM\"", "\"value\": \"OK\"");

        JsonNode out = invoke(ok);

        assertThat(out.path("status").asText()).isEqualTo(RetrainDecision.SKIPPED);
        assertThat(aws.count(LIST)).isZero();
        assertThat(aws.count(START)).isZero();
    }

    @Test
    void failsOnAnEventThatIsNoAlarmStateChange() {
        assertThatThrownBy(() -> invoke("{\"source\":\"aws.s3\"}")).hasMessageContaining("not a CloudWatch alarm state change");
    }

    @Test
    void failsOnABadIntervalWithTheKeyAndTheValue() {
        assertThatThrownBy(() -> RetrainConfig.from(new HandlerEnv(Map.of(EnvNames.PIPELINE_NAME, "mlops",
                EnvNames.RETRAIN_MIN_INTERVAL_HOURS, "0", "AWS_LAMBDA_FUNCTION_NAME", FUNCTION))))
                .hasMessageContaining(EnvNames.RETRAIN_MIN_INTERVAL_HOURS).hasMessageContaining("'0'")
                .hasMessageContaining("mlops:monitor:retrainMinIntervalHours");
    }
}
