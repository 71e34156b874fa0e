package io.mlops.lambdas.pipeline;

import io.mlops.contract.EnvNames;
import static io.mlops.lambdas.testing.AwsStub.PUT_JOB_FAILURE;
import static io.mlops.lambdas.testing.AwsStub.PUT_JOB_SUCCESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import io.mlops.lambdas.settings.RunSettings;
import io.mlops.lambdas.testing.AwsStub;
import io.mlops.lambdas.testing.Fixtures;
import io.mlops.lambdas.testing.TestContext;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;

/** The job protocol every pipeline handler shares, exercised through a small test handler. */
class PipelineJobHandlerTest {
    @RegisterExtension
    static final AwsStub aws = new AwsStub();

    record EchoParams(String executionId, String sourceArtifact, String settingsPath) implements UserParameters {
        @Override
        public void validate() {
            UserParameters.requireText(executionId, "executionId");
        }
    }

    record Poll(int polls) {
    }

    /** Behaves as the function under test tells it to. */
    static final class EchoHandler extends PipelineJobHandler<EchoParams> {
        private final Function<PipelineJob<EchoParams>, JobOutcome> behaviour;

        EchoHandler(Function<PipelineJob<EchoParams>, JobOutcome> behaviour) {
            super(EchoParams.class, aws.clients().codePipeline());
            this.behaviour = behaviour;
        }

        @Override
        protected JobOutcome run(PipelineJob<EchoParams> job, Context context) {
            return behaviour.apply(job);
        }
    }

    private static final String EVENT = Fixtures.event("codepipeline-job.json");

    private static JsonNode run(Function<PipelineJob<EchoParams>, JobOutcome> behaviour, String event) {
        Fixtures.invoke(new EchoHandler(behaviour), event, new TestContext());
        return null;
    }

    @Test
    void reportsSuccessWithOutputVariablesAndRequestId() {
        run(job -> JobOutcome.succeeded("done " + job.params().executionId(), Map.of("JobRunId", "jr_1")), EVENT);

        JsonNode body = aws.onlyRequest(PUT_JOB_SUCCESS);
        assertThat(body.path("jobId").asText()).isEqualTo("a1b2c3d4-1111-2222-3333-444455556666");
        assertThat(body.path("outputVariables").path("JobRunId").asText()).isEqualTo("jr_1");
        assertThat(body.path("executionDetails").path("summary").asText()).isEqualTo("done 0f6c1e2a-7b7e-4c3f-9d2a-8c1b2a3d4e5f");
        assertThat(body.path("executionDetails").path("externalExecutionId").asText()).isEqualTo(TestContext.REQUEST_ID);
        assertThat(body.has("continuationToken")).isFalse();
        assertThat(aws.count(PUT_JOB_FAILURE)).isZero();
    }

    @Test
    void failsTheJobWithCodePipelinesReasonWhenTheSuccessReportIsRejected() {
        aws.error(PUT_JOB_SUCCESS, 400, "OutputVariablesSizeExceededException",
                "Exceeded the total size limit for all variables in the pipeline");

        run(job -> JobOutcome.succeeded("done", Map.of("Big", "x".repeat(100))), EVENT);

        assertThat(aws.count(PUT_JOB_SUCCESS)).isEqualTo(1);
        JsonNode failure = aws.onlyRequest(PUT_JOB_FAILURE);
        assertThat(failure.path("failureDetails").path("type").asText()).isEqualTo("JobFailed");
        assertThat(failure.path("failureDetails").path("message").asText())
                .contains("rejected the success report", "OutputVariablesSizeExceededException", TestContext.REQUEST_ID);
    }

    @Test
    void sendsNoSecondReportForAJobCodePipelineNoLongerKnows() {
        aws.error(PUT_JOB_SUCCESS, 400, "JobNotFoundException", "The job was not found");

        run(job -> JobOutcome.succeeded("done", Map.of()), EVENT);

        assertThat(aws.count(PUT_JOB_FAILURE)).isZero();
    }

    @Test
    void continuationTokenRoundTripsTypedState() {
        run(job -> JobOutcome.inProgress("polling", new Poll(1)), EVENT);
        String token = aws.onlyRequest(PUT_JOB_SUCCESS).path("continuationToken").asText();
        assertThat(token).isEqualTo("{\"polls\":1}");

        aws.server().resetRequests();
        run(job -> JobOutcome.succeeded("polls=" + job.continuation(Poll.class).polls(), Map.of()),
                Fixtures.withContinuationToken(EVENT, token));
        assertThat(aws.onlyRequest(PUT_JOB_SUCCESS).path("executionDetails").path("summary").asText()).isEqualTo("polls=1");
    }

    @Test
    void failsJobWithTheMessageOfAJobFailedException() {
        run(job -> {
            throw JobFailedException.jobFailed("quality gate: auc 0.70 < 0.75");
        }, EVENT);

        JsonNode failure = aws.onlyRequest(PUT_JOB_FAILURE).path("failureDetails");
        assertThat(failure.path("type").asText()).isEqualTo("JobFailed");
        assertThat(failure.path("message").asText()).isEqualTo("quality gate: auc 0.70 < 0.75");
        assertThat(failure.path("externalExecutionId").asText()).isEqualTo(TestContext.REQUEST_ID);
        assertThat(aws.count(PUT_JOB_SUCCESS)).isZero();
    }

    @Test
    void failsJobOnUnexpectedExceptionInsteadOfTimingOut() {
        run(job -> {
            throw new NullPointerException("boom");
        }, EVENT);

        JsonNode failure = aws.onlyRequest(PUT_JOB_FAILURE).path("failureDetails");
        assertThat(failure.path("type").asText()).isEqualTo("JobFailed");
        assertThat(failure.path("message").asText())
                .contains("Echo failed unexpectedly", "NullPointerException", "boom", TestContext.REQUEST_ID);
    }

    @Test
    void failsJobWithTheServiceErrorWhenAnAwsCallFails() {
        aws.error("SageMaker.DescribeTrainingJob", 400, "AccessDeniedException",
                "User is not authorized to perform: sagemaker:DescribeTrainingJob");
        SageMakerClient sageMaker = aws.clients().sageMaker();
        run(job -> {
            sageMaker.describeTrainingJob(r -> r.trainingJobName("x"));
            return JobOutcome.succeeded("unreachable", Map.of());
        }, EVENT);

        JsonNode failure = aws.onlyRequest(PUT_JOB_FAILURE).path("failureDetails");
        assertThat(failure.path("type").asText()).isEqualTo("PermissionError");
        assertThat(failure.path("message").asText()).contains("AccessDeniedException",
                "not authorized to perform: sagemaker:DescribeTrainingJob", "request id req-AccessDeniedException",
                "lambdas/README.md");
    }

    @Test
    void retriesAThrottledCallThenSucceeds() {
        aws.throttleOnceThen("SageMaker.DescribeTrainingJob", "{\"TrainingJobName\":\"x\",\"TrainingJobStatus\":\"InProgress\"}");
        SageMakerClient sageMaker = aws.clients().sageMaker();
        run(job -> JobOutcome.succeeded(sageMaker.describeTrainingJob(r -> r.trainingJobName("x"))
                .trainingJobStatusAsString(), Map.of()), EVENT);

        assertThat(aws.count("SageMaker.DescribeTrainingJob")).isEqualTo(2);
        assertThat(aws.onlyRequest(PUT_JOB_SUCCESS).path("executionDetails").path("summary").asText()).isEqualTo("InProgress");
    }

    @Test
    void failsWithConfigurationErrorWhenUserParametersAreMissing() {
        String event = Fixtures.withUserParameters(EVENT, "");
        run(job -> JobOutcome.succeeded("unreachable", Map.of()), event);

        JsonNode failure = aws.onlyRequest(PUT_JOB_FAILURE).path("failureDetails");
        assertThat(failure.path("type").asText()).isEqualTo("ConfigurationError");
        assertThat(failure.path("message").asText()).contains("no UserParameters", "EchoParams");
    }

    @Test
    void failsWithConfigurationErrorNamingAnUnknownUserParameter() {
        run(job -> JobOutcome.succeeded("unreachable", Map.of()),
                Fixtures.withUserParameters(EVENT, "{\"executionId\":\"e1\",\"exectionId\":\"typo\"}"));

        String message = aws.onlyRequest(PUT_JOB_FAILURE).path("failureDetails").path("message").asText();
        assertThat(message).contains("exectionId", "UserParameters do not match EchoParams");
    }

    @Test
    void failsWithConfigurationErrorWhenUserParametersAreNotJson() {
        run(job -> JobOutcome.succeeded("unreachable", Map.of()), Fixtures.withUserParameters(EVENT, "executionId=1"));

        String message = aws.onlyRequest(PUT_JOB_FAILURE).path("failureDetails").path("message").asText();
        assertThat(message).contains("not valid JSON", "Received: executionId=1");
    }

    @Test
    void failsWhenACodePipelineVariableWasNotResolved() {
        run(job -> JobOutcome.succeeded("unreachable", Map.of()),
                Fixtures.withUserParameters(EVENT, "{\"executionId\":\"#{codepipeline.PipelineExecutionId}\"}"));

        String message = aws.onlyRequest(PUT_JOB_FAILURE).path("failureDetails").path("message").asText();
        assertThat(message).contains("unresolved", "#{codepipeline.PipelineExecutionId}", "executionId");
    }

    @Test
    void failsTheInvocationItselfWhenTheEventIsNotACodePipelineJob() {
        EchoHandler handler = new EchoHandler(job -> JobOutcome.succeeded("x", Map.of()));
        assertThatThrownBy(() -> Fixtures.invoke(handler, "{\"detail-type\":\"Scheduled Event\"}", new TestContext()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'CodePipeline.job.id' is missing");
        assertThatThrownBy(() -> Fixtures.invoke(handler, "not json", new TestContext()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid JSON");
        assertThat(aws.count(PUT_JOB_SUCCESS) + aws.count(PUT_JOB_FAILURE)).isZero();
    }

    @Test
    void failsWithConfigurationErrorWhenTheFunctionLacksAnEnvironmentVariable() {
        io.mlops.lambdas.core.HandlerEnv env = new io.mlops.lambdas.core.HandlerEnv(Map.of());
        run(job -> JobOutcome.succeeded(env.require(io.mlops.contract.EnvNames.GLUE_JOB_NAME), Map.of()), EVENT);

        JsonNode failure = aws.onlyRequest(PUT_JOB_FAILURE).path("failureDetails");
        assertThat(failure.path("type").asText()).isEqualTo("ConfigurationError");
        assertThat(failure.path("message").asText()).contains("GLUE_JOB_NAME is not set", "cdk deploy");
    }

    @Test
    void failsWithStatusAndMessageWhenAnAwsErrorHasNoBody() {
        aws.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
                com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/"))
                .withHeader("X-Amz-Target", com.github.tomakehurst.wiremock.client.WireMock.equalTo("SageMaker.DescribeTrainingJob"))
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(403)));
        SageMakerClient sageMaker = aws.clients().sageMaker();
        run(job -> {
            sageMaker.describeTrainingJob(r -> r.trainingJobName("x"));
            return JobOutcome.succeeded("unreachable", Map.of());
        }, EVENT);

        JsonNode failure = aws.onlyRequest(PUT_JOB_FAILURE).path("failureDetails");
        assertThat(failure.path("type").asText()).isEqualTo("PermissionError");
        assertThat(failure.path("message").asText()).contains("SageMaker returned an error (HTTP 403)", "Service returned HTTP status code 403")
                .doesNotContain("request id null");
    }

    @Test
    void truncatesOverlongFailureMessagesToTheApiLimit() {
        run(job -> {
            throw JobFailedException.jobFailed("x".repeat(9000));
        }, EVENT);
        assertThat(aws.onlyRequest(PUT_JOB_FAILURE).path("failureDetails").path("message").asText())
                .hasSize(JobReporter.MAX_FAILURE_MESSAGE).endsWith("...");
    }

    @Test
    void readsRunSettingsFromTheSourceArtifactWithArtifactCredentials() {
        aws.s3Object("mlops-artifacts-123456789012", "mlops-pipeline/SourceOutp/Ab3dEfG", Fixtures.zip(Map.of(
                "README.md", "# repo", "config/run-settings.json", "{\"qualityGate\":{\"threshold\":0.8}}")));
        ArtifactStore store = new ArtifactStore(aws.clients());
        run(job -> {
            byte[] bytes = store.readFile(job, job.params().sourceArtifact(), job.params().settingsPath());
            RunSettings settings = RunSettings.parse(bytes, "config/run-settings.json");
            return JobOutcome.succeeded("threshold=" + settings.qualityGate().threshold(), Map.of());
        }, EVENT);

        assertThat(aws.onlyRequest(PUT_JOB_SUCCESS).path("executionDetails").path("summary").asText()).isEqualTo("threshold=0.8");
        var get = aws.allRequests().stream().filter(r -> r.getMethod().getName().equals("GET")).findFirst().orElseThrow();
        assertThat(get.getHeader("Authorization")).contains("Credential=ASIAEXAMPLEARTIFACTS/");
        assertThat(get.getHeader("X-Amz-Security-Token")).isEqualTo("FwoGZXIvYXdzEXAMPLEtoken");
    }

    @Test
    void failsWithConfigurationErrorWhenTheSettingsFileIsNotInTheArtifact() {
        aws.s3Object("mlops-artifacts-123456789012", "mlops-pipeline/SourceOutp/Ab3dEfG",
                Fixtures.zip(Map.of("README.md", "# repo")));
        ArtifactStore store = new ArtifactStore(aws.clients());
        run(job -> {
            store.readFile(job, "SourceOutput", "config/run-settings.json");
            return JobOutcome.succeeded("unreachable", Map.of());
        }, EVENT);

        JsonNode failure = aws.onlyRequest(PUT_JOB_FAILURE).path("failureDetails");
        assertThat(failure.path("type").asText()).isEqualTo("ConfigurationError");
        assertThat(failure.path("message").asText()).contains("'config/run-settings.json' is not in input artifact 'SourceOutput'",
                "README.md");
    }

    @Test
    void failsWhenTheArtifactIsGone() {
        aws.s3Missing("mlops-artifacts-123456789012", "mlops-pipeline/SourceOutp/Ab3dEfG");
        ArtifactStore store = new ArtifactStore(aws.clients());
        run(job -> {
            store.readFile(job, "SourceOutput", "config/run-settings.json");
            return JobOutcome.succeeded("unreachable", Map.of());
        }, EVENT);
        JsonNode failure = aws.onlyRequest(PUT_JOB_FAILURE).path("failureDetails");
        assertThat(failure.path("type").asText()).isEqualTo("RevisionUnavailable");
    }

    @Test
    void failsWhenAnInputArtifactIsNotPresent() {
        ArtifactStore store = new ArtifactStore(aws.clients());
        run(job -> {
            store.readFile(job, "BuildOutput", "x");
            return JobOutcome.succeeded("unreachable", Map.of());
        }, EVENT);
        assertThat(aws.onlyRequest(PUT_JOB_FAILURE).path("failureDetails").path("message").asText())
                .contains("'BuildOutput' is not an input", "[SourceOutput]");
    }

    @Test
    void continuationStateOverTheTokenLimitIsAProgrammingError() {
        assertThatThrownBy(() -> ContinuationState.encode(Map.of("x", "y".repeat(3000))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("over CodePipeline's limit of 2048");
    }
}
