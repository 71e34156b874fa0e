package io.mlops.lambdas.registry;

import static io.mlops.lambdas.testing.Fixtures.GROUP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlops.lambdas.pipeline.JobFailedException;
import io.mlops.lambdas.testing.AwsStub;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sagemaker.model.DescribeModelPackageResponse;
import software.amazon.awssdk.services.sagemaker.model.InferenceSpecification;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageContainerDefinition;

class ModelRegistryClientTest {
    @RegisterExtension
    static final AwsStub aws = new AwsStub();

    static final String ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/" + GROUP + "/7";

    ModelRegistryClient registry() {
        return new ModelRegistryClient(aws.clients().sageMaker());
    }

    @Test
    void descriptionCarriesTheMarkerAndIsCutTo1024Characters() {
        assertThat(ModelRegistryClient.description("e1", null, "gate passed"))
                .isEqualTo("Evaluated in pipeline execution e1, commit unknown: gate passed")
                .contains(ModelRegistryClient.executionMarker("e1"));
        String longOne = ModelRegistryClient.description("e1", "c1", "x".repeat(2000));
        assertThat(longOne).hasSize(1024).endsWith("...").contains(ModelRegistryClient.executionMarker("e1"));
    }

    @Test
    void everyLifeCycleValueFitsTheApiPatternAndDescriptionsAreCutTo1024() {
        for (ModelRegistryClient.LifeCycle lc : ModelRegistryClient.LifeCycle.values()) {
            assertThat(lc.stage()).as(lc.name()).matches("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");
            assertThat(lc.status()).as(lc.name()).matches("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");
        }
        var shape = ModelRegistryClient.LifeCycle.PRODUCTION.with("d".repeat(2000));
        assertThat(shape.stage()).isEqualTo("Production");
        assertThat(shape.stageStatus()).isEqualTo("Deployed");
        assertThat(shape.stageDescription()).hasSize(1024).endsWith("...");
    }

    @Test
    void recordProductionFindsVersionsInProductionOnLaterPages() {
        String page1 = "{\"ModelPackageSummaryList\":[{\"ModelPackageArn\":\"" + ARN + "\",\"ModelPackageVersion\":7,"
                + "\"CreationTime\":1767220000,\"ModelPackageStatus\":\"Completed\"}],\"NextToken\":\"t2\"}";
        String page2 = "{\"ModelPackageSummaryList\":[{\"ModelPackageArn\":\"" + ARN.replace("/7", "/3")
                + "\",\"ModelPackageVersion\":3,\"CreationTime\":1767200000,\"ModelPackageStatus\":\"Completed\","
                + "\"ModelLifeCycle\":{\"Stage\":\"Production\",\"StageStatus\":\"Deployed\"}}]}";
        aws.sequence("SageMaker.ListModelPackages", page1, page2);
        aws.ok("SageMaker.UpdateModelPackage", "{\"ModelPackageArn\":\"" + ARN + "\"}");

        ModelRegistryClient.Promotion p = registry().recordProduction(GROUP, ARN, "verified");

        assertThat(p.alreadyProduction()).isFalse();
        assertThat(p.archived()).containsExactly(ARN.replace("/7", "/3"));
        assertThat(aws.requests("SageMaker.ListModelPackages").get(1).path("NextToken").asText()).isEqualTo("t2");
        var updates = aws.requests("SageMaker.UpdateModelPackage");
        assertThat(updates).extracting(u -> u.path("ModelPackageArn").asText() + "=" + u.path("ModelLifeCycle").path("Stage").asText())
                .containsExactly(ARN + "=Production", ARN.replace("/7", "/3") + "=Archived");
    }

    @Test
    void versionOfTakesTheLastSegment() {
        assertThat(ModelRegistryClient.versionOf(ARN)).isEqualTo("7");
        assertThat(ModelRegistryClient.versionOf("no-slash")).isEqualTo("?");
    }

    @Test
    void failsWhenARegisteredPackageHasNoUsableContainer() {
        DescribeModelPackageResponse noImage = DescribeModelPackageResponse.builder().modelPackageArn(ARN)
                .inferenceSpecification(InferenceSpecification.builder()
                        .containers(ModelPackageContainerDefinition.builder().modelDataUrl("s3://b/m.tar.gz").build()).build())
                .build();

        assertThatThrownBy(() -> ModelRegistryClient.firstContainer(noImage))
                .isInstanceOf(JobFailedException.class)
                .hasMessageContaining("model package " + ARN + " carries this execution's pipeline-execution-id metadata")
                .hasMessageContaining("Release a new change");
        assertThatThrownBy(() -> ModelRegistryClient.firstContainer(DescribeModelPackageResponse.builder().build()))
                .isInstanceOf(JobFailedException.class);
    }

    @Test
    void newestApprovedReadsMetadataAndStatisticsOfTheNewestApprovedPackage() {
        aws.ok("SageMaker.ListModelPackages", "{\"ModelPackageSummaryList\":[{\"ModelPackageArn\":\"" + ARN
                + "\",\"ModelPackageGroupName\":\"" + GROUP + "\",\"ModelPackageVersion\":7,\"CreationTime\":1763800000,"
                + "\"ModelPackageStatus\":\"Completed\",\"ModelApprovalStatus\":\"Approved\"}]}");
        aws.ok("SageMaker.DescribeModelPackage", "{\"ModelPackageArn\":\"" + ARN + "\",\"ModelPackageVersion\":7,"
                + "\"CustomerMetadataProperties\":{\"metric.auc\":\"0.8\"},\"ModelMetrics\":{\"ModelQuality\":"
                + "{\"Statistics\":{\"ContentType\":\"application/json\",\"S3Uri\":\"s3://b/e.json\"}}}}");

        ModelRegistryClient.Approved approved = registry().newestApproved(GROUP).orElseThrow();

        assertThat(approved).isEqualTo(new ModelRegistryClient.Approved(ARN, "7", Map.of("metric.auc", "0.8"), "s3://b/e.json"));
        assertThat(approved.recorded("auc")).isEqualTo("0.8");
        assertThat(approved.recorded("f1")).isNull();
        var list = aws.onlyRequest("SageMaker.ListModelPackages");
        assertThat(list.path("ModelApprovalStatus").asText()).isEqualTo("Approved");
        assertThat(list.path("MaxResults").asInt()).isEqualTo(1);
        assertThat(aws.onlyRequest("SageMaker.DescribeModelPackage").path("ModelPackageName").asText()).isEqualTo(ARN);
    }

    @Test
    void newestApprovedIsEmptyWithoutAnApprovedPackage() {
        aws.ok("SageMaker.ListModelPackages", "{\"ModelPackageSummaryList\":[]}");

        assertThat(registry().newestApproved(GROUP)).isEmpty();
        assertThat(aws.count("SageMaker.DescribeModelPackage")).isZero();
    }

    @Test
    void failsDescribeOnValidationExceptionWithWhatToDo() {
        aws.error("SageMaker.DescribeModelPackage", 400, "ValidationException", "Model package not found");

        assertThatThrownBy(() -> registry().describe(ARN))
                .isInstanceOf(JobFailedException.class)
                .hasMessage("SageMaker rejected DescribeModelPackage for " + ARN + " (ValidationException: Model package "
                        + "not found). If the package was deleted after the Evaluate action: Release a new change so "
                        + "Evaluate registers a new package.");
    }
}
