package io.mlops.infra.constructs;

import io.mlops.infra.validation.Suppress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.services.applicationautoscaling.CfnScalableTarget;
import software.amazon.awscdk.services.applicationautoscaling.CfnScalingPolicy;
import software.amazon.awscdk.services.cloudwatch.CfnAlarm;
import software.amazon.awscdk.services.sagemaker.CfnEndpoint;
import software.amazon.awscdk.services.sagemaker.CfnEndpointConfig;
import software.amazon.awscdk.services.sagemaker.CfnModel;
import software.constructs.Construct;

/**
 * A SageMaker real-time endpoint serving either a registered model package
 * ({@code Containers[0].ModelPackageName}: PRD, which serves the Approved package) or a container image
 * with its model data ({@code Containers[0].Image} + {@code ModelDataUrl}: DEV, which must not depend on the
 * package's approval status; ADR 0103). Optional parts, present when their props are set:
 * data capture to the KMS bucket, target-tracking autoscaling on invocations per instance, and a
 * blue/green deployment with canary traffic shifting and automatic rollback on CloudWatch alarms
 * (5xx errors, model latency).
 *
 * <p>Model and endpoint-config names carry the pipeline execution id, so each deployment of a new
 * package replaces them (CloudFormation creates the new ones first, SageMaker shifts traffic, the
 * old ones are deleted after the update) while the endpoint name stays fixed.
 */
public final class ModelEndpoint extends Construct {
    public static final String VARIANT = "AllTraffic";

    /** Data capture destination, e.g. {@code s3://bucket/datacapture/prd/}. */
    public record DataCapture(String destinationS3Uri, int samplingPercent) {
    }

    /** Autoscaling bounds and target (invocations per instance per minute). */
    public record Autoscaling(int minCapacity, int maxCapacity, int targetInvocationsPerInstance) {
    }

    /** Blue/green canary deployment with alarm-driven rollback. */
    public record BlueGreen(int canaryInstances, int canaryBakeSeconds, int terminationWaitSeconds,
            int max5xxErrorsPerMinute, int maxModelLatencyMillis, String alarmTopicArn) {
    }

    /**
     * A serverless endpoint (ProductionVariant.ServerlessConfig): no instance, billed per request, scales to zero.
     * Serverless Inference excludes network isolation, data capture, multiple variants and blue/green traffic
     * shifting (SageMaker developer guide, "Serverless Inference", Feature exclusions), so the model runs without
     * network isolation and the config carries no KMS key (it encrypts an instance's ML storage volume, which a
     * serverless endpoint does not have). The container gets {@value #SERVERLESS_WORKERS} server worker
     * ({@code SERVE_WORKERS}): one request at a time per container, SageMaker adds containers up to
     * {@code maxConcurrency}.
     */
    public record Serverless(int memorySizeMb, int maxConcurrency) {
    }

    /** SERVE_WORKERS of a serverless container (model-container serve.py defaults to the CPU count). */
    public static final String SERVERLESS_WORKERS = "1";

    /** What the model's one container runs. */
    public sealed interface ModelSource permits ModelPackage, ImageAndModelData {
    }

    /** A model package (version) ARN: SageMaker takes the image and model data from the package. */
    public record ModelPackage(String modelPackageArn) implements ModelSource {
    }

    /** A container image (digest-pinned ECR URI) and its model data ({@code s3://.../model.tar.gz}). */
    public record ImageAndModelData(String imageUri, String modelDataUrl) implements ModelSource {
    }


    /** Name of the 5xx-errors rollback alarm of {@code endpointName} (deterministic: the pipeline's PRD bake names it). */
    public static String errorsAlarmName(String endpointName) {
        return endpointName + "-5xx-errors";
    }

    /** Name of the model-latency rollback alarm of {@code endpointName}. */
    public static String latencyAlarmName(String endpointName) {
        return endpointName + "-model-latency";
    }

    /** Both rollback alarm names of a blue/green endpoint, as the template creates them. */
    public static List<String> alarmNames(String endpointName) {
        return List.of(errorsAlarmName(endpointName), latencyAlarmName(endpointName));
    }

    private final CfnModel model;
    private final CfnEndpointConfig endpointConfig;
    private final CfnEndpoint endpoint;
    private final List<CfnAlarm> alarms = new ArrayList<>();

    public ModelEndpoint(Construct scope, String id, ModelEndpointProps props) {
        super(scope, id);
        Serverless serverless = props.serverless();
        if (serverless != null && (props.dataCapture() != null || props.autoscaling() != null || props.blueGreen() != null)) {
            throw new IllegalArgumentException("a serverless endpoint (" + props.endpointName() + ") cannot have data capture,"
                    + " autoscaling or a blue/green canary: Serverless Inference excludes them (SageMaker developer guide,"
                    + " \"Serverless Inference\", Feature exclusions). Use an instance endpoint for them.");
        }
        CfnModel.Builder modelBuilder = CfnModel.Builder.create(this, "Model")
                .modelName(props.modelName())
                .executionRoleArn(props.executionRoleArn());
        if (serverless == null) {
            modelBuilder.enableNetworkIsolation(true).containers(List.of(container(props.source(), null)));
        } else {
            // Serverless Inference excludes network isolation; the model still runs without a VPC.
            modelBuilder.containers(List.of(container(props.source(), Map.of("SERVE_WORKERS", SERVERLESS_WORKERS))));
        }
        model = modelBuilder.build();
        Suppress.nag(model, "AwsSolutions-SM1", serverless == null
                ? "No VPC in this product: the model runs with network isolation (no outbound network) instead."
                : "Serverless Inference supports neither VPC configuration nor network isolation (feature exclusions); DEV only, test data.");

        CfnEndpointConfig.ProductionVariantProperty.Builder variant = CfnEndpointConfig.ProductionVariantProperty.builder()
                .variantName(VARIANT)
                .modelName(model.getAttrModelName());
        if (serverless == null) {
            variant.initialInstanceCount(props.instanceCount()).instanceType(props.instanceType()).initialVariantWeight(1);
        } else {
            variant.serverlessConfig(CfnEndpointConfig.ServerlessConfigProperty.builder()
                    .memorySizeInMb(serverless.memorySizeMb())
                    .maxConcurrency(serverless.maxConcurrency())
                    .build());
        }
        CfnEndpointConfig.Builder config = CfnEndpointConfig.Builder.create(this, "Config")
                .endpointConfigName(props.endpointConfigName())
                .productionVariants(List.of(variant.build()));
        if (serverless == null) {
            config.kmsKeyId(props.kmsKeyArn());
        }
        if (props.dataCapture() != null) {
            config.dataCaptureConfig(CfnEndpointConfig.DataCaptureConfigProperty.builder()
                    .enableCapture(true)
                    .initialSamplingPercentage(props.dataCapture().samplingPercent())
                    .destinationS3Uri(props.dataCapture().destinationS3Uri())
                    .kmsKeyId(props.kmsKeyArn())
                    .captureOptions(List.of(
                            CfnEndpointConfig.CaptureOptionProperty.builder().captureMode("Input").build(),
                            CfnEndpointConfig.CaptureOptionProperty.builder().captureMode("Output").build()))
                    .captureContentTypeHeader(CfnEndpointConfig.CaptureContentTypeHeaderProperty.builder()
                            .csvContentTypes(List.of("text/csv"))
                            .jsonContentTypes(List.of("application/json"))
                            .build())
                    .build());
        }
        endpointConfig = config.build();

        CfnEndpoint.Builder endpointBuilder = CfnEndpoint.Builder.create(this, "Endpoint")
                .endpointName(props.endpointName())
                .endpointConfigName(endpointConfig.getAttrEndpointConfigName());
        if (props.blueGreen() != null) {
            BlueGreen bg = props.blueGreen();
            CfnAlarm errors = alarm("Errors5xxAlarm", errorsAlarmName(props.endpointName()),
                    "5xx errors of " + props.endpointName() + " (rolls back a deployment)",
                    "Invocation5XXErrors", "Sum", bg.max5xxErrorsPerMinute(), props.endpointName(), bg.alarmTopicArn());
            // ModelLatency is reported in microseconds.
            CfnAlarm latency = alarm("LatencyAlarm", latencyAlarmName(props.endpointName()),
                    "Model latency of " + props.endpointName() + " (rolls back a deployment)",
                    "ModelLatency", "Average", bg.maxModelLatencyMillis() * 1000, props.endpointName(), bg.alarmTopicArn());
            alarms.add(errors);
            alarms.add(latency);
            endpointBuilder
                    // Keep the autoscaled instance count when a new config arrives. Nothing is excluded
                    // (ExcludeRetainedVariantProperties unset): what a redeploy changes is the model and the config,
                    // which RetainAllVariantProperties never retains (the new config's variants name the new model);
                    // the retained properties are the instance count and weight that autoscaling manages.
                    .retainAllVariantProperties(props.autoscaling() != null)
                    .deploymentConfig(CfnEndpoint.DeploymentConfigProperty.builder()
                            .blueGreenUpdatePolicy(CfnEndpoint.BlueGreenUpdatePolicyProperty.builder()
                                    .trafficRoutingConfiguration(CfnEndpoint.TrafficRoutingConfigProperty.builder()
                                            .type("CANARY")
                                            .canarySize(CfnEndpoint.CapacitySizeProperty.builder()
                                                    .type("INSTANCE_COUNT").value(bg.canaryInstances()).build())
                                            .waitIntervalInSeconds(bg.canaryBakeSeconds())
                                            .build())
                                    .terminationWaitInSeconds(bg.terminationWaitSeconds())
                                    .maximumExecutionTimeoutInSeconds(bg.canaryBakeSeconds() + bg.terminationWaitSeconds() + 3600)
                                    .build())
                            .autoRollbackConfiguration(CfnEndpoint.AutoRollbackConfigProperty.builder()
                                    .alarms(List.of(
                                            CfnEndpoint.AlarmProperty.builder().alarmName(errors.getRef()).build(),
                                            CfnEndpoint.AlarmProperty.builder().alarmName(latency.getRef()).build()))
                                    .build())
                            .build());
        }
        endpoint = endpointBuilder.build();

        if (props.autoscaling() != null) {
            Autoscaling a = props.autoscaling();
            // L1 without RoleARN: Application Auto Scaling uses its SageMaker service-linked role, so the
            // stack creates no IAM role (the pipeline deploys it without CAPABILITY_IAM).
            CfnScalableTarget target = CfnScalableTarget.Builder.create(this, "ScalableTarget")
                    .serviceNamespace("sagemaker")
                    .resourceId(Fn.join("", List.of("endpoint/", endpoint.getAttrEndpointName(), "/variant/", VARIANT)))
                    .scalableDimension("sagemaker:variant:DesiredInstanceCount")
                    .minCapacity(a.minCapacity())
                    .maxCapacity(a.maxCapacity())
                    .build();
            // No explicit DependsOn: ResourceId's GetAtt on the endpoint already orders it (cfn-lint W3005).
            CfnScalingPolicy.Builder.create(this, "InvocationsPerInstance")
                    .policyName(props.endpointName() + "-invocations-per-instance")
                    .policyType("TargetTrackingScaling")
                    .scalingTargetId(target.getRef())
                    .targetTrackingScalingPolicyConfiguration(
                            CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty.builder()
                                    .predefinedMetricSpecification(CfnScalingPolicy.PredefinedMetricSpecificationProperty.builder()
                                            .predefinedMetricType("SageMakerVariantInvocationsPerInstance").build())
                                    .targetValue(a.targetInvocationsPerInstance())
                                    .scaleInCooldown(300)
                                    .scaleOutCooldown(60)
                                    .build())
                    .build();
        }
    }

    private static CfnModel.ContainerDefinitionProperty container(ModelSource source, Map<String, String> environment) {
        CfnModel.ContainerDefinitionProperty.Builder c = CfnModel.ContainerDefinitionProperty.builder();
        if (source instanceof ModelPackage p) {
            c.modelPackageName(p.modelPackageArn());
        } else {
            ImageAndModelData d = (ImageAndModelData) source;
            c.image(d.imageUri()).modelDataUrl(d.modelDataUrl()).mode("SingleModel");
        }
        if (environment != null) {
            c.environment(environment);
        }
        return c.build();
    }

    private CfnAlarm alarm(String id, String name, String description, String metric, String statistic, double threshold,
            String endpointName, String topicArn) {
        return CfnAlarm.Builder.create(this, id)
                .alarmName(name)
                .alarmDescription(description)
                .namespace("AWS/SageMaker")
                .metricName(metric)
                .dimensions(List.of(
                        CfnAlarm.DimensionProperty.builder().name("EndpointName").value(endpointName).build(),
                        CfnAlarm.DimensionProperty.builder().name("VariantName").value(VARIANT).build()))
                .statistic(statistic)
                .period(60)
                .evaluationPeriods(2)
                .datapointsToAlarm(2)
                .threshold(threshold)
                .comparisonOperator("GreaterThanOrEqualToThreshold")
                .treatMissingData("notBreaching")
                .actionsEnabled(true)
                .alarmActions(List.of(topicArn))
                .okActions(List.of(topicArn))
                .build();
    }

    public CfnModel model() {
        return model;
    }

    public CfnEndpointConfig endpointConfig() {
        return endpointConfig;
    }

    public CfnEndpoint endpoint() {
        return endpoint;
    }

    public List<CfnAlarm> alarms() {
        return List.copyOf(alarms);
    }
}
