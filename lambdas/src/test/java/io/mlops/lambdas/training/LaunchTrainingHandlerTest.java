package io.mlops.lambdas.training;

import static io.mlops.lambdas.testing.Fixtures.ARTIFACTS;
import static io.mlops.lambdas.testing.Fixtures.COMMIT;
import static io.mlops.lambdas.testing.Fixtures.EXEC;
import static io.mlops.lambdas.testing.Fixtures.IMAGE;
import static io.mlops.lambdas.testing.Fixtures.KMS;
import static io.mlops.lambdas.testing.Fixtures.ROLE;
import static io.mlops.lambdas.testing.Fixtures.SOURCE_KEY;
import io.mlops.contract.EnvNames;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.mlops.lambdas.testing.AwsStub.PUT_JOB_FAILURE;
import static io.mlops.lambdas.testing.AwsStub.PUT_JOB_SUCCESS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.naming.JobNames;
import io.mlops.lambdas.testing.AwsStub;
import io.mlops.lambdas.testing.Fixtures;
import io.mlops.lambdas.testing.TestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LaunchTrainingHandlerTest {
    @RegisterExtension
    static final AwsStub aws = new AwsStub();

    static final String DESCRIBE = "SageMaker.DescribeTrainingJob";
    static final String CREATE = "SageMaker.CreateTrainingJob";
    static final String JOB = "mlops-train-" + EXEC;
    static final String EVENT = Fixtures.event("launch-training.json");
    static final String NOT_FOUND = "Requested resource not found.";

    static final String RUN_SETTINGS = """
            {
              "training": {
                "instanceType": "ml.m5.xlarge",
                "instanceCount": 2,
                "volumeSizeGb": 30,
                "maxRuntimeSeconds": 5400,
                "hyperparameters": {"algorithm": "hist_gradient_boosting", "max_iter": 200, "learning_rate": 0.05,
                                    "early_stopping": true, "class_weight": {"0": 1, "1": 3}}
              }
            }
            """;

    static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put(EnvNames.ARTIFACT_BUCKET, ARTIFACTS);
        env.put(EnvNames.SAGEMAKER_ROLE_ARN, ROLE);
        env.put(EnvNames.AWS_REGION, "us-east-1");
        return env;
    }

    static void invoke(Map<String, String> env, String event) {
        Fixtures.invoke(new LaunchTrainingHandler(LaunchTrainingHandler.Deps.of(new HandlerEnv(env), aws.clients())),
                event, new TestContext());
    }

    static void invoke(String event) {
        invoke(env(), event);
    }

    static void source(String runSettings) {
        aws.s3Object(ARTIFACTS, SOURCE_KEY, Fixtures.zip(Map.of("README.md", "# repo", "config/run-settings.json", runSettings)));
    }

    /** DescribeTrainingJob of {@code name} answers 200 with {@code body}. */
    static void describes(String name, String body) {
        aws.server().stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(DESCRIBE))
                .withRequestBody(matchingJsonPath("$.TrainingJobName", equalTo(name)))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1").withBody(body)));
    }

    /** CreateTrainingJob of {@code name} answers the documented ResourceInUse: the job exists. */
    static void inUse(String name) {
        aws.server().stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(CREATE))
                .withRequestBody(matchingJsonPath("$.TrainingJobName", equalTo(name)))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"__type\":\"ResourceInUse\",\"message\":\"Training job names must be unique within "
                                + "an AWS account and region, and a training job with this name already exists (" + name + ")\"}")));
    }

    /** DescribeTrainingJob of {@code name} answers as SageMaker does for a missing job. */
    static void missing(String name) {
        aws.server().stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(DESCRIBE))
                .withRequestBody(matchingJsonPath("$.TrainingJobName", equalTo(name)))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withHeader("x-amzn-RequestId", "req-describe")
                        .withBody("{\"__type\":\"ValidationException\",\"message\":\"" + NOT_FOUND + "\"}")));
    }

    static String job(String name, String status, String extra) {
        return "{\"TrainingJobName\":\"" + name + "\",\"TrainingJobArn\":\"arn:aws:sagemaker:us-east-1:123456789012:training-job/"
                + name + "\",\"TrainingJobStatus\":\"" + status + "\",\"SecondaryStatus\":\"Training\",\"OutputDataConfig\":"
                + "{\"S3OutputPath\":\"s3://" + ARTIFACTS + "/runs/" + EXEC + "/training/\"}" + extra + "}";
    }

    static String created(String name) {
        return "{\"TrainingJobArn\":\"arn:aws:sagemaker:us-east-1:123456789012:training-job/" + name + "\"}";
    }

    static Map<String, String> map(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    static Map<String, String> tags(JsonNode request) {
        Map<String, String> out = new LinkedHashMap<>();
        request.path("Tags").forEach(t -> out.put(t.path("Key").asText(), t.path("Value").asText()));
        return out;
    }

    @Test
    void createsTheTrainingJobWithThePinnedImageTheEtlChannelsAndTheRunSettings() {
        source(RUN_SETTINGS);
        missing(JOB);
        aws.ok(CREATE, created(JOB));

        invoke(EVENT);

        JsonNode r = aws.onlyRequest(CREATE);
        assertThat(r.path("TrainingJobName").asText()).isEqualTo(JOB);
        assertThat(r.path("RoleArn").asText()).isEqualTo(ROLE);
        JsonNode algo = r.path("AlgorithmSpecification");
        assertThat(algo.path("TrainingImage").asText()).isEqualTo(IMAGE);
        assertThat(algo.path("TrainingInputMode").asText()).isEqualTo("File");
        List<String> metricNames = new ArrayList<>();
        algo.path("MetricDefinitions").forEach(m -> {
            metricNames.add(m.path("Name").asText());
            assertThat(m.path("Regex").asText()).isEqualTo("METRIC " + m.path("Name").asText() + "=([-+0-9.eE]+)");
        });
        assertThat(metricNames).containsExactly("train:roc_auc", "validation:roc_auc", "validation:pr_auc", "validation:f1",
                "validation:accuracy");
        assertThat(java.util.regex.Pattern.compile(algo.path("MetricDefinitions").get(1).path("Regex").asText())
                .matcher("METRIC validation:roc_auc=0.7931").results().map(m -> m.group(1)).toList()).containsExactly("0.7931");

        JsonNode channels = r.path("InputDataConfig");
        assertThat(channels).hasSize(2);
        for (int i = 0; i < 2; i++) {
            String name = List.of("train", "validation").get(i);
            JsonNode ch = channels.get(i);
            assertThat(ch.path("ChannelName").asText()).isEqualTo(name);
            assertThat(ch.path("ContentType").asText()).isEqualTo("text/csv");
            JsonNode s3 = ch.path("DataSource").path("S3DataSource");
            assertThat(s3.path("S3DataType").asText()).isEqualTo("S3Prefix");
            assertThat(s3.path("S3Uri").asText()).isEqualTo("s3://" + ARTIFACTS + "/runs/" + EXEC + "/etl/" + name + "/");
            assertThat(s3.path("S3DataDistributionType").asText()).isEqualTo("FullyReplicated");
        }
        assertThat(r.path("OutputDataConfig").path("S3OutputPath").asText()).isEqualTo("s3://" + ARTIFACTS + "/runs/" + EXEC + "/training/");
        assertThat(r.path("OutputDataConfig").has("KmsKeyId")).isFalse();
        JsonNode res = r.path("ResourceConfig");
        assertThat(res.path("InstanceType").asText()).isEqualTo("ml.m5.xlarge");
        assertThat(res.path("InstanceCount").asInt()).isEqualTo(2);
        assertThat(res.path("VolumeSizeInGB").asInt()).isEqualTo(30);
        assertThat(res.has("KeepAlivePeriodInSeconds")).isFalse();
        assertThat(res.has("VolumeKmsKeyId")).isFalse();
        assertThat(r.path("StoppingCondition").path("MaxRuntimeInSeconds").asInt()).isEqualTo(5400);
        assertThat(r.path("StoppingCondition").has("MaxWaitTimeInSeconds")).isFalse();
        assertThat(r.has("EnableManagedSpotTraining")).isFalse();
        assertThat(r.has("CheckpointConfig")).isFalse();
        assertThat(r.path("HyperParameters").isObject()).isTrue();
        r.path("HyperParameters").forEach(v -> assertThat(v.isTextual()).as("hyperparameter %s is a string", v).isTrue());
        assertThat(map(r.path("HyperParameters"))).containsOnly(
                Map.entry("algorithm", "hist_gradient_boosting"), Map.entry("max_iter", "200"),
                Map.entry("learning_rate", "0.05"), Map.entry("early_stopping", "true"),
                Map.entry("class_weight", "{\"0\":1,\"1\":3}"));
        assertThat(r.path("EnableNetworkIsolation").asBoolean()).isTrue();
        assertThat(r.path("EnableInterContainerTrafficEncryption").asBoolean()).isTrue();
        assertThat(tags(r)).containsOnly(Map.entry("mlops:pipeline-execution-id", EXEC), Map.entry("mlops:commit-id", COMMIT),
                Map.entry("mlops:project", "mlops"));

        JsonNode ok = aws.jobSuccess();
        assertThat(ok.path("outputVariables").path("TrainingJobName").asText()).isEqualTo(JOB);
        assertThat(ok.path("outputVariables").path("TrainingOutputUri").asText()).isEqualTo("s3://" + ARTIFACTS + "/runs/" + EXEC + "/training/");
        assertThat(ok.path("executionDetails").path("summary").asText()).contains("Created training job " + JOB, IMAGE,
                "ml.m5.xlarge x2");
    }

    @Test
    void addsManagedSpotCheckpointsWarmPoolAndKmsWhenConfigured() {
        source("""
                {"training": {"maxRuntimeSeconds": 3600, "spot": {"enabled": true, "maxWaitSeconds": 10800},
                              "warmPoolKeepAliveSeconds": 900},
                 "monitoring": {"scorePsiThreshold": 0.3, "minRows": 250}}
                """);
        String name = "bank-train-" + EXEC;
        missing(name);
        aws.ok(CREATE, created(name));
        Map<String, String> env = env();
        env.put(EnvNames.KMS_KEY_ARN, KMS);
        env.put(EnvNames.JOB_NAME_PREFIX, "bank");

        invoke(env, EVENT);

        JsonNode r = aws.onlyRequest(CREATE);
        assertThat(r.path("TrainingJobName").asText()).isEqualTo(name);
        assertThat(r.path("EnableManagedSpotTraining").asBoolean()).isTrue();
        assertThat(r.path("CheckpointConfig").path("S3Uri").asText()).isEqualTo("s3://" + ARTIFACTS + "/runs/" + EXEC + "/checkpoints/");
        assertThat(r.path("StoppingCondition").path("MaxRuntimeInSeconds").asInt()).isEqualTo(3600);
        assertThat(r.path("StoppingCondition").path("MaxWaitTimeInSeconds").asInt()).isEqualTo(10800);
        assertThat(r.path("ResourceConfig").path("KeepAlivePeriodInSeconds").asInt()).isEqualTo(900);
        assertThat(r.path("ResourceConfig").path("VolumeKmsKeyId").asText()).isEqualTo(KMS);
        assertThat(r.path("OutputDataConfig").path("KmsKeyId").asText()).isEqualTo(KMS);
        assertThat(r.path("ResourceConfig").path("InstanceType").asText()).isEqualTo("ml.m5.large");
        assertThat(map(r.path("HyperParameters"))).containsOnly(        // the drift thresholds travel to train
                Map.entry("monitor_score_psi_threshold", "0.3"), Map.entry("monitor_min_rows", "250"));
        assertThat(tags(r)).containsEntry("mlops:project", "bank");
        assertThat(aws.jobSuccess().path("executionDetails").path("summary").asText()).contains("managed spot", "warm pool 900 s");
    }

    @Test
    void leavesOutTheCommitTagWhenTheCommitIsUnknown() {
        source("{}");
        missing(JOB);
        aws.ok(CREATE, created(JOB));

        invoke(Fixtures.withUserParameters(EVENT, "{\"executionId\":\"" + EXEC + "\",\"imageUri\":\"" + IMAGE + "\"}"));

        assertThat(tags(aws.onlyRequest(CREATE))).containsOnlyKeys("mlops:pipeline-execution-id", "mlops:project");
        aws.jobSuccess();
    }

    @Test
    void acceptsAnImagePinnedByDigest() {
        source("{}");
        missing(JOB);
        aws.ok(CREATE, created(JOB));
        String digest = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/mlops-model@sha256:" + "ab".repeat(32);

        invoke(Fixtures.withUserParameters(EVENT, "{\"executionId\":\"" + EXEC + "\",\"imageUri\":\"" + digest + "\"}"));

        assertThat(aws.onlyRequest(CREATE).path("AlgorithmSpecification").path("TrainingImage").asText()).isEqualTo(digest);
        aws.jobSuccess();
    }

    @Test
    void reusesTheInProgressJobOfThisExecution() {
        source(RUN_SETTINGS);
        inUse(JOB);
        describes(JOB, job(JOB, "InProgress", ""));

        invoke(EVENT);

        assertThat(aws.count(CREATE)).isEqualTo(1);
        JsonNode ok = aws.jobSuccess();
        assertThat(ok.path("outputVariables").path("TrainingJobName").asText()).isEqualTo(JOB);
        assertThat(ok.path("outputVariables").path("TrainingOutputUri").asText()).isEqualTo("s3://" + ARTIFACTS + "/runs/" + EXEC + "/training/");
        assertThat(ok.path("executionDetails").path("summary").asText()).contains("already exists", "InProgress", "reusing");
    }

    @Test
    void reusesTheCompletedJobOfThisExecution() {
        source(RUN_SETTINGS);
        inUse(JOB);
        describes(JOB, job(JOB, "Completed", ""));

        invoke(EVENT);

        assertThat(aws.count(CREATE)).isEqualTo(1);
        assertThat(aws.jobSuccess().path("outputVariables").path("TrainingJobName").asText()).isEqualTo(JOB);
    }

    @Test
    void startsTheNextAttemptWhenThisExecutionsJobFailed() {
        source(RUN_SETTINGS);
        aws.ok(CREATE, created(JOB + "-3"));
        inUse(JOB);
        inUse(JOB + "-2");
        describes(JOB, job(JOB, "Failed", ",\"FailureReason\":\"AlgorithmError: out of memory\""));
        describes(JOB + "-2", job(JOB + "-2", "Stopped", ""));

        invoke(EVENT);

        assertThat(aws.requests(CREATE)).extracting(n -> n.path("TrainingJobName").asText())
                .containsExactly(JOB, JOB + "-2", JOB + "-3");
        assertThat(aws.requests(DESCRIBE)).extracting(n -> n.path("TrainingJobName").asText())
                .containsExactly(JOB, JOB + "-2");
        JsonNode ok = aws.jobSuccess();
        assertThat(ok.path("outputVariables").path("TrainingJobName").asText()).isEqualTo(JOB + "-3");
        assertThat(ok.path("executionDetails").path("summary").asText()).contains("(attempt 3)");
    }

    @Test
    void failsAfterTheLastAttemptFailedInsteadOfStartingMoreJobs() {
        source(RUN_SETTINGS);
        for (int attempt = 1; attempt <= LaunchTrainingHandler.MAX_ATTEMPTS; attempt++) {
            String name = JobNames.forExecution("mlops", "train", EXEC, attempt);
            inUse(name);
            describes(name, job(name, "Failed", ",\"FailureReason\":\"AlgorithmError: attempt " + attempt + " crashed\""));
        }

        invoke(EVENT);

        assertThat(aws.count(DESCRIBE)).isEqualTo(LaunchTrainingHandler.MAX_ATTEMPTS);
        assertThat(aws.count(CREATE)).isEqualTo(LaunchTrainingHandler.MAX_ATTEMPTS);
        aws.assertJobFailed("JobFailed", "all 5 training jobs", EXEC, "attempt 5 crashed",
                JOB + "-5 Failed", "Release change");
    }

    @Test
    void createsFirstAndNeverInfersAMissingJobFromADescribeError() {
        source(RUN_SETTINGS);
        // SageMaker documents ResourceNotFound for a missing job but answers ValidationException (aws/aws-sdk#165).
        missing(JOB);
        aws.ok(CREATE, created(JOB));

        invoke(EVENT);

        assertThat(aws.count(DESCRIBE)).isZero();
        assertThat(aws.onlyRequest(CREATE).path("TrainingJobName").asText()).isEqualTo(JOB);
        assertThat(aws.jobSuccess().path("outputVariables").path("TrainingJobName").asText()).isEqualTo(JOB);
    }

    @Test
    void aVeryLongPrefixAndAnOddExecutionIdStillYieldAValidJobName() {
        source("{}");
        String prefix = "Acme_Bank.Marketing--Propensity_Model_Team-" + "x".repeat(40);
        String exec = "Exec_ID..with__odd--chars." + "9".repeat(120);
        aws.ok(CREATE, created("x"));
        Map<String, String> env = env();
        env.put(EnvNames.JOB_NAME_PREFIX, prefix);

        invoke(env, Fixtures.withUserParameters(EVENT, "{\"executionId\":\"" + exec + "\",\"imageUri\":\"" + IMAGE + "\"}"));

        String name = aws.onlyRequest(CREATE).path("TrainingJobName").asText();
        assertThat(name).hasSizeLessThanOrEqualTo(63).matches("[a-zA-Z0-9](-*[a-zA-Z0-9])*").startsWith("Acme-Bank");
        assertThat(aws.onlyRequest(CREATE).path("InputDataConfig").get(0).path("DataSource").path("S3DataSource")
                .path("S3Uri").asText()).isEqualTo("s3://" + ARTIFACTS + "/runs/" + exec + "/etl/train/");
        // The tag value keeps the real execution id, so the job can be found from the pipeline.
        assertThat(tags(aws.onlyRequest(CREATE))).containsEntry("mlops:pipeline-execution-id", exec);
        assertThat(aws.jobSuccess().path("outputVariables").path("TrainingJobName").asText()).isEqualTo(name);
    }

    @Test
    void failsOnAnImageTaggedLatestUntaggedOrNotFromEcr() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("123456789012.dkr.ecr.us-east-1.amazonaws.com/mlops-model:latest", "':latest'");
        cases.put("123456789012.dkr.ecr.us-east-1.amazonaws.com/mlops-model:LATEST", "':latest'");
        cases.put("123456789012.dkr.ecr.us-east-1.amazonaws.com/mlops-model", "no tag or digest");
        cases.put("docker.io/library/python:3.12", "not an ECR image URI");
        cases.put("123456789012.dkr.ecr.us-east-1.amazonaws.com/mlops-model@sha256:abc", "not an ECR image URI");
        cases.put("#{BuildVariables.IMAGE_URI}", "unresolved");
        cases.forEach((image, expected) -> {
            aws.server().resetRequests();
            invoke(Fixtures.withUserParameters(EVENT, "{\"executionId\":\"" + EXEC + "\",\"imageUri\":\"" + image + "\"}"));
            aws.assertJobFailedFor(image, "ConfigurationError", expected, "IMAGE_URI");
            assertThat(aws.count(DESCRIBE) + aws.count(CREATE)).as(image).isZero();
        });
    }

    @Test
    void failsOnMissingOrUnknownUserParameters() {
        Map<String, String> cases = Map.of(
                "{\"imageUri\":\"" + IMAGE + "\"}", "'executionId' is missing",
                "{\"executionId\":\"" + EXEC + "\"}", "'imageUri' is missing",
                "{\"executionId\":\"" + EXEC + "\",\"imageUri\":\"" + IMAGE + "\",\"image\":\"x\"}", "LaunchTrainingParams");
        cases.forEach((params, expected) -> {
            aws.server().resetRequests();
            invoke(Fixtures.withUserParameters(EVENT, params));
            aws.assertJobFailedFor(params, "ConfigurationError", expected);
        });
    }

    @Test
    void failsWithTheServiceErrorWhenDescribingTheExistingJobFails() {
        source(RUN_SETTINGS);
        inUse(JOB);
        aws.error(DESCRIBE, 400, "ValidationException", "1 validation error detected: Value at 'trainingJobName' failed "
                + "to satisfy constraint");

        invoke(EVENT);

        assertThat(aws.count(CREATE)).isEqualTo(1);
        aws.assertJobFailed("JobFailed", "LaunchTraining", "ValidationException",
                "failed to satisfy constraint");
    }

    @Test
    void failsWithTheServiceErrorWhenSageMakerRejectsTheJob() {
        source(RUN_SETTINGS);
        missing(JOB);
        aws.error(CREATE, 400, "ResourceLimitExceeded", "The account-level service limit 'ml.m5.xlarge for training job "
                + "usage' is 0 Instances");

        invoke(EVENT);

        aws.assertJobFailed("JobFailed", "ResourceLimitExceeded", "ml.m5.xlarge for training job usage",
                "request id req-ResourceLimitExceeded");
    }

    @Test
    void retriesAThrottledCreateTrainingJob() {
        source(RUN_SETTINGS);
        missing(JOB);
        aws.throttleOnceThen(CREATE, created(JOB));

        invoke(EVENT);

        assertThat(aws.count(CREATE)).isEqualTo(2);
        assertThat(aws.jobSuccess().path("outputVariables").path("TrainingJobName").asText()).isEqualTo(JOB);
    }


    @Test
    void failsWithConfigurationErrorWhenTheRunSettingsAreInvalid() {
        source("{\"training\":{\"instanceType\":\"m5.large\",\"maxRuntimeSeconds\":30}}");
        missing(JOB);

        invoke(EVENT);

        aws.assertJobFailed("ConfigurationError", "training.instanceType 'm5.large'", "training.maxRuntimeSeconds 30");
        assertThat(aws.count(CREATE)).isZero();
    }
}
