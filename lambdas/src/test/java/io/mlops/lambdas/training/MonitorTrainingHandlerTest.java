package io.mlops.lambdas.training;

import io.mlops.contract.EnvNames;
import static io.mlops.lambdas.testing.AwsStub.PUT_JOB_FAILURE;
import static io.mlops.lambdas.testing.AwsStub.PUT_JOB_SUCCESS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.testing.AwsStub;
import io.mlops.lambdas.testing.Fixtures;
import io.mlops.lambdas.testing.TestContext;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MonitorTrainingHandlerTest {
    @RegisterExtension
    static final AwsStub aws = new AwsStub();

    static final String JOB = "mlops-train-0f6c1e2a-7b7e-4c3f-9d2a-8c1b2a3d4e5f";
    static final String DESCRIBE = "SageMaker.DescribeTrainingJob";
    static final String MODEL = "s3://mlops-artifacts-123456789012/runs/0f6c1e2a-7b7e-4c3f-9d2a-8c1b2a3d4e5f/training/"
            + JOB + "/output/model.tar.gz";
    static final String EVENT = Fixtures.event("monitor-training.json");

    static void invoke(String event) {
        Fixtures.invoke(new MonitorTrainingHandler(MonitorTrainingHandler.Deps.of(
                new HandlerEnv(Map.of(EnvNames.AWS_REGION, "us-east-1")), aws.clients())), event, new TestContext());
    }

    static String transitions(String... statusAndMessage) {
        StringBuilder s = new StringBuilder(",\"SecondaryStatusTransitions\":[");
        for (int i = 0; i < statusAndMessage.length; i += 2) {
            s.append(i == 0 ? "" : ",").append("{\"Status\":\"").append(statusAndMessage[i]).append("\",\"StartTime\":")
                    .append(1767225600L + i * 60L).append(",\"StatusMessage\":\"").append(statusAndMessage[i + 1]).append("\"}");
        }
        return s.append(']').toString();
    }

    static String job(String status, String secondary, String extra) {
        return "{\"TrainingJobName\":\"" + JOB + "\",\"TrainingJobArn\":\"arn:aws:sagemaker:us-east-1:123456789012:training-job/"
                + JOB + "\",\"TrainingJobStatus\":\"" + status + "\",\"SecondaryStatus\":\"" + secondary + "\","
                + "\"StoppingCondition\":{\"MaxRuntimeInSeconds\":3600}" + extra + "}";
    }

    static final String IN_PROGRESS = job("InProgress", "Training", transitions(
            "Starting", "Preparing the instances for training",
            "Downloading", "Downloading input data",
            "Training", "Training image download completed. Training in progress."));

    static final String COMPLETED = job("Completed", "Completed", ",\"ModelArtifacts\":{\"S3ModelArtifacts\":\"" + MODEL + "\"},"
            + "\"TrainingTimeInSeconds\":412,\"BillableTimeInSeconds\":398,\"FinalMetricDataList\":["
            + "{\"MetricName\":\"train:roc_auc\",\"Value\":0.8125,\"Timestamp\":1767226000},"
            + "{\"MetricName\":\"validation:roc_auc\",\"Value\":0.7931,\"Timestamp\":1767226000},"
            + "{\"MetricName\":\"validation:f1\",\"Value\":0.5,\"Timestamp\":1767226000}]");

    @Test
    void keepsTheActionInProgressShowingTheSecondaryStatusAndItsLatestMessage() {
        aws.ok(DESCRIBE, IN_PROGRESS);

        invoke(EVENT);

        assertThat(aws.onlyRequest(DESCRIBE).path("TrainingJobName").asText()).isEqualTo(JOB);
        JsonNode progress = aws.jobSuccess();
        assertThat(progress.path("continuationToken").asText()).isEqualTo("{\"polls\":1}");
        assertThat(progress.path("executionDetails").path("summary").asText()).isEqualTo("Training job " + JOB
                + " InProgress: Training - Training image download completed. Training in progress. (poll 1)");
    }

    @Test
    void pollsAcrossInvocationsUntilCompletedThenExportsTheModelAndMetrics() {
        aws.sequence(DESCRIBE, job("InProgress", "Starting", transitions("Starting", "Launching requested ML instances")),
                IN_PROGRESS, COMPLETED);

        invoke(EVENT);
        JsonNode first = aws.onlyRequest(PUT_JOB_SUCCESS);
        assertThat(first.path("executionDetails").path("summary").asText()).contains("Starting - Launching requested ML instances");
        aws.server().resetRequests();
        invoke(Fixtures.withContinuationToken(EVENT, first.path("continuationToken").asText()));
        JsonNode second = aws.onlyRequest(PUT_JOB_SUCCESS);
        assertThat(second.path("continuationToken").asText()).isEqualTo("{\"polls\":2}");
        aws.server().resetRequests();
        invoke(Fixtures.withContinuationToken(EVENT, second.path("continuationToken").asText()));

        JsonNode done = aws.jobSuccess();
        assertThat(done.has("continuationToken")).isFalse();
        JsonNode vars = done.path("outputVariables");
        assertThat(vars.path("ModelDataUrl").asText()).isEqualTo(MODEL);
        assertThat(vars.path("TrainingJobName").asText()).isEqualTo(JOB);
        assertThat(vars.path("BillableSeconds").asText()).isEqualTo("398");
        assertThat(vars.path("metric_train_roc_auc").asText()).isEqualTo("0.8125");
        assertThat(vars.path("metric_validation_roc_auc").asText()).isEqualTo("0.7931");
        assertThat(vars.path("metric_validation_f1").asText()).isEqualTo("0.5");
        assertThat(vars.size()).isEqualTo(6);
        vars.fieldNames().forEachRemaining(k -> assertThat(k).matches("[A-Za-z0-9@_-]+"));
        assertThat(done.path("executionDetails").path("summary").asText()).contains("Completed", "398 billable s", MODEL,
                "validation:roc_auc=0.7931");
    }

    @Test
    void pollsAcrossInvocationsUntilFailedThenFailsWithTheFailureReason() {
        aws.sequence(DESCRIBE, IN_PROGRESS, job("Failed", "Failed", ",\"FailureReason\":\"AlgorithmError: "
                + "label column y not found in /opt/ml/input/data/train/part-00000.csv, exit code: 1\""));

        invoke(EVENT);
        String token = aws.onlyRequest(PUT_JOB_SUCCESS).path("continuationToken").asText();
        aws.server().resetRequests();
        invoke(Fixtures.withContinuationToken(EVENT, token));

        aws.assertJobFailed("JobFailed", "training job " + JOB + " failed",
                "AlgorithmError: label column y not found", "/aws/sagemaker/TrainingJobs", JOB + "/algo-*",
                "https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/jobs/" + JOB);
    }

    @Test
    void failsNamingTheRuntimeSettingWhenSageMakerStoppedTheJobAtItsLimit() {
        aws.ok(DESCRIBE, job("Stopped", "MaxRuntimeExceeded", transitions("MaxRuntimeExceeded",
                "Training job runtime exceeded MaxRuntimeInSeconds provided")));

        invoke(EVENT);

        aws.assertJobFailed("JobFailed", "maximum runtime", "MaxRuntimeInSeconds 3600",
                "training.maxRuntimeSeconds");
    }

    @Test
    void failsNamingTheSpotSettingWhenTheSpotWaitRanOut() {
        aws.ok(DESCRIBE, job("Stopped", "MaxWaitTimeExceeded", ",\"StoppingCondition\":{\"MaxRuntimeInSeconds\":3600,"
                + "\"MaxWaitTimeInSeconds\":7200}").replace("\"StoppingCondition\":{\"MaxRuntimeInSeconds\":3600},", ""));

        invoke(EVENT);

        assertThat(aws.jobFailure().path("message").asText()).contains("MaxWaitTimeInSeconds (7200)", "training.spot.maxWaitSeconds");
    }

    @Test
    void failsSayingTheJobWasStoppedWhenSomeoneStoppedIt() {
        aws.ok(DESCRIBE, job("Stopped", "Stopped", ""));

        invoke(EVENT);

        String message = aws.jobFailure().path("message").asText();
        assertThat(message).contains("was stopped (Stopped)", "StopTrainingJob", "Retry the stage");
        assertThat(message).doesNotContain("maximum runtime");
    }

    @Test
    void keepsPollingWhileTheJobIsStopping() {
        aws.ok(DESCRIBE, job("Stopping", "Stopping", ""));

        invoke(EVENT);

        JsonNode progress = aws.jobSuccess();
        assertThat(progress.path("continuationToken").asText()).isEqualTo("{\"polls\":1}");
        assertThat(progress.path("executionDetails").path("summary").asText()).contains("Stopping: Stopping");
    }

    @Test
    void failsWhenTheCompletedJobReportsNoModel() {
        aws.ok(DESCRIBE, job("Completed", "Completed", ""));

        invoke(EVENT);

        assertThat(aws.jobFailure().path("message").asText()).contains("Completed but reports no model artifacts", "/opt/ml/model/");
    }

    @Test
    void failsWhenTheJobDoesNotExist() {
        aws.error(DESCRIBE, 400, "ResourceNotFound", "Resource not found");

        invoke(EVENT);

        aws.assertJobFailed("JobFailed", JOB, "does not exist", "ResourceNotFound",
                "#{TrainLaunch.TrainingJobName}");
    }

    @Test
    void failsWithSageMakersMessageWhenAMissingJobAnswersValidationExceptionAsSageMakerDoes() {
        aws.error(DESCRIBE, 400, "ValidationException", "Requested resource not found.");

        invoke(EVENT);

        aws.assertJobFailed("JobFailed", JOB, "ValidationException: Requested resource not found.",
                "#{TrainLaunch.TrainingJobName}");
    }

    @Test
    void retriesAThrottledDescribe() {
        aws.throttleOnceThen(DESCRIBE, IN_PROGRESS);

        invoke(EVENT);

        assertThat(aws.count(DESCRIBE)).isEqualTo(2);
        assertThat(aws.jobSuccess().path("continuationToken").asText()).isEqualTo("{\"polls\":1}");
    }


    @Test
    void failsOnAMissingOrInvalidTrainingJobName() {
        Map<String, String> cases = Map.of(
                "{}", "'trainingJobName' is missing",
                "{\"trainingJobName\":\"mlops_train_1\"}", "received 'mlops_train_1'",
                "{\"trainingJobName\":\"#{TrainLaunch.TrainingJobName}\"}", "unresolved",
                "{\"trainingJobName\":\"" + JOB + "\",\"executionId\":\"x\"}", "MonitorTrainingParams");
        cases.forEach((params, expected) -> {
            aws.server().resetRequests();
            invoke(Fixtures.withUserParameters(EVENT, params));
            aws.assertJobFailedFor(params, "ConfigurationError", expected);
            assertThat(aws.count(DESCRIBE)).isZero();
        });
    }

    @Test
    void metricNamesBecomeVariableSafeKeys() {
        assertThat(MonitorTrainingHandler.variableName("validation:roc_auc")).isEqualTo("metric_validation_roc_auc");
        assertThat(MonitorTrainingHandler.variableName("train loss (avg)/epoch")).isEqualTo("metric_train_loss__avg__epoch");
        assertThat(MonitorTrainingHandler.variableName("a@b-c_d")).isEqualTo("metric_a@b-c_d");
    }
}
