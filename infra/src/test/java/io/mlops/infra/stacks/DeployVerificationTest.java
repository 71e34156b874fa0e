package io.mlops.infra.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlops.infra.TestApps;
import io.mlops.infra.constructs.MlopsPipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * Issue 13: the Verify actions after DeployDev and DeployPrd, DeployPrd's automatic rollback (failure condition
 * ROLLBACK) and its bake on the PRD rollback alarms (success condition, CloudWatchAlarm rules), the permissions
 * these need, and the PRD template keeping the autoscaled capacity on every redeploy.
 */
class DeployVerificationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode root;
    private static JsonNode stages;
    private static Template pipeline;
    private static Template prd;
    private static JsonNode prdRoot;

    @BeforeAll
    static void synth() {
        PipelineStack stack = TestApps.gatedStack();
        pipeline = Template.fromStack(stack);
        root = JSON.valueToTree(pipeline.toJSON());
        prd = Template.fromStack(stack.templates().prd());
        prdRoot = JSON.valueToTree(prd.toJSON());
        root.path("Resources").forEach(r -> {
            if (r.path("Type").asText().equals("AWS::CodePipeline::Pipeline")) {
                stages = r.path("Properties").path("Stages");
            }
        });
        assertThat(stages).isNotNull();
    }

    private static JsonNode stage(String name) {
        for (JsonNode s : stages) {
            if (s.path("Name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no stage " + name);
    }

    private static JsonNode action(String stage, String action) {
        for (JsonNode a : stage(stage).path("Actions")) {
            if (a.path("Name").asText().equals(action)) {
                return a;
            }
        }
        throw new AssertionError("no action " + stage + "/" + action + " in " + stage(stage).path("Actions"));
    }

    private static JsonNode userParameters(String stage, String action) throws Exception {
        return JSON.readTree(action(stage, action).path("Configuration").path("UserParameters").asText());
    }

    @Test
    void bothDeployStagesVerifyTheEndpointAfterTheDeploy() throws Exception {
        for (String[] s : new String[][] {{"DeployDev", "dev", "mlops-dev", "VerifyDev"}, {"DeployPrd", "prd", "mlops-prd", "VerifyPrd"}}) {
            JsonNode verify = action(s[0], "Verify");
            assertThat(verify.path("ActionTypeId").path("Provider").asText()).isEqualTo("Lambda");
            assertThat(verify.path("RunOrder").asInt()).as(s[0]).isEqualTo(2);
            assertThat(action(s[0], "Deploy").path("RunOrder").asInt()).as(s[0]).isEqualTo(1);
            assertThat(verify.path("Namespace").asText()).isEqualTo(s[3]);
            JsonNode p = userParameters(s[0], "Verify");
            assertThat(p.path("stage").asText()).isEqualTo(s[1]);
            assertThat(p.path("endpointName").asText()).isEqualTo(s[2]);
            assertThat(p.path("executionId").asText()).isEqualTo("#{codepipeline.PipelineExecutionId}");
            // The endpoint template names its model and config <endpoint>-<execution id> (EndpointStack).
            assertThat(p.path("endpointConfigName").asText()).isEqualTo(s[2] + "-#{codepipeline.PipelineExecutionId}");
            assertThat(p.path("modelName").asText()).isEqualTo(s[2] + "-#{codepipeline.PipelineExecutionId}");
            assertThat(p.path("modelPackageArn").asText()).isEqualTo("#{Evaluate.ModelPackageArn}");
            assertThat(p.path("variantWeights")).isEqualTo(JSON.readTree("{\"AllTraffic\":1}"));
        }
        JsonNode dev = userParameters("DeployDev", "Verify");
        assertThat(dev.path("imageUri").asText()).isEqualTo("#{Evaluate.ModelImageUri}");
        assertThat(dev.path("modelDataUrl").asText()).isEqualTo("#{Evaluate.ModelDataUrl}");
        JsonNode prdParams = userParameters("DeployPrd", "Verify");
        assertThat(prdParams.has("imageUri")).isFalse();
        assertThat(prdParams.has("modelDataUrl")).isFalse();
    }

    @Test
    void deployPrdRollsBackOnFailureAndBakesOnThePrdAlarmsBeforeItSucceeds() {
        JsonNode s = stage("DeployPrd");
        assertThat(s.path("OnFailure").path("Result").asText()).isEqualTo("ROLLBACK");
        JsonNode conditions = s.path("OnSuccess").path("Conditions");
        assertThat(conditions).hasSize(1);
        assertThat(conditions.get(0).path("Result").asText()).isEqualTo("ROLLBACK");
        List<String> alarms = new ArrayList<>();
        for (JsonNode rule : conditions.get(0).path("Rules")) {
            assertThat(rule.path("RuleTypeId")).isEqualTo(JSON.valueToTree(Map.of("Category", "Rule", "Owner", "AWS",
                    "Provider", "CloudWatchAlarm", "Version", "1")));
            assertThat(rule.path("Configuration").path("AlarmStates").asText()).isEqualTo("ALARM");
            assertThat(rule.path("Configuration").path("WaitTime").asText())
                    .isEqualTo(Integer.toString(MlopsPipeline.PRD_ALARM_BAKE_MINUTES));
            alarms.add(rule.path("Configuration").path("AlarmName").asText());
        }
        // The rules name exactly the alarms the PRD template creates (their names are literal, not generated).
        List<String> inTemplate = new ArrayList<>();
        prdRoot.path("Resources").forEach(r -> {
            if (r.path("Type").asText().equals("AWS::CloudWatch::Alarm")) {
                assertThat(r.path("Properties").path("AlarmName").isTextual()).isTrue();
                inTemplate.add(r.path("Properties").path("AlarmName").asText());
            }
        });
        assertThat(alarms).containsExactlyInAnyOrderElementsOf(inTemplate).containsExactlyInAnyOrder(
                "mlops-prd-5xx-errors", "mlops-prd-model-latency");
        // Stage conditions need a V2 pipeline, rollback a mode other than PARALLEL ("Set or change the pipeline
        // execution mode"); no other stage rolls back (the DEV stack is replaced on failure instead).
        pipeline.hasResourceProperties("AWS::CodePipeline::Pipeline", Map.of("PipelineType", "V2",
                "ExecutionMode", "SUPERSEDED"));
        for (JsonNode other : stages) {
            if (!other.path("Name").asText().equals("DeployPrd")) {
                assertThat(other.has("OnFailure")).as(other.path("Name").asText()).isFalse();
                assertThat(other.has("OnSuccess")).as(other.path("Name").asText()).isFalse();
            }
        }
    }

    @Test
    void thePipelineRoleMayReadOnlyThePrdAlarms() {
        pipeline.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(
                Match.objectLike(Map.of("Sid", "PrdAlarmBake",
                        "Action", List.of("cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms"),
                        "Resource", List.of(
                                Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"), ":cloudwatch:",
                                        Map.of("Ref", "AWS::Region"), ":", Map.of("Ref", "AWS::AccountId"), ":alarm:mlops-prd-5xx-errors"))),
                                Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"), ":cloudwatch:",
                                        Map.of("Ref", "AWS::Region"), ":", Map.of("Ref", "AWS::AccountId"), ":alarm:mlops-prd-model-latency")))))))))));
    }

    @Test
    void verifyFunctionHasItsEnvironmentAndLeastPrivilege() {
        pipeline.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", "io.mlops.lambdas.verify.VerifyEndpointHandler", "Runtime", "java21",
                "Environment", Map.of("Variables", Match.exact(Map.of("MODEL_PACKAGE_GROUP", "mlops-bank-marketing",
                        "JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1")))));
        String json = root.path("Resources").toString();
        for (String arn : List.of(":endpoint/mlops-dev\"", ":endpoint/mlops-prd\"", ":endpoint-config/mlops-dev-*\"",
                ":endpoint-config/mlops-prd-*\"", ":model/mlops-dev-*\"", ":model/mlops-prd-*\"")) {
            assertThat(json).as(arn).contains(arn);
        }
        pipeline.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(
                Match.objectLike(Map.of("Action", "sagemaker:DescribeEndpoint", "Effect", "Allow")),
                Match.objectLike(Map.of("Action", "sagemaker:DescribeEndpointConfig")),
                Match.objectLike(Map.of("Action", "sagemaker:DescribeModel")),
                Match.objectLike(Map.of("Action", "sagemaker:UpdateModelPackage")))))));
    }

    /**
     * Issue 13 §6: every PRD redeploy keeps the autoscaled capacity. RetainAllVariantProperties keeps the variant
     * properties SageMaker lists (VariantPropertyType: DesiredInstanceCount, DesiredWeight; DataCaptureConfig "not
     * currently supported"); ExcludeRetainedVariantProperties would take them from the new config instead, so it
     * stays empty. What a redeploy changes (model, endpoint config, hence image and model data) is no variant
     * property and always applies.
     */
    @Test
    void prdKeepsTheAutoscaledCapacityOnEveryRedeployAndExcludesNothing() {
        prd.hasResourceProperties("AWS::SageMaker::Endpoint", Match.objectLike(Map.of(
                "EndpointName", "mlops-prd",
                "RetainAllVariantProperties", true,
                "ExcludeRetainedVariantProperties", Match.absent(),
                "EndpointConfigName", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("EndpointConfig.*"), "EndpointConfigName")))));
        prd.resourceCountIs("AWS::ApplicationAutoScaling::ScalableTarget", 1);
        prd.hasResourceProperties("AWS::SageMaker::EndpointConfig", Match.objectLike(Map.of(
                "EndpointConfigName", Map.of("Fn::Join", List.of("", List.of("mlops-prd-", Map.of("Ref", "PipelineExecutionId")))))));
    }
}
