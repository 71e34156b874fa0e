package io.mlops.infra.stacks;

import io.mlops.infra.constructs.EndpointTemplateContract;
import static org.assertj.core.api.Assertions.assertThat;

import io.mlops.infra.TestApps;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** DEV and PRD endpoint templates, as the pipeline's CloudFormation actions deploy them. */
class EndpointStackTest {
    private static Template dev;
    private static Template prd;

    @BeforeAll
    static void synth() {
        EndpointTemplates templates = TestApps.gatedStack().templates();
        dev = Template.fromStack(templates.dev());
        prd = Template.fromStack(templates.prd());
    }

    @Test
    void prdServesTheRegisteredModelPackage() {
        prd.hasParameter("ModelPackageArn", Match.objectLike(Map.of("Type", "String",
                "AllowedPattern", Match.stringLikeRegexp(".*model-package.*"))));
        prd.hasResourceProperties("AWS::SageMaker::Model", Map.of(
                "Containers", List.of(Map.of("ModelPackageName", Map.of("Ref", "ModelPackageArn"))),
                "ExecutionRoleArn", Map.of("Ref", "ModelExecutionRoleArn"),
                "EnableNetworkIsolation", true,
                "ModelName", Map.of("Fn::Join", List.of("", List.of("mlops-prd-", Map.of("Ref", "PipelineExecutionId"))))));
        assertThat(prd.findParameters(EndpointTemplateContract.MODEL_IMAGE_URI)).isEmpty();
    }

    /** ADR 0103: DEV must not depend on SageMaker letting a PendingManualApproval package be deployed. */
    @Test
    void devServesThePackagesImageAndModelDataNotThePackage() {
        dev.hasParameter(EndpointTemplateContract.MODEL_IMAGE_URI, Match.objectLike(Map.of("Type", "String", "MaxLength", 255,
                "AllowedPattern", EndpointStack.IMAGE_PATTERN)));
        dev.hasParameter(EndpointTemplateContract.MODEL_DATA_URL, Match.objectLike(Map.of("Type", "String", "MaxLength", 1024,
                "AllowedPattern", EndpointStack.MODEL_DATA_PATTERN)));
        // Serverless by default: no network isolation there (DevModeAndSourceTest covers both modes).
        dev.hasResourceProperties("AWS::SageMaker::Model", Map.of(
                "Containers", List.of(Match.objectLike(Map.of("Image", Map.of("Ref", EndpointTemplateContract.MODEL_IMAGE_URI),
                        "ModelDataUrl", Map.of("Ref", EndpointTemplateContract.MODEL_DATA_URL), "Mode", "SingleModel"))),
                "ExecutionRoleArn", Map.of("Ref", "ModelExecutionRoleArn"),
                "ModelName", Map.of("Fn::Join", List.of("", List.of("mlops-dev-", Map.of("Ref", "PipelineExecutionId")))),
                "Tags", Match.anyValue()));
        // The package ARN stays a parameter: the stack output says which version DEV serves.
        dev.hasOutput("ServedModelPackageArn", Map.of("Value", Map.of("Ref", "ModelPackageArn"),
                "Description", Match.anyValue()));
        String image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlops/bank-marketing@sha256:" + "a".repeat(64);
        assertThat(image).matches(EndpointStack.IMAGE_PATTERN);
        assertThat("123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlops/bank-marketing:latest")
                .as("a tag is not reproducible").doesNotMatch(EndpointStack.IMAGE_PATTERN);
        assertThat("s3://mlops-artifacts/runs/e/training/j/output/model.tar.gz").matches(EndpointStack.MODEL_DATA_PATTERN);
        assertThat("s3://mlops-artifacts/runs/e/training/j/output/").doesNotMatch(EndpointStack.MODEL_DATA_PATTERN);
        prd.hasResourceProperties("AWS::SageMaker::EndpointConfig", Match.objectLike(Map.of(
                "KmsKeyId", Map.of("Ref", "KmsKeyArn"))));
    }

    /** cfn-lint E3002: AWS::ApplicationAutoScaling::ScalableTarget has no Tags property (CloudFormation rejects it). */
    @Test
    void scalableTargetCarriesNoTagsWhileTheOtherResourcesAreTagged() {
        prd.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", Map.of("Tags", Match.absent()));
        prd.hasResourceProperties("AWS::SageMaker::Endpoint", Match.objectLike(Map.of("Tags", Match.arrayWith(List.of(
                Map.of("Key", "mlops:stage", "Value", "prd"))))));
    }

    /** cfn-lint W3005: no DependsOn that a Ref or GetAtt already implies, in the templates we write ourselves. */
    @Test
    void endpointResourcesDeclareNoRedundantDependsOn() {
        for (Template t : List.of(dev, prd)) {
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> resources = (Map<String, Map<String, Object>>) t.toJSON().get("Resources");
            resources.forEach((id, r) -> assertThat(r).as(id + " DependsOn").doesNotContainKey("DependsOn"));
        }
    }

    @Test
    void bothTemplatesRejectAnUnsupportedRegionBeforeCreatingAnything() {
        for (Template t : List.of(dev, prd)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> rules = (Map<String, Object>) t.toJSON().get("Rules");
            assertThat(rules).containsKey(io.mlops.infra.config.Regions.RULE_ID);
            assertThat(String.valueOf(rules.get(io.mlops.infra.config.Regions.RULE_ID)))
                    .contains("Fn::Contains").contains("eu-west-1").contains("us-east-1").contains("AWS::Region");
        }
    }

    @Test
    void devIsOneServerlessVariantWithoutAutoscalingOrCanary() {
        dev.hasResourceProperties("AWS::SageMaker::EndpointConfig", Match.objectLike(Map.of(
                "ProductionVariants", List.of(Map.of("ServerlessConfig", Map.of("MemorySizeInMB", 2048, "MaxConcurrency", 5),
                        "VariantName", "AllTraffic", "ModelName", Match.anyValue())))));
        dev.hasResourceProperties("AWS::SageMaker::Endpoint", Map.of("EndpointName", "mlops-dev",
                "EndpointConfigName", Match.anyValue(), "Tags", Match.anyValue()));
        dev.resourceCountIs("AWS::ApplicationAutoScaling::ScalableTarget", 0);
        dev.resourceCountIs("AWS::CloudWatch::Alarm", 0);
        assertThat(dev.findParameters("DataCaptureS3Uri")).isEmpty();
        // Bootstrapless: deployable by the pipeline's CloudFormation role alone.
        assertThat(dev.findParameters("BootstrapVersion")).isEmpty();
    }

    @Test
    void prdHasTwoInstancesAndTargetTrackingOnInvocationsPerInstance() {
        prd.hasResourceProperties("AWS::SageMaker::EndpointConfig", Match.objectLike(Map.of(
                "ProductionVariants", List.of(Match.objectLike(Map.of("InstanceType", "ml.m5.large",
                        "InitialInstanceCount", 2))))));
        prd.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", Match.objectLike(Map.of(
                "ServiceNamespace", "sagemaker",
                "ScalableDimension", "sagemaker:variant:DesiredInstanceCount",
                "MinCapacity", 2, "MaxCapacity", 4,
                "ResourceId", Map.of("Fn::Join", List.of("", List.of("endpoint/",
                        Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("Endpoint[0-9A-F]{8}"), "EndpointName")),
                        "/variant/AllTraffic"))))));
        prd.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", Match.objectLike(Map.of(
                "PolicyType", "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration", Match.objectLike(Map.of(
                        "PredefinedMetricSpecification", Map.of("PredefinedMetricType", "SageMakerVariantInvocationsPerInstance"),
                        "TargetValue", 750)))));
    }

    @Test
    void prdDeploysBlueGreenWithACanaryAndRollsBackOnAlarms() {
        prd.hasResourceProperties("AWS::SageMaker::Endpoint", Match.objectLike(Map.of(
                "EndpointName", "mlops-prd",
                "RetainAllVariantProperties", true,
                "DeploymentConfig", Map.of(
                        "BlueGreenUpdatePolicy", Map.of(
                                "TrafficRoutingConfiguration", Map.of("Type", "CANARY",
                                        "CanarySize", Map.of("Type", "INSTANCE_COUNT", "Value", 1),
                                        "WaitIntervalInSeconds", 600),
                                "TerminationWaitInSeconds", 300,
                                "MaximumExecutionTimeoutInSeconds", Match.anyValue()),
                        "AutoRollbackConfiguration", Map.of("Alarms", List.of(
                                Map.of("AlarmName", Map.of("Ref", Match.stringLikeRegexp("EndpointErrors5xxAlarm.*"))),
                                Map.of("AlarmName", Map.of("Ref", Match.stringLikeRegexp("EndpointLatencyAlarm.*")))))))));
        prd.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "Namespace", "AWS/SageMaker", "MetricName", "Invocation5XXErrors", "Threshold", 5,
                "Dimensions", Match.arrayWith(List.of(Map.of("Name", "EndpointName", "Value", "mlops-prd"))),
                "AlarmActions", List.of(Map.of("Ref", "AlarmTopicArn")))));
        // ModelLatency is in microseconds: 1000 ms.
        prd.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "MetricName", "ModelLatency", "Threshold", 1_000_000)));
    }

    @Test
    void prdCapturesRequestsAndResponsesToTheKmsBucket() {
        prd.hasResourceProperties("AWS::SageMaker::EndpointConfig", Match.objectLike(Map.of(
                "DataCaptureConfig", Match.objectLike(Map.of(
                        "EnableCapture", true,
                        "InitialSamplingPercentage", 100,
                        "DestinationS3Uri", Map.of("Ref", "DataCaptureS3Uri"),
                        "KmsKeyId", Map.of("Ref", "KmsKeyArn"),
                        "CaptureOptions", List.of(Map.of("CaptureMode", "Input"), Map.of("CaptureMode", "Output")))))));
    }
}
