package io.mlops.lambdas.etl;

import static io.mlops.lambdas.testing.Fixtures.ARTIFACTS;
import static io.mlops.lambdas.testing.Fixtures.EXEC;
import io.mlops.contract.EnvNames;
import static io.mlops.lambdas.testing.AwsStub.PUT_JOB_FAILURE;
import static io.mlops.lambdas.testing.AwsStub.PUT_JOB_SUCCESS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.testing.AwsStub;
import io.mlops.lambdas.testing.Fixtures;
import io.mlops.lambdas.testing.TestContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MonitorEtlHandlerTest {
    @RegisterExtension
    static final AwsStub aws = new AwsStub();

    static final String GLUE_JOB = "mlops-etl";
    static final String RUN = "jr_5d8f0a3c9b7e6d5c4b3a29180716f5e4d3c2b1a09f8e7d6c5b4a392817060504";
    static final String GET_JOB_RUN = "AWSGlue.GetJobRun";
    static final String MANIFEST_KEY = "runs/" + EXEC + "/etl/manifest.json";
    static final String EVENT = Fixtures.event("monitor-etl.json");
    /** 2026-01-01T00:00:00Z */
    static final long STARTED = 1767225600L;
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(STARTED).plusSeconds(192), ZoneOffset.UTC);

    static final String MANIFEST = """
            {
              "executionId": "0f6c1e2a-7b7e-4c3f-9d2a-8c1b2a3d4e5f",
              "source": {"uri": "s3://mlops-data-123456789012/datasets/bank-additional.zip",
                         "member": "bank-additional/bank-additional-full.csv",
                         "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
              "rowsRead": 41188,
              "duplicates": 12,
              "rejected": {"total": 0, "byReason": {"unparseable_number:age": 0}},
              "splits": {
                "train":      {"rows": 28822, "positives": 3247, "positiveRate": 0.1127},
                "validation": {"rows": 6176,  "positives": 696,  "positiveRate": 0.1127},
                "test":       {"rows": 6178,  "positives": 696,  "positiveRate": 0.1127},
                "baseline":   {"rows": 28822}
              },
              "label": {"column": "y", "positive": "yes"},
              "columns": [{"name": "age", "type": "numeric"}]
            }
            """;

    static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put(EnvNames.GLUE_JOB_NAME, GLUE_JOB);
        env.put(EnvNames.ARTIFACT_BUCKET, ARTIFACTS);
        env.put(EnvNames.AWS_REGION, "us-east-1");
        return env;
    }

    static void invoke(Map<String, String> env, String event) {
        Fixtures.invoke(new MonitorEtlHandler(MonitorEtlHandler.Deps.of(new HandlerEnv(env), aws.clients(), CLOCK)), event,
                new TestContext());
    }

    static void invoke(String event) {
        invoke(env(), event);
    }

    static String run(String state, String extra) {
        return "{\"JobRun\":{\"Id\":\"" + RUN + "\",\"JobName\":\"" + GLUE_JOB + "\",\"JobRunState\":\"" + state
                + "\",\"StartedOn\":" + STARTED + ",\"Timeout\":30,\"Arguments\":{\"--execution-id\":\"" + EXEC
                + "\",\"--output\":\"s3://" + ARTIFACTS + "/runs/" + EXEC + "/etl/\"}" + extra + "}}";
    }

    @Test
    void keepsTheActionInProgressWithTheStateAndElapsedTime() {
        aws.ok(GET_JOB_RUN, run("RUNNING", ""));

        invoke(EVENT);

        JsonNode request = aws.onlyRequest(GET_JOB_RUN);
        assertThat(request.path("JobName").asText()).isEqualTo(GLUE_JOB);
        assertThat(request.path("RunId").asText()).isEqualTo(RUN);
        JsonNode progress = aws.jobSuccess();
        assertThat(progress.path("continuationToken").asText()).isEqualTo("{\"polls\":1}");
        assertThat(progress.path("executionDetails").path("summary").asText())
                .isEqualTo("Glue run " + RUN + " RUNNING for 3m 12s (poll 1)");
        assertThat(progress.has("outputVariables")).isFalse();
    }

    @Test
    void pollsAcrossInvocationsUntilSucceededThenExportsTheManifestCounts() {
        aws.sequence(GET_JOB_RUN, run("STARTING", ""), run("RUNNING", ""),
                run("SUCCEEDED", ",\"CompletedOn\":" + (STARTED + 3725)));
        aws.s3Object(ARTIFACTS, MANIFEST_KEY, MANIFEST.getBytes(StandardCharsets.UTF_8));

        invoke(EVENT);
        String token = aws.onlyRequest(PUT_JOB_SUCCESS).path("continuationToken").asText();
        assertThat(token).isEqualTo("{\"polls\":1}");

        aws.server().resetRequests();
        invoke(Fixtures.withContinuationToken(EVENT, token));
        JsonNode second = aws.onlyRequest(PUT_JOB_SUCCESS);
        assertThat(second.path("continuationToken").asText()).isEqualTo("{\"polls\":2}");
        assertThat(second.path("executionDetails").path("summary").asText()).contains("RUNNING", "(poll 2)");

        aws.server().resetRequests();
        invoke(Fixtures.withContinuationToken(EVENT, second.path("continuationToken").asText()));
        JsonNode done = aws.jobSuccess();
        assertThat(done.has("continuationToken")).isFalse();
        JsonNode vars = done.path("outputVariables");
        assertThat(vars.path("RowsRead").asText()).isEqualTo("41188");
        assertThat(vars.path("TrainRows").asText()).isEqualTo("28822");
        assertThat(vars.path("ValidationRows").asText()).isEqualTo("6176");
        assertThat(vars.path("TestRows").asText()).isEqualTo("6178");
        assertThat(vars.path("RejectedRows").asText()).isEqualTo("0");
        assertThat(vars.path("Duplicates").asText()).isEqualTo("12");
        assertThat(vars.path("DatasetSha256").asText()).isEqualTo("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
        assertThat(vars.path("EtlOutputUri").asText()).isEqualTo("s3://" + ARTIFACTS + "/runs/" + EXEC + "/etl/");
        assertThat(done.path("executionDetails").path("summary").asText())
                .contains("SUCCEEDED in 1h 02m 05s", "41188 rows read", "train 28822");
        assertThat(aws.allRequests()).anyMatch(r -> r.getUrl().equals("/" + ARTIFACTS + "/" + MANIFEST_KEY));
    }

    @Test
    void failsWithGluesErrorMessageAndTheLogLocationWhenTheRunFailsAfterPolling() {
        aws.sequence(GET_JOB_RUN, run("RUNNING", ""), run("FAILED", ",\"ErrorMessage\":\"EtlException: column 'y' "
                + "not found in bank-additional-full.csv; set label.column in the ETL settings\""));

        invoke(EVENT);
        String token = aws.onlyRequest(PUT_JOB_SUCCESS).path("continuationToken").asText();
        aws.server().resetRequests();
        invoke(Fixtures.withContinuationToken(EVENT, token));

        aws.assertJobFailed("JobFailed", "Glue run " + RUN, "ended FAILED",
                "column 'y' not found in bank-additional-full.csv", "/aws-glue/jobs/error", "/aws-glue/jobs/output",
                "log stream " + RUN);
    }

    @Test
    void failsNamingTheTimeoutSettingWhenTheRunTimedOut() {
        aws.ok(GET_JOB_RUN, run("TIMEOUT", ",\"CompletedOn\":" + (STARTED + 1800) + ",\"ErrorMessage\":\"Job run timed out\""));

        invoke(EVENT);

        String message = aws.jobFailure().path("message").asText();
        assertThat(message).contains("ended TIMEOUT after 30m 0s", "Job run timed out", "timeout of 30 minutes",
                "etl.timeoutMinutes");
    }

    @Test
    void failsSayingTheRunWasStoppedAndUsesItsOwnLogGroup() {
        aws.ok(GET_JOB_RUN, run("STOPPED", ",\"LogGroupName\":\"/mlops/glue/\""));

        invoke(EVENT);

        String message = aws.jobFailure().path("message").asText();
        assertThat(message).contains("ended STOPPED", "Glue gave no error message", "/mlops/glue/error", "stopped the run");
    }

    @Test
    void failsClearlyWhenTheSucceededRunWroteNoManifest() {
        aws.ok(GET_JOB_RUN, run("SUCCEEDED", ""));
        aws.s3Missing(ARTIFACTS, MANIFEST_KEY);

        invoke(EVENT);

        aws.assertJobFailed("JobFailed", "SUCCEEDED but wrote no manifest at s3://" + ARTIFACTS + "/"
                + MANIFEST_KEY, "docs/contracts/etl-job.md");
    }

    @Test
    void failsWhenTheManifestLosesRows() {
        aws.ok(GET_JOB_RUN, run("SUCCEEDED", ""));
        aws.s3Object(ARTIFACTS, MANIFEST_KEY, MANIFEST.replace("\"duplicates\": 12", "\"duplicates\": 2")
                .getBytes(StandardCharsets.UTF_8));

        invoke(EVENT);

        assertThat(aws.jobFailure().path("message").asText()).contains("breaks the invariant",
                "41188 != 28822 + 6176 + 6178 + 0 + 2 = 41178");
    }

    @Test
    void failsWhenTheManifestLacksAField() {
        aws.ok(GET_JOB_RUN, run("SUCCEEDED", ""));
        aws.s3Object(ARTIFACTS, MANIFEST_KEY, MANIFEST.replace("\"total\": 0", "\"count\": 0").getBytes(StandardCharsets.UTF_8));

        invoke(EVENT);

        assertThat(aws.jobFailure().path("message").asText()).contains("no non-negative integer 'rejected.total'", "found nothing");
    }

    @Test
    void failsWhenASplitIsEmpty() {
        aws.ok(GET_JOB_RUN, run("SUCCEEDED", ""));
        aws.s3Object(ARTIFACTS, MANIFEST_KEY, MANIFEST.replace("\"rowsRead\": 41188", "\"rowsRead\": 35010")
                .replace("\"rows\": 6178", "\"rows\": 0").getBytes(StandardCharsets.UTF_8));

        invoke(EVENT);

        assertThat(aws.jobFailure().path("message").asText()).contains("empty test split");
    }

    @Test
    void failsWhenTheManifestIsNotJson() {
        aws.ok(GET_JOB_RUN, run("SUCCEEDED", ""));
        aws.s3Object(ARTIFACTS, MANIFEST_KEY, "rowsRead=1".getBytes(StandardCharsets.UTF_8));

        invoke(EVENT);

        assertThat(aws.jobFailure().path("message").asText()).contains("manifest.json is not valid JSON");
    }

    @Test
    void failsWhenTheRunBelongsToAnotherExecution() {
        aws.ok(GET_JOB_RUN, run("RUNNING", "").replace("\"--execution-id\":\"" + EXEC, "\"--execution-id\":\"other-exec"));

        invoke(EVENT);

        aws.assertJobFailed("ConfigurationError", "belongs to pipeline execution other-exec", EXEC);
    }

    @Test
    void failsWhenGlueDoesNotKnowTheRun() {
        aws.error(GET_JOB_RUN, 400, "EntityNotFoundException", "Job run not found");

        invoke(EVENT);

        aws.assertJobFailed("JobFailed", RUN, "was not found", "Job run not found", "Retry");
    }

    @Test
    void retriesAThrottledGetJobRun() {
        aws.throttleOnceThen(GET_JOB_RUN, run("RUNNING", ""));

        invoke(EVENT);

        assertThat(aws.count(GET_JOB_RUN)).isEqualTo(2);
        assertThat(aws.jobSuccess().path("continuationToken").asText()).isEqualTo("{\"polls\":1}");
    }


    @Test
    void failsOnAMissingOrMalformedJobRunId() {
        Map<String, String> cases = Map.of(
                "{\"executionId\":\"" + EXEC + "\"}", "'jobRunId' is missing",
                "{\"executionId\":\"" + EXEC + "\",\"jobRunId\":\"run-1\"}", "received 'run-1'",
                "{\"executionId\":\"" + EXEC + "\",\"jobRunId\":\"#{EtlLaunch.JobRunId}\"}", "unresolved",
                "{\"executionId\":\"" + EXEC + "\",\"jobRunId\":\"" + RUN + "\",\"runId\":\"x\"}", "runId");
        cases.forEach((params, expected) -> {
            aws.server().resetRequests();
            invoke(Fixtures.withUserParameters(EVENT, params));
            aws.assertJobFailedFor(params, "ConfigurationError", expected);
            assertThat(aws.count(GET_JOB_RUN)).isZero();
        });
    }



    @Test
    void formatsDurationsForPeople() {
        assertThat(MonitorEtlHandler.formatDuration(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(MonitorEtlHandler.formatDuration(Duration.ofSeconds(192))).isEqualTo("3m 12s");
        assertThat(MonitorEtlHandler.formatDuration(Duration.ofSeconds(3725))).isEqualTo("1h 02m 05s");
    }
}
