package io.mlops.lambdas.verify;

import static io.mlops.lambdas.testing.AwsStub.PUT_JOB_SUCCESS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlops.contract.EnvNames;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.testing.AwsStub;
import io.mlops.lambdas.testing.Fixtures;
import io.mlops.lambdas.testing.TestContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * VerifyEndpoint over the real SDK marshalling (WireMock): the PRD happy path with the registry promotion, the
 * continuation while the endpoint changes, and every mismatch naming what serves instead.
 */
class VerifyEndpointHandlerTest {
    @RegisterExtension
    static final AwsStub aws = new AwsStub();

    static final String EXEC = "0f6c1e2a-7b7e-4c3f-9d2a-8c1b2a3d4e5f";
    static final String CONFIG = "mlops-prd-" + EXEC;
    static final String PKG = "arn:aws:sagemaker:us-east-1:123456789012:model-package/mlops-bank-marketing/";
    static final String DESCRIBE_ENDPOINT = "SageMaker.DescribeEndpoint";
    static final String DESCRIBE_CONFIG = "SageMaker.DescribeEndpointConfig";
    static final String DESCRIBE_MODEL = "SageMaker.DescribeModel";
    static final String LIST = "SageMaker.ListModelPackages";
    static final String UPDATE = "SageMaker.UpdateModelPackage";
    static final String EVENT = Fixtures.event("verify-endpoint-prd.json");

    static String fixture(String name) {
        try (InputStream in = VerifyEndpointHandlerTest.class.getResourceAsStream("/fixtures/verify/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String edit(String json, Consumer<ObjectNode> change) {
        ObjectNode tree = Fixtures.tree(json);
        change.accept(tree);
        return tree.toString();
    }

    static void invoke(String event) {
        Fixtures.invoke(new VerifyEndpointHandler(VerifyEndpointHandler.Deps.of(new HandlerEnv(Map.of(
                EnvNames.MODEL_PACKAGE_GROUP, Fixtures.GROUP, EnvNames.AWS_REGION, "us-east-1")), aws.clients())),
                event, new TestContext());
    }

    static void servingAsDeployed() {
        aws.ok(DESCRIBE_ENDPOINT, fixture("describe-endpoint-in-service.json"));
        aws.ok(DESCRIBE_CONFIG, fixture("describe-endpoint-config.json"));
        aws.ok(DESCRIBE_MODEL, fixture("describe-model-prd.json"));
        aws.ok(LIST, fixture("list-model-packages-production-v5.json"));
        aws.ok(UPDATE, "{\"ModelPackageArn\":\"" + PKG + "7\"}");
    }

    @Test
    void succeedsWhenPrdServesThisExecutionAndRecordsItAsProductionArchivingThePreviousOne() {
        servingAsDeployed();

        invoke(EVENT);

        JsonNode success = aws.jobSuccess();
        assertThat(success.path("outputVariables").path("EndpointConfigName").asText()).isEqualTo(CONFIG);
        assertThat(success.path("outputVariables").path("ModelPackageArn").asText()).isEqualTo(PKG + "7");
        assertThat(success.path("outputVariables").path("ArchivedPackages").asText()).isEqualTo(PKG + "5");
        assertThat(success.path("executionDetails").path("summary").asText())
                .contains("PRD endpoint mlops-prd is InService with config " + CONFIG, "Archived [v5]");
        assertThat(aws.onlyRequest(DESCRIBE_ENDPOINT).path("EndpointName").asText()).isEqualTo("mlops-prd");
        assertThat(aws.onlyRequest(DESCRIBE_MODEL).path("ModelName").asText()).isEqualTo(CONFIG);
        assertThat(aws.onlyRequest(LIST).path("ModelPackageGroupName").asText()).isEqualTo(Fixtures.GROUP);
        List<JsonNode> updates = aws.requests(UPDATE);
        assertThat(updates).hasSize(2);
        assertThat(updates.get(0).path("ModelPackageArn").asText()).isEqualTo(PKG + "7");
        assertThat(updates.get(0).path("ModelLifeCycle").path("Stage").asText()).isEqualTo("Production");
        assertThat(updates.get(0).path("ModelLifeCycle").path("StageStatus").asText()).isEqualTo("Deployed");
        assertThat(updates.get(0).path("ModelLifeCycle").path("StageDescription").asText()).contains("mlops-prd", EXEC);
        assertThat(updates.get(0).has("ModelApprovalStatus")).as("the approval status stays as it is").isFalse();
        assertThat(updates.get(1).path("ModelPackageArn").asText()).isEqualTo(PKG + "5");
        assertThat(updates.get(1).path("ModelLifeCycle").path("Stage").asText()).isEqualTo("Archived");
        assertThat(updates.get(1).path("ModelLifeCycle").path("StageStatus").asText()).isEqualTo("Retired");
    }

    @Test
    void aRepeatedPrdVerifyChangesNothingInTheRegistry() {
        servingAsDeployed();
        aws.ok(LIST, edit(fixture("list-model-packages-production-v5.json"), t -> {
            ArrayNode list = (ArrayNode) t.path("ModelPackageSummaryList");
            ((ObjectNode) list.get(0).path("ModelLifeCycle")).put("Stage", "Production").put("StageStatus", "Deployed");
            ((ObjectNode) list.get(2).path("ModelLifeCycle")).put("Stage", "Archived").put("StageStatus", "Retired");
        }));

        invoke(EVENT);

        assertThat(aws.jobSuccess().path("outputVariables").path("ArchivedPackages").asText()).isEqualTo("none");
        assertThat(aws.count(UPDATE)).isZero();
    }

    @Test
    void devVerifyChecksTheImageAndModelDataAndLeavesTheRegistryAlone() {
        String image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/mlops-model@sha256:" + "a".repeat(64);
        String data = "s3://mlops-artifacts-123456789012/runs/" + EXEC + "/training/model.tar.gz";
        String devConfig = "mlops-dev-" + EXEC;
        aws.ok(DESCRIBE_ENDPOINT, edit(fixture("describe-endpoint-in-service.json"), t -> t.put("EndpointName", "mlops-dev")
                .put("EndpointConfigName", devConfig)));
        aws.ok(DESCRIBE_CONFIG, edit(fixture("describe-endpoint-config.json"), t -> {
            t.put("EndpointConfigName", devConfig);
            ((ObjectNode) t.path("ProductionVariants").get(0)).put("ModelName", devConfig);
        }));
        aws.ok(DESCRIBE_MODEL, "{\"ModelName\":\"" + devConfig + "\",\"ModelArn\":\"arn:aws:sagemaker:us-east-1:123456789012:model/"
                + devConfig + "\",\"Containers\":[{\"Image\":\"" + image + "\",\"ModelDataUrl\":\"" + data + "\",\"Mode\":\"SingleModel\"}],"
                + "\"CreationTime\":1767228000}");

        invoke(Fixtures.withUserParameters(EVENT, "{\"stage\":\"dev\",\"endpointName\":\"mlops-dev\",\"executionId\":\"" + EXEC
                + "\",\"endpointConfigName\":\"" + devConfig + "\",\"modelName\":\"" + devConfig + "\",\"modelPackageArn\":\""
                + PKG + "7\",\"imageUri\":\"" + image + "\",\"modelDataUrl\":\"" + data + "\",\"variantWeights\":{\"AllTraffic\":1}}"));

        assertThat(aws.jobSuccess().path("executionDetails").path("summary").asText())
                .startsWith("DEV endpoint mlops-dev is InService with config " + devConfig);
        assertThat(aws.count(LIST)).isZero();
        assertThat(aws.count(UPDATE)).isZero();
    }

    @Test
    void keepsTheActionInProgressWhileTheEndpointIsUpdating() {
        aws.ok(DESCRIBE_ENDPOINT, edit(fixture("describe-endpoint-in-service.json"), t -> t.put("EndpointStatus", "Updating")));

        invoke(EVENT);

        JsonNode progress = aws.jobSuccess();
        assertThat(progress.path("continuationToken").asText()).isEqualTo("{\"polls\":1}");
        assertThat(progress.path("executionDetails").path("summary").asText()).contains("is Updating", "poll 1");
        assertThat(aws.count(DESCRIBE_MODEL)).isZero();
    }

    @Test
    void pollsAcrossInvocationsUntilInService() {
        servingAsDeployed();
        aws.sequence(DESCRIBE_ENDPOINT, edit(fixture("describe-endpoint-in-service.json"), t -> t.put("EndpointStatus", "Creating")),
                fixture("describe-endpoint-in-service.json"));

        invoke(EVENT);
        String token = aws.onlyRequest(PUT_JOB_SUCCESS).path("continuationToken").asText();
        aws.server().resetRequests();
        invoke(Fixtures.withContinuationToken(EVENT, token));

        assertThat(aws.jobSuccess().has("continuationToken")).isFalse();
    }

    @Test
    void failsSayingWhatServesWhenSageMakerKeptThePreviousConfig() {
        String previous = "mlops-prd-9a9a9a9a-1111-4222-8333-444455556666";
        servingAsDeployed();
        aws.ok(DESCRIBE_ENDPOINT, edit(fixture("describe-endpoint-in-service.json"), t -> t.put("EndpointConfigName", previous)));
        aws.ok(DESCRIBE_CONFIG, edit(fixture("describe-endpoint-config.json"), t -> {
            t.put("EndpointConfigName", previous);
            ((ObjectNode) t.path("ProductionVariants").get(0)).put("ModelName", previous);
        }));

        invoke(EVENT);

        aws.assertJobFailed("JobFailed", "PRD endpoint mlops-prd is InService but serves config " + previous + " (model "
                + previous + ", execution 9a9a9a9a-1111-4222-8333-444455556666), expected config " + CONFIG,
                "execution " + EXEC, "automatic rollback", "#/endpoints/mlops-prd");
        assertThat(aws.count(UPDATE)).as("nothing is recorded as Production").isZero();
    }

    @Test
    void failsWithTheFailureReasonWhenTheEndpointIsRollingBack() {
        String previous = "mlops-prd-9a9a9a9a-1111-4222-8333-444455556666";
        aws.ok(DESCRIBE_ENDPOINT, edit(fixture("describe-endpoint-in-service.json"), t -> t.put("EndpointStatus", "RollingBack")
                .put("EndpointConfigName", previous).put("FailureReason", "Alarm mlops-prd-5xx-errors in ALARM")));
        aws.ok(DESCRIBE_CONFIG, edit(fixture("describe-endpoint-config.json"), t -> {
            ((ObjectNode) t.path("ProductionVariants").get(0)).put("ModelName", previous);
        }));

        invoke(EVENT);

        aws.assertJobFailed("JobFailed", "PRD endpoint mlops-prd is RollingBack (FailureReason: Alarm mlops-prd-5xx-errors in ALARM)",
                "serves config " + previous, "execution 9a9a9a9a-1111-4222-8333-444455556666", "rolling this execution's update back");
    }

    @Test
    void failsWhenTheModelRunsAnotherPackage() {
        servingAsDeployed();
        aws.ok(DESCRIBE_MODEL, fixture("describe-model-prd.json").replace("mlops-bank-marketing/7", "mlops-bank-marketing/6"));

        invoke(EVENT);

        aws.assertJobFailed("JobFailed", "runs model package " + PKG + "6, expected " + PKG + "7");
        assertThat(aws.count(UPDATE)).isZero();
    }

    @Test
    void failsWhenTheVariantsOrLiveWeightsDifferFromTheExpectedOnes() {
        servingAsDeployed();
        aws.ok(DESCRIBE_CONFIG, edit(fixture("describe-endpoint-config.json"), t -> ((ArrayNode) t.path("ProductionVariants"))
                .addObject().put("VariantName", "Shadow").put("ModelName", "someone-elses-model").put("InitialVariantWeight", 0.5)));
        aws.ok(DESCRIBE_ENDPOINT, edit(fixture("describe-endpoint-in-service.json"),
                t -> ((ObjectNode) t.path("ProductionVariants").get(0)).put("CurrentWeight", 0.25)));

        invoke(EVENT);

        aws.assertJobFailed("JobFailed", "variant Shadow of config " + CONFIG + " serves model someone-elses-model",
                "has variants {AllTraffic=1.0, Shadow=0.5}, expected {AllTraffic=1.0}",
                "live variant weights are {AllTraffic=0.25}");
    }

    @Test
    void failsWhenTheEndpointDoesNotExist() {
        aws.error(DESCRIBE_ENDPOINT, 400, "ValidationException", "Could not find endpoint \"mlops-prd\".");

        invoke(EVENT);

        aws.assertJobFailed("JobFailed", "PRD endpoint mlops-prd cannot be described", "Could not find endpoint",
                "check that stack's events");
    }

    @Test
    void failsAConfigurationWithImageParametersOnPrd() {
        invoke(Fixtures.withUserParameters(EVENT, Fixtures.tree(EVENT).path("CodePipeline.job").path("data")
                .path("actionConfiguration").path("configuration").path("UserParameters").asText()
                .replace("\"variantWeights\"", "\"imageUri\":\"x\",\"variantWeights\"")));

        aws.assertJobFailed("ConfigurationError", "'imageUri'/'modelDataUrl' apply to the dev stage only");
        assertThat(aws.count(DESCRIBE_ENDPOINT)).isZero();
    }

    @Test
    void failsAConfigurationWithAnUnknownStage() {
        invoke(Fixtures.withUserParameters(EVENT, Fixtures.tree(EVENT).path("CodePipeline.job").path("data")
                .path("actionConfiguration").path("configuration").path("UserParameters").asText()
                .replace("\"stage\":\"prd\"", "\"stage\":\"qa\"")));

        aws.assertJobFailed("ConfigurationError", "'stage' must be 'dev' or 'prd'; received 'qa'");
    }
}
