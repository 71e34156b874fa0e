package io.mlops.lambdas.verify;

import com.amazonaws.services.lambda.runtime.Context;
import io.mlops.contract.actions.VerifyEndpoint;
import io.mlops.lambdas.core.AwsErrors;
import io.mlops.lambdas.core.ClientFactory;
import io.mlops.lambdas.core.HandlerConfig;
import io.mlops.lambdas.core.HandlerEnv;
import io.mlops.lambdas.core.HandlerLog;
import io.mlops.lambdas.pipeline.JobFailedException;
import io.mlops.lambdas.pipeline.JobOutcome;
import io.mlops.lambdas.pipeline.PipelineJob;
import io.mlops.lambdas.pipeline.PipelineJobHandler;
import io.mlops.lambdas.registry.ModelRegistryClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.ContainerDefinition;
import software.amazon.awssdk.services.sagemaker.model.DescribeEndpointConfigResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeEndpointResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeModelResponse;
import software.amazon.awssdk.services.sagemaker.model.ProductionVariant;
import software.amazon.awssdk.services.sagemaker.model.ProductionVariantSummary;

/**
 * <b>VerifyEndpoint</b>: runs after the CloudFormation deploy of DeployDev and DeployPrd (runOrder 2) and checks
 * that the endpoint serves what this execution deployed. A stack update can report success while SageMaker
 * rolled the endpoint update back (an alarm during the canary, a failed health check); this action catches it.
 *
 * <p>DescribeEndpoint: {@code Creating}/{@code Updating}/{@code SystemUpdating} keep the action in progress
 * (continuation token); {@code InService} is checked; every other status ({@code RollingBack}, {@code Failed},
 * {@code UpdateRollbackFailed}, {@code OutOfService}, {@code Deleting}) fails the action with SageMaker's
 * FailureReason. Then: the endpoint's EndpointConfigName is this execution's ({@code endpointConfigName}); its
 * variants (DescribeEndpointConfig) are exactly {@code variantWeights} by name and initial weight, and each
 * serves {@code modelName}; the live weights (DescribeEndpoint ProductionVariants CurrentWeight) are the
 * expected ones; the model (DescribeModel) runs this execution's container: PRD {@code ModelPackageName} =
 * {@code modelPackageArn}, DEV {@code Image} = {@code imageUri} and {@code ModelDataUrl} = {@code modelDataUrl}.
 * A mismatch fails the action saying what is serving instead: "endpoint X serves config Y (model Z, execution E),
 * expected config ...".
 *
 * <p>PRD only, after a successful check: the registry records the package as {@code Production/Deployed}
 * (ModelLifeCycle) and every other version recorded in Production as {@code Archived/Retired}
 * ({@link ModelRegistryClient#recordProduction}).
 *
 * <p><b>User parameters</b> ({@link VerifyEndpointParams}, contract {@link VerifyEndpoint.Input}).
 *
 * <p><b>Output variables</b>: {@code EndpointConfigName}, {@code ModelName}, {@code ModelPackageArn},
 * {@code ArchivedPackages} (PRD: comma-separated ARNs moved to Archived, or {@code none}).
 *
 * <p><b>Environment</b>: {@code MODEL_PACKAGE_GROUP} (required), {@code AWS_REGION}.
 *
 * <p><b>IAM</b>: {@code sagemaker:DescribeEndpoint} on {@code endpoint/<dev>} and {@code endpoint/<prd>};
 * {@code sagemaker:DescribeEndpointConfig} on {@code endpoint-config/<dev>-*}, {@code endpoint-config/<prd>-*};
 * {@code sagemaker:DescribeModel} on {@code model/<dev>-*}, {@code model/<prd>-*};
 * {@code sagemaker:ListModelPackages} ({@code *}); {@code sagemaker:UpdateModelPackage} on
 * {@code model-package/<group>/*}; {@code codepipeline:PutJobSuccessResult}/{@code PutJobFailureResult} ({@code *}).
 */
public final class VerifyEndpointHandler extends PipelineJobHandler<VerifyEndpointParams> {

    /** Continuation state: how many times this action has found the endpoint still changing. */
    public record Poll(int polls) {
    }

    /** What the handler works with: its configuration and the SDK clients (built once per container). */
    public record Deps(HandlerConfig<VerifyEndpointConfig> config, CodePipelineClient codePipeline,
            SageMakerClient sageMaker) {
        /** Lambda: the configuration and the clients from the function's environment. */
        static Deps of(HandlerEnv env) {
            return of(env, ClientFactory.fromEnv(env));
        }

        /** The configuration read from {@code env}, the clients from {@code clients}. */
        public static Deps of(HandlerEnv env, ClientFactory clients) {
            return new Deps(HandlerConfig.fromEnv(env, VerifyEndpointConfig::from), clients.codePipeline(),
                    clients.sageMaker());
        }
    }

    private final HandlerConfig<VerifyEndpointConfig> config;
    private final SageMakerClient sageMaker;
    private final ModelRegistryClient registry;

    /** Lambda entry point: clients built once per container. */
    public VerifyEndpointHandler() {
        this(Deps.of(HandlerEnv.fromSystem()));
    }

    /** Tests and wiring: explicit configuration and clients. */
    public VerifyEndpointHandler(Deps deps) {
        super(VerifyEndpointParams.class, deps.codePipeline());
        this.config = deps.config();
        this.sageMaker = deps.sageMaker();
        this.registry = new ModelRegistryClient(deps.sageMaker());
    }

    @Override
    protected JobOutcome run(PipelineJob<VerifyEndpointParams> job, Context context) {
        HandlerLog log = new HandlerLog(name(), context);
        VerifyEndpointConfig cfg = config.get();
        VerifyEndpointParams p = job.params();
        int polls = job.isContinuation() ? job.continuation(Poll.class).polls() : 0;
        String label = (p.production() ? "PRD" : "DEV") + " endpoint " + p.endpointName();

        DescribeEndpointResponse endpoint = describeEndpoint(p.endpointName(), label);
        String status = endpoint.endpointStatusAsString();
        log.info("endpoint status", Map.of("endpoint", p.endpointName(), "status", String.valueOf(status),
                "config", String.valueOf(endpoint.endpointConfigName()), "polls", polls + 1));
        if (endpoint.endpointStatus() == null) {
            throw JobFailedException.jobFailed(label + " reports status '" + status + "', which this handler does not "
                    + "know; check it in the SageMaker console" + console(cfg, p.endpointName())
                    + " and update the lambdas module if SageMaker added a status.");
        }
        switch (endpoint.endpointStatus()) {
            case CREATING, UPDATING, SYSTEM_UPDATING:
                return JobOutcome.inProgress(label + " is " + status + " (config " + endpoint.endpointConfigName()
                        + "); waiting for InService (poll " + (polls + 1) + ")", new Poll(polls + 1));
            case IN_SERVICE:
                break;
            default:
                throw JobFailedException.jobFailed(label + " is " + status
                        + (endpoint.failureReason() == null || endpoint.failureReason().isBlank() ? ""
                                : " (FailureReason: " + endpoint.failureReason().strip() + ")")
                        + ", not InService; it " + serving(endpoint.endpointConfigName(), p) + ". Expected config "
                        + p.endpointConfigName() + " of execution " + p.executionId() + ". "
                        + (endpoint.endpointStatusAsString().equals("RollingBack")
                                ? "SageMaker is rolling this execution's update back (an alarm fired during the canary or a "
                                        + "health check failed): see the endpoint's events and CloudWatch alarms"
                                : "See the endpoint in the SageMaker console")
                        + console(cfg, p.endpointName()) + ".");
        }

        List<String> mismatches = new ArrayList<>();
        if (!p.endpointConfigName().equals(endpoint.endpointConfigName())) {
            throw JobFailedException.jobFailed(label + " is InService but " + serving(endpoint.endpointConfigName(), p)
                    + ", expected config " + p.endpointConfigName() + " (model " + p.modelName() + ", execution "
                    + p.executionId() + "). The stack update reported success, but SageMaker kept or restored the "
                    + "previous config (for example an automatic rollback on an alarm during the canary). Check the "
                    + "endpoint's CloudWatch alarms and events" + console(cfg, p.endpointName())
                    + ", fix the cause, then retry the stage.");
        }
        DescribeEndpointConfigResponse ec = sageMaker.describeEndpointConfig(r -> r.endpointConfigName(p.endpointConfigName()));
        Map<String, Double> configured = new TreeMap<>();
        for (ProductionVariant v : ec.productionVariants()) {
            configured.put(v.variantName(), v.initialVariantWeight() == null ? null : v.initialVariantWeight().doubleValue());
            if (!p.modelName().equals(v.modelName())) {
                mismatches.add("variant " + v.variantName() + " of config " + ec.endpointConfigName() + " serves model "
                        + v.modelName() + " (execution " + executionOf(v.modelName(), p) + "), expected " + p.modelName());
            }
        }
        Map<String, Double> expected = new TreeMap<>(p.variantWeights());
        if (!sameWeights(configured, expected)) {
            mismatches.add("config " + ec.endpointConfigName() + " has variants " + configured + ", expected " + expected);
        }
        Map<String, Double> live = new TreeMap<>();
        if (endpoint.hasProductionVariants()) {
            for (ProductionVariantSummary v : endpoint.productionVariants()) {
                live.put(v.variantName(), v.currentWeight() == null ? null : v.currentWeight().doubleValue());
            }
        }
        if (!sameWeights(live, expected)) {
            mismatches.add("the endpoint's live variant weights are " + live + ", expected " + expected);
        }
        DescribeModelResponse model = describeModel(p.modelName());
        Optional<ContainerDefinition> container = container(model);
        if (container.isEmpty()) {
            mismatches.add("model " + p.modelName() + " has no container");
        } else if (p.production()) {
            String pkg = container.get().modelPackageName();
            if (!p.modelPackageArn().equals(pkg)) {
                mismatches.add("model " + p.modelName() + " runs model package " + pkg + ", expected " + p.modelPackageArn());
            }
        } else {
            ContainerDefinition c = container.get();
            if (!p.imageUri().equals(c.image())) {
                mismatches.add("model " + p.modelName() + " runs image " + c.image() + ", expected " + p.imageUri());
            }
            if (!p.modelDataUrl().equals(c.modelDataUrl())) {
                mismatches.add("model " + p.modelName() + " loads model data " + c.modelDataUrl() + ", expected "
                        + p.modelDataUrl());
            }
        }
        if (!mismatches.isEmpty()) {
            throw JobFailedException.jobFailed(label + " serves config " + ec.endpointConfigName() + " of execution "
                    + p.executionId() + ", but not as deployed: " + String.join("; ", mismatches) + ". Someone or something "
                    + "changed the endpoint, config or model outside the pipeline, or the template differs from what the "
                    + "pipeline expects; fix it and retry the stage.");
        }

        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put(VerifyEndpoint.Output.EndpointConfigName.name(), ec.endpointConfigName());
        outputs.put(VerifyEndpoint.Output.ModelName.name(), p.modelName());
        outputs.put(VerifyEndpoint.Output.ModelPackageArn.name(), p.modelPackageArn());
        String summary = label + " is InService with config " + ec.endpointConfigName() + ", model " + p.modelName()
                + ", variants " + expected + " (package " + p.modelPackageArn() + ")";
        if (!p.production()) {
            outputs.put(VerifyEndpoint.Output.ArchivedPackages.name(), "none");
            return JobOutcome.succeeded(summary, outputs);
        }
        ModelRegistryClient.Promotion promotion = registry.recordProduction(cfg.modelPackageGroup(), p.modelPackageArn(),
                "Serving on " + p.endpointName() + " (config " + ec.endpointConfigName() + ") since pipeline execution "
                        + p.executionId());
        log.info("recorded in the registry", Map.of("production", promotion.arn(), "archived", promotion.archived()));
        outputs.put(VerifyEndpoint.Output.ArchivedPackages.name(),
                promotion.archived().isEmpty() ? "none" : String.join(",", promotion.archived()));
        return JobOutcome.succeeded(summary + "; registry: Production" + (promotion.alreadyProduction() ? " (already)" : "")
                + (promotion.archived().isEmpty() ? "" : ", Archived " + promotion.archived().stream()
                        .map(ModelRegistryClient::versionOf).map(v -> "v" + v).toList()), outputs);
    }

    private DescribeEndpointResponse describeEndpoint(String name, String label) {
        try {
            return sageMaker.describeEndpoint(r -> r.endpointName(name));
        } catch (AwsServiceException e) {
            // DescribeEndpoint documents no error code for a missing endpoint: SageMaker answers ValidationException.
            if (AwsErrors.hasCode(e, AwsErrors.VALIDATION_EXCEPTION)) {
                throw JobFailedException.jobFailed(label + " cannot be described (" + AwsErrors.codeAndMessage(e)
                        + "). The Deploy action before this one creates it: check that stack's events, then retry the stage.", e);
            }
            throw e;
        }
    }

    private DescribeModelResponse describeModel(String name) {
        try {
            return sageMaker.describeModel(r -> r.modelName(name));
        } catch (AwsServiceException e) {
            if (AwsErrors.hasCode(e, AwsErrors.VALIDATION_EXCEPTION)) {
                throw JobFailedException.jobFailed("model " + name + " of this execution cannot be described ("
                        + AwsErrors.codeAndMessage(e) + "), although the endpoint config names it. Retry the stage so "
                        + "the Deploy action recreates it.", e);
            }
            throw e;
        }
    }

    /** "serves config X (model Y, execution Z)", each part from SageMaker where it can be read. */
    private String serving(String configName, VerifyEndpointParams p) {
        if (configName == null) {
            return "serves no endpoint config";
        }
        String models;
        try {
            DescribeEndpointConfigResponse c = sageMaker.describeEndpointConfig(r -> r.endpointConfigName(configName));
            models = c.productionVariants().stream().map(ProductionVariant::modelName).distinct()
                    .reduce((a, b) -> a + ", " + b).orElse("none");
        } catch (AwsServiceException e) {
            models = "unknown: " + AwsErrors.codeAndMessage(e);
        }
        return "serves config " + configName + " (model " + models + ", execution " + executionOf(configName, p) + ")";
    }

    /** The execution id in a {@code <endpoint>-<execution>} name, or "unknown" for a name not made by the templates. */
    static String executionOf(String name, VerifyEndpointParams p) {
        String prefix = p.endpointName() + "-";
        return name != null && name.startsWith(prefix) && name.length() > prefix.length()
                ? name.substring(prefix.length()) : "unknown (not named by the endpoint template)";
    }

    private static Optional<ContainerDefinition> container(DescribeModelResponse m) {
        ContainerDefinition primary = m.primaryContainer();
        if (primary != null && (primary.image() != null || primary.modelPackageName() != null)) {
            return Optional.of(primary);
        }
        return m.hasContainers() && !m.containers().isEmpty() ? Optional.of(m.containers().get(0)) : Optional.empty();
    }

    private static boolean sameWeights(Map<String, Double> actual, Map<String, Double> expected) {
        if (!actual.keySet().equals(expected.keySet())) {
            return false;
        }
        for (var e : expected.entrySet()) {
            Double a = actual.get(e.getKey());
            if (a == null || Math.abs(a - e.getValue()) > 1e-6) {
                return false;
            }
        }
        return true;
    }

    private static String console(VerifyEndpointConfig cfg, String endpoint) {
        return cfg.region().map(r -> " (https://" + r + ".console.aws.amazon.com/sagemaker/home?region=" + r
                + "#/endpoints/" + endpoint + ")").orElse("");
    }
}
