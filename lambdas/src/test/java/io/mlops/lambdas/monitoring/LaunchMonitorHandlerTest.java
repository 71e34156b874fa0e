package io.mlops.lambdas.monitoring;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlops.contract.EnvNames;
import io.mlops.contract.Monitoring;
import io.mlops.lambdas.core.HandlerConfig;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.testing.AwsStub;
import io.mlops.lambdas.testing.Fixtures;
import io.mlops.lambdas.testing.TestContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sagemaker.model.CreateProcessingJobRequest;

class LaunchMonitorHandlerTest {
    @RegisterExtension
    static final AwsStub aws = new AwsStub();

    static final String ENDPOINT = "mlops-prd";
    static final String BUCKET = "artifacts";
    static final String PACKAGE_ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/mlops-model/7";
    static final String IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/mlops/model@sha256:" + "a".repeat(64);
    static final String MODEL_DATA = "s3://artifacts/runs/exec-7/training/job/output/model.tar.gz";
    static final String LIST_ENDPOINTS = "SageMaker.ListEndpoints";
    static final String DESCRIBE_ENDPOINT = "SageMaker.DescribeEndpoint";
    static final String DESCRIBE_CONFIG = "SageMaker.DescribeEndpointConfig";
    static final String DESCRIBE_MODEL = "SageMaker.DescribeModel";
    static final String DESCRIBE_PACKAGE = "SageMaker.DescribeModelPackage";
    static final String CREATE_JOB = "SageMaker.CreateProcessingJob";
    /** The window of a schedule at 15:10: 14:00-15:00 on 2026-12-03. */
    static final String CAPTURE_PREFIX = "datacapture/prd/mlops-prd/AllTraffic/2026/12/03/14/";

    static LaunchMonitorConfig config(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(Map.of(
                EnvNames.MONITOR_ENDPOINT_NAME, ENDPOINT,
                EnvNames.ARTIFACT_BUCKET, BUCKET,
                EnvNames.MONITOR_CAPTURE_PREFIX, "datacapture/prd/",
                EnvNames.MONITOR_OUTPUT_PREFIX, "monitoring/",
                EnvNames.MONITOR_ROLE_ARN, "arn:aws:iam::123456789012:role/mlops-monitor",
                EnvNames.MONITOR_INSTANCE_TYPE, "ml.t3.medium",
                EnvNames.MONITOR_MAX_RUNTIME_SECONDS, "1800",
                EnvNames.MONITOR_NAMESPACE, Monitoring.DEFAULT_NAMESPACE,
                EnvNames.KMS_KEY_ARN, "arn:aws:kms:us-east-1:123456789012:key/k",
                EnvNames.MONITOR_JOB_ENVIRONMENT, "{\"MONITOR_SETTINGS\":\"{\\\"psi_threshold\\\": 0.2}\"}"));
        env.putAll(overrides);
        return LaunchMonitorConfig.from(new HandlerEnv(env));
    }

    static JsonNode invoke() {
        LaunchMonitorHandler handler = new LaunchMonitorHandler(new LaunchMonitorHandler.Deps(aws.clients().sageMaker(),
                aws.clients().s3(), HandlerConfig.of(config(Map.of()))));
        return Fixtures.tree(Fixtures.invoke(handler, Fixtures.event("monitor-schedule.json"), new TestContext()));
    }

    static void captureObjects(String prefix, int count) {
        aws.server().stubFor(get(urlPathMatching("/" + BUCKET + "/?")).withQueryParam("prefix", equalTo(prefix))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/xml").withBody(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult><Name>" + BUCKET + "</Name><Prefix>" + prefix
                                + "</Prefix><KeyCount>" + count + "</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated>"
                                + (count == 0 ? "" : "<Contents><Key>" + prefix + "08-15-100-abc.jsonl</Key><Size>10</Size></Contents>")
                                + "</ListBucketResult>")));
    }

    @BeforeEach
    void prdServesPackageSeven() {
        aws.ok(LIST_ENDPOINTS, "{\"Endpoints\":[{\"EndpointName\":\"mlops-prd-old\",\"EndpointArn\":\"arn:x\",\"CreationTime\":1,"
                + "\"LastModifiedTime\":1,\"EndpointStatus\":\"InService\"},{\"EndpointName\":\"mlops-prd\",\"EndpointArn\":\"arn:y\","
                + "\"CreationTime\":1,\"LastModifiedTime\":1,\"EndpointStatus\":\"InService\"}]}");
        aws.ok(DESCRIBE_ENDPOINT, "{\"EndpointName\":\"mlops-prd\",\"EndpointArn\":\"arn:y\",\"EndpointConfigName\":\"mlops-prd-exec-7\","
                + "\"EndpointStatus\":\"InService\",\"CreationTime\":1,\"LastModifiedTime\":1}");
        aws.ok(DESCRIBE_CONFIG, "{\"EndpointConfigName\":\"mlops-prd-exec-7\",\"EndpointConfigArn\":\"arn:c\",\"CreationTime\":1,"
                + "\"ProductionVariants\":[{\"VariantName\":\"AllTraffic\",\"ModelName\":\"mlops-prd-exec-7\",\"InitialInstanceCount\":1,"
                + "\"InstanceType\":\"ml.m5.large\"}]}");
        aws.ok(DESCRIBE_MODEL, "{\"ModelName\":\"mlops-prd-exec-7\",\"ModelArn\":\"arn:m\",\"CreationTime\":1,"
                + "\"ExecutionRoleArn\":\"arn:aws:iam::123456789012:role/hosting\",\"PrimaryContainer\":{\"ModelPackageName\":\"" + PACKAGE_ARN + "\"}}");
        aws.ok(DESCRIBE_PACKAGE, "{\"ModelPackageName\":\"mlops-model\",\"ModelPackageArn\":\"" + PACKAGE_ARN + "\",\"CreationTime\":1,"
                + "\"ModelPackageStatus\":\"Completed\",\"InferenceSpecification\":{\"Containers\":[{\"Image\":\"" + IMAGE
                + "\",\"ModelDataUrl\":\"" + MODEL_DATA + "\"}],\"SupportedContentTypes\":[\"text/csv\"],\"SupportedResponseMIMETypes\":[\"text/csv\"]}}");
        aws.ok(CREATE_JOB, "{\"ProcessingJobArn\":\"arn:aws:sagemaker:us-east-1:123456789012:processing-job/mlops-monitor-2026120314\"}");
        captureObjects(CAPTURE_PREFIX, 1);
    }

    @Test
    void startsTheWindowsJobWithTheServingModelsImageAndArtifact() {
        JsonNode out = invoke();

        assertThat(out.path("status").asText()).isEqualTo(MonitorLaunch.STARTED);
        assertThat(out.path("window").asText()).isEqualTo("2026-12-03T14:00:00Z");
        assertThat(out.path("processingJobName").asText()).isEqualTo("mlops-monitor-2026120314");
        JsonNode job = aws.onlyRequest(CREATE_JOB);
        assertThat(job.path("ProcessingJobName").asText()).isEqualTo("mlops-monitor-2026120314");
        assertThat(job.path("AppSpecification").path("ImageUri").asText()).isEqualTo(IMAGE);
        assertThat(job.path("AppSpecification").path("ContainerEntrypoint").get(0).asText()).isEqualTo("monitor");
        assertThat(job.path("ProcessingInputs").get(0).path("S3Input").path("S3Uri").asText()).isEqualTo(MODEL_DATA);
        assertThat(job.path("ProcessingInputs").get(0).path("S3Input").path("LocalPath").asText()).isEqualTo(Monitoring.MODEL_INPUT_PATH);
        assertThat(job.path("ProcessingInputs").get(1).path("S3Input").path("S3Uri").asText()).isEqualTo("s3://artifacts/" + CAPTURE_PREFIX);
        assertThat(job.path("ProcessingInputs").get(1).path("S3Input").path("LocalPath").asText())
                .isEqualTo(Monitoring.CAPTURE_INPUT_PATH + "/mlops-prd/AllTraffic/2026/12/03/14");
        JsonNode output = job.path("ProcessingOutputConfig");
        assertThat(output.path("Outputs").get(0).path("S3Output").path("S3Uri").asText())
                .isEqualTo("s3://artifacts/monitoring/mlops-prd/2026/12/03/14/");
        assertThat(output.path("KmsKeyId").asText()).isEqualTo("arn:aws:kms:us-east-1:123456789012:key/k");
        assertThat(job.path("ProcessingResources").path("ClusterConfig").path("VolumeKmsKeyId").asText()).isNotEmpty();
        assertThat(job.path("Environment").path(Monitoring.ENV_NAMESPACE).asText()).isEqualTo(Monitoring.DEFAULT_NAMESPACE);
        assertThat(Fixtures.tree(job.path("Environment").path(Monitoring.ENV_SETTINGS).asText())).isEqualTo(Fixtures.tree(
                "{\"psi_threshold\":0.2,\"endpoint\":\"mlops-prd\",\"window_start\":\"2026-12-03T14:00:00Z\",\"window_end\":\"2026-12-03T15:00:00Z\"}"));
        assertThat(job.path("StoppingCondition").path("MaxRuntimeInSeconds").asInt()).isEqualTo(1800);
        assertThat(job.path("NetworkConfig").path("EnableNetworkIsolation").asBoolean()).isFalse();
        assertThat(aws.onlyRequest(DESCRIBE_PACKAGE).path("ModelPackageName").asText()).isEqualTo(PACKAGE_ARN);
    }

    @Test
    void aModelBuiltFromImageAndModelDataIsReadFromTheModel() {
        aws.ok(DESCRIBE_MODEL, "{\"ModelName\":\"m\",\"ModelArn\":\"arn:m\",\"CreationTime\":1,\"ExecutionRoleArn\":\"arn:r\","
                + "\"PrimaryContainer\":{\"Image\":\"" + IMAGE + "\",\"ModelDataUrl\":\"s3://artifacts/dev/model.tar.gz\"}}");

        invoke();

        assertThat(aws.count(DESCRIBE_PACKAGE)).isZero();
        assertThat(aws.onlyRequest(CREATE_JOB).path("ProcessingInputs").get(0).path("S3Input").path("S3Uri").asText())
                .isEqualTo("s3://artifacts/dev/model.tar.gz");
    }

    @Test
    void aRetriedInvocationOfTheSameWindowFindsItsJob() {
        aws.error(CREATE_JOB, 400, "ResourceInUse", "Job name mlops-monitor-2026120314 already exists");

        JsonNode out = invoke();

        assertThat(out.path("status").asText()).isEqualTo(MonitorLaunch.EXISTS);
        assertThat(out.path("processingJobName").asText()).isEqualTo("mlops-monitor-2026120314");
    }

    @Test
    void noEndpointYetStartsNothing() {
        aws.ok(LIST_ENDPOINTS, "{\"Endpoints\":[{\"EndpointName\":\"mlops-prd-old\",\"EndpointArn\":\"arn:x\",\"CreationTime\":1,"
                + "\"LastModifiedTime\":1,\"EndpointStatus\":\"InService\"}]}");

        JsonNode out = invoke();

        assertThat(out.path("status").asText()).isEqualTo(MonitorLaunch.NO_ENDPOINT);
        assertThat(aws.count(DESCRIBE_ENDPOINT)).isZero();
        assertThat(aws.count(CREATE_JOB)).isZero();
    }

    @Test
    void anHourWithoutCaptureStartsNothing() {
        captureObjects(CAPTURE_PREFIX, 0);

        JsonNode out = invoke();

        assertThat(out.path("status").asText()).isEqualTo(MonitorLaunch.NO_TRAFFIC);
        assertThat(aws.count(CREATE_JOB)).isZero();
    }

    @Test
    void failsWhenTheEndpointServesTwoModels() {
        aws.ok(DESCRIBE_CONFIG, "{\"EndpointConfigName\":\"c\",\"EndpointConfigArn\":\"arn:c\",\"CreationTime\":1,\"ProductionVariants\":["
                + "{\"VariantName\":\"A\",\"ModelName\":\"m1\",\"InitialInstanceCount\":1,\"InstanceType\":\"ml.m5.large\"},"
                + "{\"VariantName\":\"B\",\"ModelName\":\"m2\",\"InitialInstanceCount\":1,\"InstanceType\":\"ml.m5.large\"}]}");

        assertThatThrownBy(LaunchMonitorHandlerTest::invoke).hasMessageContaining("serves 2 models [m1, m2]");
        assertThat(aws.count(CREATE_JOB)).isZero();
    }

    @Test
    void failsWhenTheEventHasNoScheduledTime() {
        LaunchMonitorHandler handler = new LaunchMonitorHandler(new LaunchMonitorHandler.Deps(aws.clients().sageMaker(),
                aws.clients().s3(), HandlerConfig.of(config(Map.of()))));
        assertThatThrownBy(() -> Fixtures.invoke(handler, "{\"time\":\"x\"}", new TestContext()))
                .hasMessageContaining("no 'scheduledTime'").hasMessageContaining("<aws.scheduler.scheduled-time>");
        assertThatThrownBy(() -> Fixtures.invoke(handler, "{\"scheduledTime\":\"yesterday\"}", new TestContext()))
                .hasMessageContaining("'yesterday'");
    }

    @Test
    void failsOnABadEnvironmentWithTheKeyAndTheValue() {
        assertThatThrownBy(() -> config(Map.of(EnvNames.MONITOR_INSTANCE_TYPE, "t3.medium")))
                .hasMessageContaining(EnvNames.MONITOR_INSTANCE_TYPE).hasMessageContaining("'t3.medium'");
        assertThatThrownBy(() -> config(Map.of(EnvNames.MONITOR_MAX_RUNTIME_SECONDS, "0")))
                .hasMessageContaining("'0'");
        assertThatThrownBy(() -> config(Map.of(EnvNames.MONITOR_JOB_ENVIRONMENT, "[1]")))
                .hasMessageContaining("JSON object");
        assertThatThrownBy(() -> config(Map.of(EnvNames.MONITOR_ROLE_ARN, "mlops-monitor")))
                .hasMessageContaining("IAM role ARN");
        assertThat(config(Map.of()).kmsKeyId()).isEqualTo(Optional.of("arn:aws:kms:us-east-1:123456789012:key/k"));
    }

    @Test
    void failsOnAJobEnvironmentSageMakerWouldRefuseNamingTheEntry() {
        ServingModel model = new ServingModel("e".repeat(63), "config", List.of("AllTraffic"), "model", "image",
                "s3://b/model.tar.gz", null);
        MonitorWindow window = MonitorWindow.before("2026-12-03T15:10:00Z");
        // The longest endpoint name SageMaker allows still fits: our own settings stay under 256 characters.
        CreateProcessingJobRequest fits = LaunchMonitorHandler.request(config(Map.of(EnvNames.MONITOR_JOB_ENVIRONMENT, "{}")),
                model, window, List.of("AllTraffic"), "mlops-monitor-2026120314");
        assertThat(fits.environment().get(Monitoring.ENV_SETTINGS).length()).isLessThanOrEqualTo(200);

        String longThresholds = "{\\\"psi_threshold\\\": 0.2, \\\"note\\\": \\\"" + "x".repeat(150) + "\\\"}";
        LaunchMonitorConfig tooLong = config(Map.of(EnvNames.MONITOR_JOB_ENVIRONMENT,
                "{\"MONITOR_SETTINGS\":\"" + longThresholds + "\",\"1BAD\":\"x\"}"));
        assertThatThrownBy(() -> LaunchMonitorHandler.request(tooLong, model, window, List.of("AllTraffic"), "n"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("MONITOR_SETTINGS has ")
                .hasMessageContaining("characters (at most 256)")
                .hasMessageContaining("key '1BAD'")
                .hasMessageContaining("config/run-settings.json monitoring.*");
    }

    @Test
    void theWindowIsTheLastFullHourBeforeTheSchedule() {
        assertThat(MonitorWindow.before("2026-12-03T15:10:00Z").start()).hasToString("2026-12-03T14:00:00Z");
        assertThat(MonitorWindow.before("2026-12-03T15:00:00Z").start()).hasToString("2026-12-03T14:00:00Z");
        assertThat(MonitorWindow.before("2026-01-01T00:59:59Z").id()).isEqualTo("2025123123");
    }
}
