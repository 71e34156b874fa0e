package io.mlops.lambdas.monitoring;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.ContainerDefinition;
import software.amazon.awssdk.services.sagemaker.model.DescribeEndpointConfigResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeEndpointResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeModelPackageResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeModelResponse;
import software.amazon.awssdk.services.sagemaker.model.EndpointSummary;
import software.amazon.awssdk.services.sagemaker.model.ModelPackageContainerDefinition;
import software.amazon.awssdk.services.sagemaker.model.ProductionVariant;

/**
 * The model an endpoint serves now, read from the endpoint itself (endpoint -> its current endpoint config ->
 * the variants' model -> the model's container, or the model package the container names), never from the
 * registry's newest version: the drift profile must be the one of the model that answered the traffic.
 *
 * @param variants the variant names (their capture lies under {@code <endpoint>/<variant>/})
 * @param modelPackageArn the package the model was built from, or null (a model from image + model data)
 */
public record ServingModel(String endpointName, String endpointConfigName, List<String> variants, String modelName,
        String imageUri, String modelDataUrl, String modelPackageArn) {

    public ServingModel {
        Objects.requireNonNull(endpointName, "endpointName");
        variants = List.copyOf(variants);
    }

    /**
     * The endpoint's serving model, or empty when no endpoint of that name exists (ListEndpoints with the exact
     * name: SageMaker answers DescribeEndpoint of a missing endpoint with a ValidationException, which is no
     * documented not-found code; docs/contracts/aws-api.md "Error codes"). Fails with what is wrong when the
     * endpoint serves more than one model or a container without model data.
     */
    public static Optional<ServingModel> of(SageMakerClient sageMaker, String endpointName) {
        boolean exists = sageMaker.listEndpointsPaginator(r -> r.nameContains(endpointName)).endpoints().stream()
                .map(EndpointSummary::endpointName).anyMatch(endpointName::equals);
        if (!exists) {
            return Optional.empty();
        }
        DescribeEndpointResponse endpoint = sageMaker.describeEndpoint(r -> r.endpointName(endpointName));
        DescribeEndpointConfigResponse config = sageMaker.describeEndpointConfig(r -> r.endpointConfigName(endpoint.endpointConfigName()));
        List<ProductionVariant> variants = config.productionVariants();
        List<String> models = variants.stream().map(ProductionVariant::modelName).distinct().toList();
        if (models.size() != 1) {
            throw new IllegalStateException("endpoint " + endpointName + " (config " + endpoint.endpointConfigName()
                    + ") serves " + models.size() + " models " + models + "; the drift monitor compares one model's "
                    + "profile with the traffic. Monitor endpoints with one model (this project's templates deploy one).");
        }
        String modelName = models.get(0);
        DescribeModelResponse model = sageMaker.describeModel(r -> r.modelName(modelName));
        ContainerDefinition container = model.primaryContainer() != null ? model.primaryContainer()
                : model.containers().isEmpty() ? null : model.containers().get(0);
        if (container == null) {
            throw new IllegalStateException("model " + modelName + " of endpoint " + endpointName + " has no container");
        }
        List<String> variantNames = variants.stream().map(ProductionVariant::variantName).toList();
        if (container.modelPackageName() != null && !container.modelPackageName().isBlank()) {
            String packageArn = container.modelPackageName();
            DescribeModelPackageResponse pkg = sageMaker.describeModelPackage(r -> r.modelPackageName(packageArn));
            if (pkg.inferenceSpecification() == null || pkg.inferenceSpecification().containers().isEmpty()) {
                throw new IllegalStateException("model package " + packageArn + " (served by " + endpointName
                        + ") has no inference container");
            }
            ModelPackageContainerDefinition c = pkg.inferenceSpecification().containers().get(0);
            return Optional.of(new ServingModel(endpointName, endpoint.endpointConfigName(), variantNames, modelName,
                    c.image(), requireModelData(c.modelDataUrl(), packageArn, endpointName), packageArn));
        }
        return Optional.of(new ServingModel(endpointName, endpoint.endpointConfigName(), variantNames, modelName,
                container.image(), requireModelData(container.modelDataUrl(), modelName, endpointName), null));
    }

    private static String requireModelData(String url, String owner, String endpointName) {
        if (url == null || url.isBlank()) {
            throw new IllegalStateException(owner + " (served by " + endpointName + ") has no model data URL; the "
                    + "drift profile (profile.json) lives in the model artifact, so the monitor cannot run");
        }
        return url;
    }
}
