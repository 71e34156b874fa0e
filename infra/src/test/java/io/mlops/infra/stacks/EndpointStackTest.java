package io.mlops.infra.stacks;

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
    void modelComesFromTheRegisteredModelPackageParameter() {
        for (Template t : List.of(dev, prd)) {
            t.hasParameter("ModelPackageArn", Match.objectLike(Map.of("Type", "String",
                    "AllowedPattern", Match.stringLikeRegexp(".*model-package.*"))));
            t.hasResourceProperties("AWS::SageMaker::Model", Map.of(
                    "Containers", List.of(Map.of("ModelPackageName", Map.of("Ref", "ModelPackageArn"))),
                    "ExecutionRoleArn", Map.of("Ref", "ModelExecutionRoleArn"),
                    "EnableNetworkIsolation", true,
                    "ModelName", Map.of("Fn::Join", List.of("", List.of(Match.stringLikeRegexp("mlops-(dev|prd)-"),
                            Map.of("Ref", "PipelineExecutionId"))))));
            t.hasResourceProperties("AWS::SageMaker::EndpointConfig", Match.objectLike(Map.of(
                    "KmsKeyId", Map.of("Ref", "KmsKeyArn"))));
        }
    }

    @Test
    void devIsOneSmallInstanceWithoutAutoscalingOrCanary() {
        dev.hasResourceProperties("AWS::SageMaker::EndpointConfig", Match.objectLike(Map.of(
                "ProductionVariants", List.of(Match.objectLike(Map.of("InstanceType", "ml.t2.medium",
                        "InitialInstanceCount", 1, "VariantName", "AllTraffic"))))));
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
