package io.mlops.infra.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlops.infra.TestApps;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * Least privilege across every IAM policy of the pipeline stack: no {@code Resource: *} except for
 * actions that support no resource-level permissions, and {@code iam:PassRole} always limited to
 * the service the role is for.
 */
class IamPolicyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Actions without resource-level permissions (AWS Service Authorization Reference). */
    private static final Set<String> NO_RESOURCE_LEVEL = Set.of(
            "codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult",
            "sagemaker:ListModelPackages", "sagemaker:ListModelPackageGroups",
            // SageMaker Developer Guide, "API permissions reference": no resource-level restrictions for List* calls but ListTags.
            "sagemaker:ListEndpoints", "ecr:GetAuthorizationToken", "cloudwatch:PutMetricData", "lambda:ListFunctions",
            "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
            "application-autoscaling:RegisterScalableTarget", "application-autoscaling:DeregisterScalableTarget",
            "application-autoscaling:DescribeScalableTargets", "application-autoscaling:PutScalingPolicy",
            "application-autoscaling:DeleteScalingPolicy", "application-autoscaling:DescribeScalingPolicies",
            "application-autoscaling:DescribeScalingActivities",
            // Step Functions log delivery (CDK's LogOptions grant); CloudWatch Logs requires Resource "*" here.
            "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups");
    private static Template template;
    /** Policy path (logical id) → statements. */
    private static final Map<String, List<JsonNode>> POLICIES = new LinkedHashMap<>();

    @BeforeAll
    static void synth() {
        template = Template.fromStack(TestApps.gatedStack());
        JsonNode root = JSON.valueToTree(template.toJSON());
        root.path("Resources").fields().forEachRemaining(e -> {
            JsonNode r = e.getValue();
            if (r.path("Type").asText().equals("AWS::IAM::Policy")) {
                POLICIES.put(e.getKey(), list(r.path("Properties").path("PolicyDocument").path("Statement")));
            } else if (r.path("Type").asText().equals("AWS::IAM::Role")) {
                for (JsonNode p : r.path("Properties").path("Policies")) {
                    POLICIES.put(e.getKey() + "/" + p.path("PolicyName").asText(), list(p.path("PolicyDocument").path("Statement")));
                }
            }
        });
        assertThat(POLICIES).hasSizeGreaterThan(20);
    }

    private static List<JsonNode> list(JsonNode node) {
        List<JsonNode> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(out::add);
        } else if (!node.isMissingNode()) {
            out.add(node);
        }
        return out;
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : list(node)) {
            out.add(n.isTextual() ? n.asText() : n.toString());
        }
        return out;
    }

    @Test
    void wildcardResourcesOnlyForActionsWithoutResourceLevelPermissions() {
        List<String> offending = new ArrayList<>();
        POLICIES.forEach((policy, statements) -> {
            for (JsonNode s : statements) {
                if (!s.path("Effect").asText().equals("Allow")) {
                    continue;
                }
                assertThat(strings(s.path("Action"))).as(policy).doesNotContain("*");
                if (strings(s.path("Resource")).contains("*")) {
                    for (String action : strings(s.path("Action"))) {
                        if (!NO_RESOURCE_LEVEL.contains(action)) {
                            offending.add(policy + ": " + action);
                        }
                    }
                }
            }
        });
        assertThat(offending).as("actions granted on Resource * that support resource-level permissions").isEmpty();
    }

    @Test
    void putMetricDataIsLimitedToANamespace() {
        POLICIES.forEach((policy, statements) -> {
            for (JsonNode s : statements) {
                if (strings(s.path("Action")).contains("cloudwatch:PutMetricData")) {
                    assertThat(s.path("Condition").toString()).as(policy).contains("cloudwatch:namespace");
                }
            }
        });
    }

    @Test
    void passRoleIsAlwaysLimitedByPassedToService() {
        int checked = 0;
        for (var e : POLICIES.entrySet()) {
            for (JsonNode s : e.getValue()) {
                if (!s.path("Effect").asText().equals("Allow") || !strings(s.path("Action")).contains("iam:PassRole")) {
                    continue;
                }
                checked++;
                boolean conditioned = s.path("Condition").path("StringEquals").has("iam:PassedToService");
                boolean denyGuarded = e.getValue().stream().anyMatch(d -> d.path("Effect").asText().equals("Deny")
                        && strings(d.path("Action")).contains("iam:PassRole")
                        && d.path("Resource").equals(s.path("Resource").isArray() && s.path("Resource").size() == 1
                                ? s.path("Resource").get(0) : s.path("Resource"))
                        && d.path("Condition").path("StringNotEquals").has("iam:PassedToService"));
                assertThat(conditioned || denyGuarded).as(e.getKey() + " passes " + s.path("Resource") + " unconditionally").isTrue();
            }
        }
        assertThat(checked).as("PassRole statements found").isGreaterThanOrEqualTo(5);
    }

    @Test
    void launchersPassTheSageMakerRoleOnlyToSageMaker() {
        template.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("HandlersLaunchTrainingRole.*"))),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Action", "iam:PassRole",
                        "Condition", Map.of("StringEquals", Map.of("iam:PassedToService", "sagemaker.amazonaws.com")),
                        "Resource", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("SageMakerJobRole.*"), "Arn"))))))))));
    }

    @Test
    void launchTrainingIsScopedToThisProjectsTrainingJobs() {
        template.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("HandlersLaunchTrainingRole.*"))),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Action", List.of("sagemaker:AddTags", "sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob"),
                        "Resource", Map.of("Fn::Join", List.of("", Match.arrayWith(List.of(":training-job/mlops-train-*"))))))))))));
    }

    @Test
    void handlersUseOnlyTheRunPrefixesTheyNeed() {
        template.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("HandlersMonitorEtlRole.*"))),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Action", List.of("s3:GetObject", "s3:GetObjectVersion"),
                        "Resource", Map.of("Fn::Join", List.of("", List.of(
                                Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("StorageArtifacts.*"), "Arn")),
                                "/runs/*/etl/manifest.json")))))))))));
    }
}
