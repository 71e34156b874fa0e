package io.mlops.lambdas.evaluation;

import static io.mlops.lambdas.testing.Fixtures.ARTIFACTS;
import static io.mlops.lambdas.testing.Fixtures.COMMIT;
import static io.mlops.lambdas.testing.Fixtures.EXEC;
import static io.mlops.lambdas.testing.Fixtures.GROUP;
import static io.mlops.lambdas.testing.Fixtures.IMAGE;
import static io.mlops.lambdas.testing.Fixtures.KMS;
import static io.mlops.lambdas.testing.Fixtures.ROLE;
import static io.mlops.lambdas.testing.Fixtures.SOURCE_KEY;
import io.mlops.contract.EnvNames;
import static io.mlops.lambdas.testing.AwsStub.PUT_JOB_FAILURE;
import static io.mlops.lambdas.testing.AwsStub.PUT_JOB_SUCCESS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.core.Json;
import io.mlops.lambdas.registry.ModelRegistryClient;
import io.mlops.lambdas.testing.AwsStub;
import io.mlops.lambdas.testing.Fixtures;
import io.mlops.lambdas.testing.TestContext;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EvaluateHandlerTest {
    @RegisterExtension
    static final AwsStub aws = new AwsStub();

    static final String DATASET_SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    static final String BUCKET = ARTIFACTS;
    static final String MODEL = "s3://" + BUCKET + "/runs/" + EXEC + "/training/mlops-train-" + EXEC + "/output/model.tar.gz";
    static final String JOB1 = "mlops-eval-" + EXEC;
    static final String EVAL_KEY = "runs/" + EXEC + "/evaluation/evaluation.json";
    static final String EVAL_URI = "s3://" + BUCKET + "/" + EVAL_KEY;
    static final String NEW_ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/" + GROUP + "/7";
    static final String CHAMPION_ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/" + GROUP + "/3";
    /** What an earlier invocation of this execution registered (an earlier build of the same commit). */
    static final String EARLIER_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/mlops-model@sha256:"
            + "a".repeat(64);
    static final String EARLIER_MODEL_DATA = "s3://" + BUCKET + "/runs/" + EXEC + "/training/mlops-train-" + EXEC
            + "-2/output/model.tar.gz";
    static final String CHAMPION_STATS = "s3://" + BUCKET + "/runs/9d8c7b6a-0000-1111-2222-333344445555/evaluation/evaluation.json";

    static final String DESCRIBE_PROCESSING = "SageMaker.DescribeProcessingJob";
    static final String CREATE_PROCESSING = "SageMaker.CreateProcessingJob";
    static final String LIST_PACKAGES = "SageMaker.ListModelPackages";
    static final String DESCRIBE_PACKAGE = "SageMaker.DescribeModelPackage";
    static final String LIST_GROUPS = "SageMaker.ListModelPackageGroups";
    static final String CREATE_PACKAGE = "SageMaker.CreateModelPackage";

    static final String EVENT = Fixtures.event("evaluate-job.json");
    static final String SETTINGS = """
            {"evaluation": {"instanceType": "ml.c5.xlarge", "maxRuntimeSeconds": 900},
             "qualityGate": {"metric": "auc", "threshold": 0.75, "maxRegression": 0.01}}""";

    // ------------------------------------------------------------------ fixtures

    static HandlerEnv env(boolean withKms) {
        Map<String, String> values = new HashMap<>(Map.of(
                EnvNames.ARTIFACT_BUCKET, BUCKET,
                EnvNames.SAGEMAKER_ROLE_ARN, ROLE,
                EnvNames.MODEL_PACKAGE_GROUP, GROUP,
                EnvNames.JOB_NAME_PREFIX, "mlops",
                EnvNames.INFERENCE_INSTANCE_TYPES, "ml.t2.medium,ml.m5.large,ml.m5.xlarge"));
        if (withKms) {
            values.put(EnvNames.KMS_KEY_ARN, KMS);
        }
        return new HandlerEnv(values);
    }

    static void invoke(HandlerEnv env, String event) {
        Fixtures.invoke(new EvaluateHandler(EvaluateHandler.Deps.of(env, aws.clients())), event, new TestContext());
    }

    static void invoke(String event) {
        invoke(env(true), event);
    }

    static String token(String job, int attempt) {
        return Json.write(new EvaluateHandler.State(job, attempt, "auc", 0.75, 0.01));
    }

    static String polling(String job, int attempt) {
        return Fixtures.withContinuationToken(EVENT, token(job, attempt));
    }

    static void settingsInSource(String settings) {
        aws.s3Object(BUCKET, SOURCE_KEY, Fixtures.zip(Map.of("README.md", "# repo", "config/run-settings.json", settings)));
    }

    static String processingJob(String name, String status, String extra) {
        return "{\"ProcessingJobName\":\"" + name + "\",\"ProcessingJobArn\":\"arn:aws:sagemaker:us-east-1:123456789012:"
                + "processing-job/" + name + "\",\"ProcessingJobStatus\":\"" + status + "\"" + extra + "}";
    }

    /** CreateProcessingJob of this name answers the documented ResourceInUse (the job exists). */
    static void nameInUse(String job) {
        SageMakerStubs.errorWhenBodyContains(aws, CREATE_PROCESSING, "\"" + job + "\"", 400, "ResourceInUse",
                "Processing job names must be unique within an AWS account and region, and a job with this name already exists");
    }

    /** How SageMaker answers DescribeProcessingJob of a missing job in practice (aws/aws-sdk#165). */
    static void processingJobNotFound() {
        aws.error(DESCRIBE_PROCESSING, 400, "ValidationException", "Requested resource not found.");
    }

    static String evaluation(String auc) {
        return """
                {"binary_classification_metrics": {
                  "auc": {"value": %s, "standard_deviation": "NaN"},
                  "pr_auc": {"value": 0.45, "standard_deviation": "NaN"},
                  "accuracy": {"value": 0.89, "standard_deviation": "NaN"},
                  "precision": {"value": 0.5, "standard_deviation": "NaN"},
                  "recall": {"value": 0.55, "standard_deviation": "NaN"},
                  "f1": {"value": 0.52, "standard_deviation": "NaN"},
                  "threshold": {"value": 0.31},
                  "rows": {"value": 6178},
                  "confusion_matrix": {"0": {"0": 5000, "1": 480}, "1": {"0": 300, "1": 398}}}}""".formatted(auc);
    }

    static String summary(String arn, int version, String status, String description) {
        return "{\"ModelPackageGroupName\":\"" + GROUP + "\",\"ModelPackageVersion\":" + version + ",\"ModelPackageArn\":\""
                + arn + "\",\"ModelPackageDescription\":\"" + description + "\",\"CreationTime\":1763800000,"
                + "\"ModelPackageStatus\":\"Completed\",\"ModelApprovalStatus\":\"" + status + "\"}";
    }

    static String list(String... summaries) {
        return "{\"ModelPackageSummaryList\":[" + String.join(",", summaries) + "]}";
    }

    static String championSummary() {
        return summary(CHAMPION_ARN, 3, "Approved",
                "Evaluated in pipeline execution 9d8c7b6a-0000-1111-2222-333344445555, commit abc: gate passed");
    }

    static String championDescription(String metadata) {
        return "{\"ModelPackageGroupName\":\"" + GROUP + "\",\"ModelPackageVersion\":3,\"ModelPackageArn\":\"" + CHAMPION_ARN
                + "\",\"ModelApprovalStatus\":\"Approved\",\"ModelPackageStatus\":\"Completed\",\"CreationTime\":1763800000,"
                + "\"CustomerMetadataProperties\":" + metadata + ",\"ModelMetrics\":{\"ModelQuality\":{\"Statistics\":"
                + "{\"ContentType\":\"application/json\",\"S3Uri\":\"" + CHAMPION_STATS + "\"}}}}";
    }

    /** The registry: an optional champion (approved list + its description) and the group's newest packages. */
    static void registry(String championDescribe, String... newestPackages) {
        aws.ok(LIST_GROUPS, SageMakerStubs.groups(GROUP + "-old", GROUP));
        SageMakerStubs.okWhenBodyContains(aws, LIST_PACKAGES, "\"ModelApprovalStatus\":\"Approved\"",
                championDescribe == null ? list() : list(championSummary()));
        SageMakerStubs.okWhenBodyLacks(aws, LIST_PACKAGES, "ModelApprovalStatus", list(newestPackages));
        if (championDescribe != null) {
            SageMakerStubs.okWhenBodyContains(aws, DESCRIBE_PACKAGE, CHAMPION_ARN, championDescribe);
        }
        aws.ok(CREATE_PACKAGE, "{\"ModelPackageArn\":\"" + NEW_ARN + "\"}");
    }

    /**
     * The registry holds v6, registered PendingManualApproval by this execution before; its DescribeModelPackage
     * answer ends with {@code moreJson} (e.g. its InferenceSpecification). Returns its ARN.
     */
    static String registeredEarlier(String moreJson) {
        String mine = "arn:aws:sagemaker:us-east-1:123456789012:model-package/" + GROUP + "/6";
        registry(null, summary(mine, 6, "PendingManualApproval",
                "Evaluated in " + ModelRegistryClient.executionMarker(EXEC) + " commit " + COMMIT + ": gate passed"));
        SageMakerStubs.okWhenBodyContains(aws, DESCRIBE_PACKAGE, mine, "{\"ModelPackageGroupName\":\"" + GROUP
                + "\",\"ModelPackageVersion\":6,\"ModelPackageArn\":\"" + mine + "\",\"ModelApprovalStatus\":"
                + "\"PendingManualApproval\",\"CustomerMetadataProperties\":{\"pipeline-execution-id\":\"" + EXEC + "\"}"
                + moreJson + "}");
        return mine;
    }

    /** A completed evaluation job with this auc in evaluation.json. */
    static void completedWith(String auc) {
        aws.ok(DESCRIBE_PROCESSING, processingJob(JOB1, "Completed", ""));
        aws.s3Object(BUCKET, EVAL_KEY, evaluation(auc).getBytes(StandardCharsets.UTF_8));
    }

    static EvaluateHandler.State state(JsonNode success) {
        try {
            return Json.STRICT.readValue(success.path("continuationToken").asText(), EvaluateHandler.State.class);
        } catch (Exception e) {
            throw new AssertionError("continuation token is not a State: " + success, e);
        }
    }

    static Map<String, String> tags(JsonNode tags) {
        Map<String, String> out = new HashMap<>();
        tags.forEach(t -> out.put(t.path("Key").asText(), t.path("Value").asText()));
        return out;
    }

    // ------------------------------------------------------------------ launch

    @Test
    void launchesTheProcessingJobWithTheContractPathsAndCarriesTheGateInTheToken() {
        settingsInSource(SETTINGS);
        aws.ok(CREATE_PROCESSING, "{\"ProcessingJobArn\":\"arn:aws:sagemaker:us-east-1:123456789012:processing-job/" + JOB1 + "\"}");

        invoke(EVENT);

        JsonNode create = aws.onlyRequest(CREATE_PROCESSING);
        assertThat(create.path("ProcessingJobName").asText()).isEqualTo(JOB1);
        assertThat(create.path("RoleArn").asText()).isEqualTo(ROLE);
        assertThat(create.path("AppSpecification").path("ImageUri").asText()).isEqualTo(IMAGE);
        assertThat(create.path("AppSpecification").path("ContainerEntrypoint").toString()).isEqualTo("[\"evaluate\"]");
        JsonNode inputs = create.path("ProcessingInputs");
        assertThat(inputs).hasSize(2);
        assertThat(inputs.get(0).path("InputName").asText()).isEqualTo("model");
        assertThat(inputs.get(0).path("S3Input").path("S3Uri").asText()).isEqualTo(MODEL);
        assertThat(inputs.get(0).path("S3Input").path("LocalPath").asText()).isEqualTo("/opt/ml/processing/input/model");
        assertThat(inputs.get(0).path("S3Input").path("S3DataType").asText()).isEqualTo("S3Prefix");
        assertThat(inputs.get(0).path("S3Input").path("S3InputMode").asText()).isEqualTo("File");
        assertThat(inputs.get(1).path("InputName").asText()).isEqualTo("test");
        assertThat(inputs.get(1).path("S3Input").path("S3Uri").asText()).isEqualTo("s3://" + BUCKET + "/runs/" + EXEC + "/etl/test/");
        assertThat(inputs.get(1).path("S3Input").path("LocalPath").asText()).isEqualTo("/opt/ml/processing/input/test");
        JsonNode output = create.path("ProcessingOutputConfig");
        assertThat(output.path("KmsKeyId").asText()).isEqualTo(KMS);
        assertThat(output.path("Outputs")).hasSize(1);
        assertThat(output.path("Outputs").get(0).path("OutputName").asText()).isEqualTo("evaluation");
        assertThat(output.path("Outputs").get(0).path("S3Output").path("LocalPath").asText()).isEqualTo("/opt/ml/processing/evaluation");
        assertThat(output.path("Outputs").get(0).path("S3Output").path("S3Uri").asText())
                .isEqualTo("s3://" + BUCKET + "/runs/" + EXEC + "/evaluation/");
        assertThat(output.path("Outputs").get(0).path("S3Output").path("S3UploadMode").asText()).isEqualTo("EndOfJob");
        JsonNode cluster = create.path("ProcessingResources").path("ClusterConfig");
        assertThat(cluster.path("InstanceCount").asInt()).isEqualTo(1);
        assertThat(cluster.path("InstanceType").asText()).isEqualTo("ml.c5.xlarge");
        assertThat(cluster.path("VolumeSizeInGB").asInt()).isEqualTo(10);
        assertThat(cluster.path("VolumeKmsKeyId").asText()).isEqualTo(KMS);
        assertThat(create.path("StoppingCondition").path("MaxRuntimeInSeconds").asInt()).isEqualTo(900);
        assertThat(create.path("NetworkConfig").path("EnableNetworkIsolation").asBoolean()).isTrue();
        assertThat(tags(create.path("Tags"))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "mlops:pipeline-execution-id", EXEC, "mlops:commit-id", COMMIT, "mlops:project", "mlops"));

        JsonNode success = aws.jobSuccess();
        assertThat(success.path("executionDetails").path("summary").asText()).contains(JOB1, "attempt 1", "ml.c5.xlarge");
        assertThat(state(success)).isEqualTo(new EvaluateHandler.State(JOB1, 1, "auc", 0.75, 0.01));
        assertThat(aws.count(DESCRIBE_PROCESSING))
                .as("create first: a missing job is never inferred from a Describe error").isZero();
    }

    @Test
    void leavesEncryptionToTheBucketDefaultWhenNoKmsKeyIsConfigured() {
        settingsInSource("{\"qualityGate\": {\"metric\": \"f1\", \"threshold\": 0.5}}");
        aws.ok(CREATE_PROCESSING, "{\"ProcessingJobArn\":\"arn\"}");

        invoke(env(false), EVENT);

        JsonNode create = aws.onlyRequest(CREATE_PROCESSING);
        assertThat(create.path("ProcessingOutputConfig").has("KmsKeyId")).isFalse();
        assertThat(create.path("ProcessingResources").path("ClusterConfig").has("VolumeKmsKeyId")).isFalse();
        assertThat(create.path("ProcessingResources").path("ClusterConfig").path("InstanceType").asText())
                .isEqualTo("ml.m5.large");
        assertThat(create.path("StoppingCondition").path("MaxRuntimeInSeconds").asInt()).isEqualTo(1800);
        assertThat(state(aws.jobSuccess())).isEqualTo(new EvaluateHandler.State(JOB1, 1, "f1", 0.5, 0.01));
    }

    @Test
    void reusesTheRunningJobOfThisExecutionInsteadOfStartingASecond() {
        settingsInSource(SETTINGS);
        nameInUse(JOB1);
        aws.ok(DESCRIBE_PROCESSING, processingJob(JOB1, "InProgress", ""));

        invoke(EVENT);

        assertThat(aws.count(CREATE_PROCESSING)).isEqualTo(1);
        JsonNode success = aws.jobSuccess();
        assertThat(state(success).processingJobName()).isEqualTo(JOB1);
        assertThat(success.path("executionDetails").path("summary").asText()).contains(JOB1, "InProgress");
    }

    @Test
    void startsTheNextAttemptWhenThePreviousJobOfThisExecutionFailed() {
        settingsInSource(SETTINGS);
        SageMakerStubs.okWhenBodyContains(aws, DESCRIBE_PROCESSING, "\"" + JOB1 + "\"",
                processingJob(JOB1, "Failed", ",\"FailureReason\":\"AlgorithmError: out of memory\""));
        aws.ok(CREATE_PROCESSING, "{\"ProcessingJobArn\":\"arn\"}");
        nameInUse(JOB1);

        invoke(EVENT);

        assertThat(aws.requests(CREATE_PROCESSING)).extracting(r -> r.path("ProcessingJobName").asText())
                .containsExactly(JOB1, JOB1 + "-2");
        assertThat(aws.onlyRequest(DESCRIBE_PROCESSING).path("ProcessingJobName").asText()).isEqualTo(JOB1);
        JsonNode success = aws.jobSuccess();
        assertThat(state(success)).isEqualTo(new EvaluateHandler.State(JOB1 + "-2", 2, "auc", 0.75, 0.01));
        assertThat(success.path("executionDetails").path("summary").asText()).contains("attempt 2", "out of memory");
    }

    @Test
    void failsAfterFiveFailedAttemptsInsteadOfRetryingForever() {
        settingsInSource(SETTINGS);
        aws.error(CREATE_PROCESSING, 400, "ResourceInUse", "Processing job names must be unique within an AWS account and region");
        aws.ok(DESCRIBE_PROCESSING, processingJob("x", "Stopped", ",\"FailureReason\":\"MaxRuntimeExceeded\""));

        invoke(EVENT);

        assertThat(aws.count(DESCRIBE_PROCESSING)).isEqualTo(5);
        assertThat(aws.count(CREATE_PROCESSING)).isEqualTo(5);
        aws.assertJobFailed("JobFailed", "failed 5 times", EXEC, JOB1 + "-5", "MaxRuntimeExceeded",
                "/aws/sagemaker/ProcessingJobs");
    }

    @Test
    void retriesAThrottledCreateProcessingJob() {
        settingsInSource(SETTINGS);
        aws.throttleOnceThen(CREATE_PROCESSING, "{\"ProcessingJobArn\":\"arn\"}");

        invoke(EVENT);

        assertThat(aws.count(CREATE_PROCESSING)).isEqualTo(2);
        assertThat(aws.requests(CREATE_PROCESSING)).allSatisfy(r -> assertThat(r.path("ProcessingJobName").asText()).isEqualTo(JOB1));
        assertThat(state(aws.jobSuccess()).processingJobName()).isEqualTo(JOB1);
    }

    @Test
    void failsWithConfigurationErrorWhenTheRunSettingsAreInvalid() {
        settingsInSource("{\"qualityGate\": {\"metric\": \"rocauc\"}}");

        invoke(EVENT);

        aws.assertJobFailed("ConfigurationError", "qualityGate.metric 'rocauc'", "config/run-settings.json");
        assertThat(aws.count(CREATE_PROCESSING)).isZero();
    }

    // ------------------------------------------------------------------ polling

    @Test
    void keepsPollingWhileTheJobRuns() {
        aws.ok(DESCRIBE_PROCESSING, processingJob(JOB1, "InProgress", ""));

        invoke(polling(JOB1, 1));

        JsonNode success = aws.jobSuccess();
        assertThat(state(success)).isEqualTo(new EvaluateHandler.State(JOB1, 1, "auc", 0.75, 0.01));
        assertThat(success.has("outputVariables")).isFalse();
        assertThat(aws.count(CREATE_PROCESSING)).isZero();
    }

    @Test
    void failsWithTheJobsFailureReasonExitMessageAndLogGroup() {
        aws.ok(DESCRIBE_PROCESSING, processingJob(JOB1, "Failed",
                ",\"FailureReason\":\"AlgorithmError: See job logs for more information\","
                        + "\"ExitMessage\":\"ValueError: column 'age' missing from test split\""));

        invoke(polling(JOB1, 1));

        aws.assertJobFailed("JobFailed", JOB1, "AlgorithmError", "column 'age' missing",
                "/aws/sagemaker/ProcessingJobs", "attempt 2");
        assertThat(aws.count(CREATE_PACKAGE)).isZero();
    }

    @Test
    void failsSayingToPushAChangeWhenTheLastAttemptFailed() {
        aws.ok(DESCRIBE_PROCESSING, processingJob(JOB1 + "-5", "Failed", ",\"FailureReason\":\"ClientError: no test data\""));

        invoke(polling(JOB1 + "-5", 5));

        assertThat(aws.jobFailure().path("message").asText()).contains(JOB1 + "-5", "no test data", "used all 5 attempts")
                .doesNotContain("attempt 6");
    }

    @Test
    void failsSayingHowToRaiseTheLimitWhenTheJobWasStopped() {
        aws.ok(DESCRIBE_PROCESSING, processingJob(JOB1, "Stopped", ""));

        invoke(polling(JOB1, 1));

        assertThat(aws.jobFailure().path("message").asText()).contains(JOB1, "was stopped", "evaluation.maxRuntimeSeconds");
    }

    @Test
    void failsWhenThePolledJobNoLongerExists() {
        aws.error(DESCRIBE_PROCESSING, 400, "ResourceNotFound", "Resource not found");

        invoke(polling(JOB1, 1));

        assertThat(aws.jobFailure().path("message").asText()).contains(JOB1, "no longer exists", "ResourceNotFound",
                "Retry the stage");
        assertThat(aws.count(CREATE_PROCESSING)).isZero();
    }

    @Test
    void failsWithSageMakersMessageWhenThePolledJobAnswersValidationExceptionAsSageMakerDoes() {
        processingJobNotFound();

        invoke(polling(JOB1, 1));

        assertThat(aws.jobFailure().path("message").asText()).contains(JOB1, "ValidationException",
                "Requested resource not found.", "retry the stage");
        assertThat(aws.count(CREATE_PROCESSING)).isZero();
    }

    @Test
    void propagatesAValidationExceptionThatDoesNotMeanNotFound() {
        aws.error(DESCRIBE_PROCESSING, 400, "ValidationException", "1 validation error detected: Value at 'processingJobName'");

        invoke(polling(JOB1, 1));

        assertThat(aws.jobFailure().path("message").asText()).contains("ValidationException", "1 validation error detected");
        assertThat(aws.count(CREATE_PROCESSING)).isZero();
    }

    // ------------------------------------------------------------------ gate and registration

    @Test
    void registersPendingManualApprovalWhenTheGatePassesAgainstTheChampion() {
        completedWith("0.8312");
        registry(championDescription("{\"metric.auc\":\"0.812\",\"pipeline-execution-id\":\"9d8c7b6a\"}"), championSummary());

        invoke(polling(JOB1, 1));

        JsonNode champion = aws.requests(LIST_PACKAGES).stream().filter(r -> r.has("ModelApprovalStatus")).findFirst().orElseThrow();
        assertThat(champion.path("ModelPackageGroupName").asText()).isEqualTo(GROUP);
        assertThat(champion.path("ModelApprovalStatus").asText()).isEqualTo("Approved");
        assertThat(champion.path("SortBy").asText()).isEqualTo("CreationTime");
        assertThat(champion.path("SortOrder").asText()).isEqualTo("Descending");
        assertThat(champion.path("MaxResults").asInt()).isEqualTo(1);

        JsonNode create = aws.onlyRequest(CREATE_PACKAGE);
        assertThat(create.path("ModelPackageGroupName").asText()).isEqualTo(GROUP);
        assertThat(create.path("ModelApprovalStatus").asText()).isEqualTo("PendingManualApproval");
        assertThat(create.path("ModelLifeCycle").path("Stage").asText()).isEqualTo("Development");
        assertThat(create.path("ModelLifeCycle").path("StageStatus").asText()).isEqualTo("InProgress");
        assertThat(create.path("ModelPackageDescription").asText()).contains(EXEC, COMMIT, "auc 0.8312");
        JsonNode spec = create.path("InferenceSpecification");
        assertThat(spec.path("Containers")).hasSize(1);
        assertThat(spec.path("Containers").get(0).path("Image").asText()).isEqualTo(IMAGE);
        assertThat(spec.path("Containers").get(0).path("ModelDataUrl").asText()).isEqualTo(MODEL);
        assertThat(spec.path("SupportedContentTypes").toString()).isEqualTo("[\"text/csv\",\"application/json\"]");
        assertThat(spec.path("SupportedResponseMIMETypes").toString()).isEqualTo("[\"text/csv\",\"application/json\"]");
        assertThat(spec.path("SupportedRealtimeInferenceInstanceTypes").toString())
                .isEqualTo("[\"ml.t2.medium\",\"ml.m5.large\",\"ml.m5.xlarge\"]");
        assertThat(spec.path("SupportedTransformInstanceTypes").toString()).isEqualTo("[\"ml.m5.large\"]");
        JsonNode statistics = create.path("ModelMetrics").path("ModelQuality").path("Statistics");
        assertThat(statistics.path("ContentType").asText()).isEqualTo("application/json");
        assertThat(statistics.path("S3Uri").asText()).isEqualTo(EVAL_URI);
        JsonNode metadata = create.path("CustomerMetadataProperties");
        assertThat(metadata.path("pipeline-execution-id").asText()).isEqualTo(EXEC);
        assertThat(metadata.path("commit-id").asText()).isEqualTo(COMMIT);
        assertThat(metadata.path("dataset-sha256").asText()).isEqualTo(DATASET_SHA);
        assertThat(metadata.path("metric.auc").asText()).isEqualTo("0.8312");
        assertThat(metadata.path("metric.pr_auc").asText()).isEqualTo("0.45");
        assertThat(metadata.path("metric.f1").asText()).isEqualTo("0.52");
        assertThat(metadata.has("metric.threshold")).isFalse();
        assertThat(metadata.path("gate").asText()).isEqualTo("passed");
        assertThat(create.path("ClientToken").asText()).matches("[a-zA-Z0-9-]{1,36}")
                .isEqualTo(ModelRegistryClient.clientToken(EXEC, 1));
        assertThat(create.has("Tags"))
                .as("a versioned package takes its group's tags: CreateModelPackage with ModelPackageGroupName takes no Tags")
                .isFalse();
        assertThat(create.path("ModelPackageGroupName").asText()).isEqualTo(GROUP);

        JsonNode variables = aws.jobSuccess().path("outputVariables");
        assertThat(variables.path("ModelPackageArn").asText()).isEqualTo(NEW_ARN);
        assertThat(variables.path("ModelPackageVersion").asText()).isEqualTo("7");
        assertThat(variables.path("GateMetric").asText()).isEqualTo("auc");
        assertThat(variables.path("GateValue").asText()).isEqualTo("0.8312");
        assertThat(variables.path("GateThreshold").asText()).isEqualTo("0.75");
        assertThat(variables.path("ChampionArn").asText()).isEqualTo(CHAMPION_ARN);
        assertThat(variables.path("ChampionValue").asText()).isEqualTo("0.812");
        assertThat(variables.path("ModelImageUri").asText()).isEqualTo(spec.path("Containers").get(0).path("Image").asText())
                .isEqualTo(IMAGE);
        assertThat(variables.path("ModelDataUrl").asText()).isEqualTo(MODEL);
        assertThat(variables.path("MetricsSummary").asText())
                .contains("gate passed", "auc 0.8312 >= threshold 0.75", "champion v3 0.812 - tolerance 0.01 = 0.802",
                        "pr_auc 0.45", "v7 PendingManualApproval")
                .doesNotContain("\n");
    }

    @Test
    void registersRejectedAndFailsWithTheMetricsBesideTheThresholdWhenBelowIt() {
        completedWith("0.7412");
        registry(null);

        invoke(polling(JOB1, 1));

        JsonNode create = aws.onlyRequest(CREATE_PACKAGE);
        assertThat(create.path("ModelApprovalStatus").asText()).isEqualTo("Rejected");
        assertThat(create.path("ModelLifeCycle").path("Stage").asText()).isEqualTo("Rejected");
        assertThat(create.path("ModelLifeCycle").path("StageStatus").asText()).isEqualTo("Rejected");
        assertThat(create.path("CustomerMetadataProperties").path("gate").asText()).isEqualTo("failed");
        aws.assertJobFailed("JobFailed", 
                "Quality gate failed on auc", "auc 0.7412 < threshold 0.75 (FAIL)", "no approved champion",
                "Rejected", "v7", NEW_ARN, EVAL_URI, "qualityGate", "pr_auc 0.45");
    }

    @Test
    void failsTheGateWhenTheModelIsTooFarBelowTheChampion() {
        completedWith("0.795");
        registry(championDescription("{\"metric.auc\":\"0.812\"}"), championSummary());

        invoke(polling(JOB1, 1));

        assertThat(aws.onlyRequest(CREATE_PACKAGE).path("ModelApprovalStatus").asText()).isEqualTo("Rejected");
        assertThat(aws.jobFailure().path("message").asText()).contains(
                "auc 0.795 >= threshold 0.75 (pass)", "auc 0.795 < champion v3 0.812 - tolerance 0.01 = 0.802 (FAIL)");
    }

    @Test
    void readsTheChampionsMetricFromItsStatisticsWhenItsMetadataLacksIt() {
        completedWith("0.80");
        registry(championDescription("{}"), championSummary());
        aws.s3Object(BUCKET, CHAMPION_STATS.substring(("s3://" + BUCKET + "/").length()),
                evaluation("0.805").getBytes(StandardCharsets.UTF_8));

        invoke(polling(JOB1, 1));

        assertThat(aws.onlyRequest(CREATE_PACKAGE).path("ModelApprovalStatus").asText()).isEqualTo("PendingManualApproval");
        JsonNode variables = aws.jobSuccess().path("outputVariables");
        assertThat(variables.path("ChampionValue").asText()).isEqualTo("0.805");
        assertThat(variables.path("MetricsSummary").asText()).contains("champion v3 0.805 - tolerance 0.01 = 0.795");
    }

    @Test
    void comparesWithTheThresholdOnlyAndSaysSoWhenTheChampionRecordsNoReadableMetric() {
        completedWith("0.78");
        registry(championDescription("{}"), championSummary());
        aws.s3Missing(BUCKET, CHAMPION_STATS.substring(("s3://" + BUCKET + "/").length()));

        invoke(polling(JOB1, 1));

        JsonNode variables = aws.jobSuccess().path("outputVariables");
        assertThat(variables.path("ChampionArn").asText()).isEqualTo("none");
        assertThat(variables.path("ChampionValue").asText()).isEqualTo("none");
        assertThat(variables.path("MetricsSummary").asText()).contains("champion v3", "no longer exist", "threshold only");
    }

    @Test
    void reusesThePackageThisExecutionRegisteredBeforeInsteadOfRegisteringTwice() {
        completedWith("0.8312");
        String mine = registeredEarlier(",\"InferenceSpecification\":{\"Containers\":[{\"Image\":\"" + EARLIER_IMAGE
                + "\",\"ModelDataUrl\":\"" + EARLIER_MODEL_DATA + "\"}]}");

        invoke(polling(JOB1, 1));

        assertThat(aws.count(CREATE_PACKAGE)).isZero();
        JsonNode search = aws.requests(LIST_PACKAGES).stream().filter(r -> !r.has("ModelApprovalStatus")).findFirst().orElseThrow();
        assertThat(search.path("ModelPackageGroupName").asText()).isEqualTo(GROUP);
        assertThat(search.path("SortOrder").asText()).isEqualTo("Descending");
        JsonNode success = aws.jobSuccess();
        assertThat(success.path("outputVariables").path("ModelPackageArn").asText()).isEqualTo(mine);
        assertThat(success.path("outputVariables").path("MetricsSummary").asText()).contains("registered earlier by this execution");
        assertThat(success.path("outputVariables").path("ModelImageUri").asText())
                .as("DEV is built from the package that stands, not from this invocation's parameters").isEqualTo(EARLIER_IMAGE);
        assertThat(success.path("outputVariables").path("ModelDataUrl").asText()).isEqualTo(EARLIER_MODEL_DATA);
    }

    @Test
    void failsWhenThePackageThisExecutionRegisteredHasNoContainerToBuildDevFrom() {
        completedWith("0.8312");
        String mine = registeredEarlier("");

        invoke(polling(JOB1, 1));

        assertThat(aws.count(CREATE_PACKAGE)).isZero();
        assertThat(aws.jobFailure().path("message").asText())
                .contains(mine, "no InferenceSpecification container", "Release a new change");
    }

    @Test
    void registersWhenAPackageMentionsTheExecutionButBelongsToAnother() {
        completedWith("0.8312");
        String other = "arn:aws:sagemaker:us-east-1:123456789012:model-package/" + GROUP + "/5";
        registry(null, summary(other, 5, "Rejected", "copied text: " + ModelRegistryClient.executionMarker(EXEC)));
        SageMakerStubs.okWhenBodyContains(aws, DESCRIBE_PACKAGE, other, "{\"ModelPackageArn\":\"" + other
                + "\",\"ModelPackageVersion\":5,\"ModelApprovalStatus\":\"Rejected\",\"CustomerMetadataProperties\":"
                + "{\"pipeline-execution-id\":\"another-execution\"}}");

        invoke(polling(JOB1, 1));

        assertThat(aws.count(CREATE_PACKAGE)).isEqualTo(1);
        assertThat(aws.jobSuccess().path("outputVariables").path("ModelPackageArn").asText()).isEqualTo(NEW_ARN);
    }

    @Test
    void failsClearlyWhenTheJobCompletedWithoutWritingEvaluationJson() {
        aws.ok(DESCRIBE_PROCESSING, processingJob(JOB1, "Completed", ""));
        aws.s3Missing(BUCKET, EVAL_KEY);

        invoke(polling(JOB1, 1));

        aws.assertJobFailed("JobFailed", EVAL_URI, JOB1, "/opt/ml/processing/evaluation/evaluation.json");
        assertThat(aws.count(CREATE_PACKAGE)).isZero();
    }

    @Test
    void failsNamingTheFileAndKeyWhenTheGateMetricIsNaN() {
        completedWith("NaN");

        invoke(polling(JOB1, 1));

        assertThat(aws.jobFailure().path("message").asText()).contains(EVAL_URI, "binary_classification_metrics.auc.value", "NaN");
        assertThat(aws.count(CREATE_PACKAGE)).isZero();
    }

    @Test
    void failsNamingTheFileWhenEvaluationJsonIsMalformed() {
        aws.ok(DESCRIBE_PROCESSING, processingJob(JOB1, "Completed", ""));
        aws.s3Object(BUCKET, EVAL_KEY, "{\"binary_classification_metrics\": ".getBytes(StandardCharsets.UTF_8));

        invoke(polling(JOB1, 1));

        assertThat(aws.jobFailure().path("message").asText()).contains(EVAL_URI, "not valid JSON");
    }

    @Test
    void failsWithConfigurationErrorWhenTheModelPackageGroupDoesNotExist() {
        completedWith("0.8312");
        // Only a group whose name merely contains ours: ListModelPackages would answer an empty list, which
        // must not be read as "no champion" (SageMaker documents no error for a missing group).
        aws.ok(LIST_GROUPS, SageMakerStubs.groups(GROUP + "-old"));
        aws.ok(LIST_PACKAGES, list());

        invoke(polling(JOB1, 1));

        aws.assertJobFailed("ConfigurationError", GROUP, "MODEL_PACKAGE_GROUP", "ModelGroup", "does not exist");
        assertThat(aws.count(CREATE_PACKAGE)).isZero();
        JsonNode lookup = aws.onlyRequest(LIST_GROUPS);
        assertThat(lookup.path("NameContains").asText()).isEqualTo(GROUP);
    }

    @Test
    void findsTheGroupOnALaterPageOfListModelPackageGroups() {
        completedWith("0.8312");
        registry(null);
        SageMakerStubs.okWhenBodyLacks(aws, LIST_GROUPS, "NextToken", SageMakerStubs.groups(GROUP + "-a").replace("]}", "],\"NextToken\":\"page2\"}"));
        SageMakerStubs.okWhenBodyContains(aws, LIST_GROUPS, "page2", SageMakerStubs.groups(GROUP));

        invoke(polling(JOB1, 1));

        assertThat(aws.count(LIST_GROUPS)).isEqualTo(2);
        assertThat(aws.count(CREATE_PACKAGE)).isEqualTo(1);
    }

    @Test
    void failsWithPermissionErrorWhenRegistrationIsDenied() {
        completedWith("0.8312");
        registry(null);
        aws.error(CREATE_PACKAGE, 400, "AccessDeniedException",
                "User is not authorized to perform: sagemaker:CreateModelPackage on resource model-package/" + GROUP + "/*");

        invoke(polling(JOB1, 1));

        aws.assertJobFailed("PermissionError", "sagemaker:CreateModelPackage", "lambdas/README.md");
    }

    @Test
    void runsTheWholeFlowAcrossInvocationsWithItsOwnTokens() {
        settingsInSource(SETTINGS);
        aws.ok(CREATE_PROCESSING, "{\"ProcessingJobArn\":\"arn\"}");
        invoke(EVENT);
        String token1 = aws.jobSuccess().path("continuationToken").asText();

        aws.server().resetRequests();
        aws.ok(DESCRIBE_PROCESSING, processingJob(JOB1, "InProgress", ""));
        invoke(Fixtures.withContinuationToken(EVENT, token1));
        String token2 = aws.jobSuccess().path("continuationToken").asText();
        assertThat(token2).isEqualTo(token1);

        aws.server().resetRequests();
        completedWith("0.8312");
        registry(null);
        invoke(Fixtures.withContinuationToken(EVENT, token2));

        JsonNode variables = aws.jobSuccess().path("outputVariables");
        assertThat(variables.path("ModelPackageArn").asText()).isEqualTo(NEW_ARN);
        assertThat(variables.path("ChampionArn").asText()).isEqualTo("none");
        assertThat(aws.count(CREATE_PROCESSING)).isZero();
        assertThat(aws.onlyRequest(CREATE_PACKAGE).path("ModelApprovalStatus").asText()).isEqualTo("PendingManualApproval");
        // The continuation invocations never read the source artifact again.
        assertThat(aws.allRequests()).noneMatch(r -> r.getUrl().contains("SourceOutp"));
    }

    @Test
    void runsTheWholeFlowToAFailedGateAcrossInvocations() {
        settingsInSource("{\"qualityGate\": {\"metric\": \"f1\", \"threshold\": 0.6}}");
        aws.ok(CREATE_PROCESSING, "{\"ProcessingJobArn\":\"arn\"}");
        invoke(EVENT);
        String token = aws.jobSuccess().path("continuationToken").asText();

        aws.server().resetRequests();
        completedWith("0.9");
        registry(null);
        invoke(Fixtures.withContinuationToken(EVENT, token));

        assertThat(aws.onlyRequest(CREATE_PACKAGE).path("ModelApprovalStatus").asText()).isEqualTo("Rejected");
        assertThat(aws.jobFailure().path("message").asText()).contains("Quality gate failed on f1", "f1 0.52 < threshold 0.60 (FAIL)");
    }

    // ------------------------------------------------------------------ configuration

    @Test
    void failsWithConfigurationErrorForALatestImage() {
        invoke(Fixtures.withUserParameters(EVENT, "{\"executionId\":\"" + EXEC + "\",\"imageUri\":"
                + "\"123456789012.dkr.ecr.us-east-1.amazonaws.com/mlops-model:latest\",\"modelDataUrl\":\"" + MODEL + "\"}"));

        aws.assertJobFailed("ConfigurationError", "imageUri", ":latest", "#{BuildVariables.IMAGE_URI}");
        assertThat(aws.count(DESCRIBE_PROCESSING)).isZero();
    }

    @Test
    void failsWithConfigurationErrorForAnUntaggedImage() {
        invoke(Fixtures.withUserParameters(EVENT, "{\"executionId\":\"" + EXEC + "\",\"imageUri\":"
                + "\"123456789012.dkr.ecr.us-east-1.amazonaws.com/mlops-model\",\"modelDataUrl\":\"" + MODEL + "\"}"));

        assertThat(aws.jobFailure().path("message").asText()).contains("not pinned", "mlops-model");
    }

    @Test
    void acceptsAnImagePinnedByDigest() {
        String digest = "123456789012.dkr.ecr.us-east-1.amazonaws.com/mlops-model@sha256:" + "ab".repeat(32);
        settingsInSource(SETTINGS);
        aws.ok(CREATE_PROCESSING, "{\"ProcessingJobArn\":\"arn\"}");

        invoke(Fixtures.withUserParameters(EVENT, "{\"executionId\":\"" + EXEC + "\",\"imageUri\":\"" + digest
                + "\",\"modelDataUrl\":\"" + MODEL + "\"}"));

        assertThat(aws.onlyRequest(CREATE_PROCESSING).path("AppSpecification").path("ImageUri").asText()).isEqualTo(digest);
        // commitId was not given: no commit tag.
        assertThat(tags(aws.onlyRequest(CREATE_PROCESSING).path("Tags"))).doesNotContainKey("mlops:commit-id");
        aws.jobSuccess();
    }

    @Test
    void failsWithConfigurationErrorWhenModelDataUrlIsMissingOrUnresolved() {
        invoke(Fixtures.withUserParameters(EVENT, "{\"executionId\":\"" + EXEC + "\",\"imageUri\":\"" + IMAGE + "\"}"));
        assertThat(aws.jobFailure().path("message").asText()).contains("'modelDataUrl' is missing");

        aws.server().resetRequests();
        invoke(Fixtures.withUserParameters(EVENT, "{\"executionId\":\"" + EXEC + "\",\"imageUri\":\"" + IMAGE
                + "\",\"modelDataUrl\":\"#{TrainMonitor.ModelDataUrl}\"}"));
        assertThat(aws.jobFailure().path("message").asText()).contains("unresolved", "#{TrainMonitor.ModelDataUrl}");
    }



    // ------------------------------------------------------------------ units

    @Test
    void clientTokenIsShortDeterministicAndDiffersPerAttempt() {
        String first = ModelRegistryClient.clientToken(EXEC, 1);
        assertThat(first).matches("[a-zA-Z0-9-]{1,36}").isEqualTo(ModelRegistryClient.clientToken(EXEC, 1));
        assertThat(ModelRegistryClient.clientToken(EXEC, 2)).isNotEqualTo(first).hasSizeLessThanOrEqualTo(36);
        assertThat(ModelRegistryClient.clientToken(EXEC + "x", 1)).isNotEqualTo(first);
        List<String> all = List.of(1, 2, 3, 4, 5).stream().map(a -> ModelRegistryClient.clientToken("e".repeat(200), a)).toList();
        assertThat(all).allSatisfy(t -> assertThat(t).hasSizeLessThanOrEqualTo(36)).doesNotHaveDuplicates();
    }
}
