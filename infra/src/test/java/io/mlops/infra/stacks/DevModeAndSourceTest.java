package io.mlops.infra.stacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlops.infra.MlopsApp;
import io.mlops.infra.TestApps;
import io.mlops.infra.config.MlopsConfig.Keys;
import io.mlops.infra.constructs.ModelEndpoint;
import io.mlops.infra.constructs.ModelEndpointProps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * DEV serving modes (serverless by default, {@code mlops:dev:mode=instance}), the optional DeleteDev stage and the
 * CodeConnections source (issue 13 §4, §5). The non-default variants are synthesized with both gates (cdk-nag,
 * cfn-guard): {@code app.synth()} throws on any unacknowledged finding, so building them here is the gate run;
 * cfn-lint covers the same variants in {@code CfnLintGateTest}.
 */
public class DevModeAndSourceTest {
    public static final String CONNECTION_ARN = "arn:aws:codeconnections:eu-west-1:123456789012:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d";
    /** DEV on an instance, as before serverless. */
    public static final Map<String, Object> INSTANCE = Map.of(Keys.DEV_MODE, "instance");
    /** GitHub through a connection, and DEV deleted after the approval. */
    public static final Map<String, Object> GITHUB_DELETE_DEV = Map.of(Keys.SOURCE, "codeconnections",
            Keys.SOURCE_CONNECTION_ARN, CONNECTION_ARN, Keys.SOURCE_OWNER, "my-org", Keys.SOURCE_REPO, "mlops-pipeline",
            Keys.DEV_DELETE_AFTER_APPROVAL, true);

    private static Template serverlessDev;
    private static Template defaultPipeline;
    private static Template instanceDev;
    private static Template githubPipeline;

    @BeforeAll
    static void synth() {
        PipelineStack defaults = TestApps.gatedStack();
        serverlessDev = Template.fromStack(defaults.templates().dev());
        defaultPipeline = Template.fromStack(defaults);
        instanceDev = Template.fromStack(gated(INSTANCE).templates().dev());
        githubPipeline = Template.fromStack(gated(GITHUB_DELETE_DEV));
    }

    /** The whole app in a context variant with both gates; throws like cdk synth on a finding. */
    private static PipelineStack gated(Map<String, Object> context) {
        App app = TestApps.app(context);
        PipelineStack stack = MlopsApp.build(app, TestApps.assets(), true, null, null);
        app.synth();
        return stack;
    }

    @Test
    void devIsServerlessByDefaultWithoutTheFeaturesServerlessExcludes() {
        serverlessDev.hasResourceProperties("AWS::SageMaker::EndpointConfig", Map.of(
                "EndpointConfigName", Match.anyValue(),
                "ProductionVariants", List.of(Map.of("VariantName", "AllTraffic", "ModelName", Match.anyValue(),
                        "ServerlessConfig", Map.of("MemorySizeInMB", 2048, "MaxConcurrency", 5))),
                "KmsKeyId", Match.absent(),
                "DataCaptureConfig", Match.absent(),
                "Tags", Match.anyValue()));
        serverlessDev.hasResourceProperties("AWS::SageMaker::Model", Match.objectLike(Map.of(
                "EnableNetworkIsolation", Match.absent(),
                "VpcConfig", Match.absent(),
                "Containers", List.of(Match.objectLike(Map.of("Mode", "SingleModel",
                        "Environment", Map.of("SERVE_WORKERS", ModelEndpoint.SERVERLESS_WORKERS)))))));
        serverlessDev.resourceCountIs("AWS::ApplicationAutoScaling::ScalableTarget", 0);
        serverlessDev.resourceCountIs("AWS::CloudWatch::Alarm", 0);
        serverlessDev.hasResourceProperties("AWS::SageMaker::Endpoint", Map.of("EndpointName", "mlops-dev",
                "EndpointConfigName", Match.anyValue(), "Tags", Match.anyValue(), "DeploymentConfig", Match.absent()));
    }

    @Test
    void instanceModeKeepsTheInstanceEndpointWithKeyAndNetworkIsolation() {
        instanceDev.hasResourceProperties("AWS::SageMaker::EndpointConfig", Match.objectLike(Map.of(
                "KmsKeyId", Map.of("Ref", "KmsKeyArn"),
                "ProductionVariants", List.of(Map.of("VariantName", "AllTraffic", "ModelName", Match.anyValue(),
                        "InstanceType", "ml.t2.medium", "InitialInstanceCount", 1, "InitialVariantWeight", 1)))));
        instanceDev.hasResourceProperties("AWS::SageMaker::Model", Match.objectLike(Map.of(
                "EnableNetworkIsolation", true,
                "Containers", List.of(Map.of("Image", Map.of("Ref", "ModelImageUri"), "ModelDataUrl", Map.of("Ref", "ModelDataUrl"),
                        "Mode", "SingleModel")))));
        // The parameters differ only by the key, which a serverless endpoint has no volume for (cfn-lint W2001:
        // an unused parameter); CfnLintGateTest checks that DeployDev passes exactly what each template declares.
        java.util.Set<Object> instanceParameters = new java.util.TreeSet<>(((Map<?, ?>) instanceDev.toJSON().get("Parameters")).keySet());
        java.util.Set<Object> serverlessParameters = new java.util.TreeSet<>(((Map<?, ?>) serverlessDev.toJSON().get("Parameters")).keySet());
        instanceParameters.remove("KmsKeyArn");
        assertThat(instanceParameters).isEqualTo(serverlessParameters).contains("ModelImageUri", "ModelDataUrl");
        assertThat(serverlessDev.findParameters("KmsKeyArn")).isEmpty();
    }

    @Test
    void failsToBuildAServerlessEndpointWithDataCaptureOrAutoscaling() {
        Stack stack = new Stack(new App(), "S");
        ModelEndpointProps.Builder props = ModelEndpointProps.builder().endpointName("mlops-dev").modelName("m")
                .endpointConfigName("c").source(new ModelEndpoint.ImageAndModelData("i", "s3://b/m.tar.gz"))
                .executionRoleArn("arn:aws:iam::123456789012:role/r").kmsKeyArn("k")
                .serverless(new ModelEndpoint.Serverless(2048, 5));
        assertThatThrownBy(() -> new ModelEndpoint(stack, "Capture", props.dataCapture(new ModelEndpoint.DataCapture("s3://b/c/", 100)).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("serverless endpoint (mlops-dev) cannot have data capture")
                .hasMessageContaining("Feature exclusions");
        assertThatThrownBy(() -> new ModelEndpoint(stack, "Scaling", props.dataCapture(null)
                .autoscaling(new ModelEndpoint.Autoscaling(1, 2, 100)).build()))
                .hasMessageContaining("autoscaling");
    }

    @Test
    void codeCommitIsTheDefaultSourceAndThereIsNoDeleteStage() {
        assertThat(stageNames(defaultPipeline)).doesNotContain("DeleteDev");
        defaultPipeline.resourceCountIs("AWS::CodeCommit::Repository", 1);
        assertThat(pipeline(defaultPipeline).path("Properties").has("Triggers")).isFalse();
    }

    @Test
    void codeConnectionsSourceTriggersOnTheBranchAndFilePathsWithoutCodeCommit() {
        JsonNode p = pipeline(githubPipeline).path("Properties");
        JsonNode source = action(githubPipeline, "Source", "Source");
        assertThat(source.path("ActionTypeId").path("Provider").asText()).isEqualTo("CodeStarSourceConnection");
        assertThat(source.path("Configuration").path("ConnectionArn").asText()).isEqualTo(CONNECTION_ARN);
        assertThat(source.path("Configuration").path("FullRepositoryId").asText()).isEqualTo("my-org/mlops-pipeline");
        assertThat(source.path("Configuration").path("BranchName").asText()).isEqualTo("main");
        assertThat(source.path("Namespace").asText()).isEqualTo("SourceVariables");
        JsonNode trigger = p.path("Triggers").get(0);
        assertThat(p.path("Triggers").size()).isEqualTo(1);
        assertThat(trigger.path("ProviderType").asText()).isEqualTo("CodeStarSourceConnection");
        assertThat(trigger.path("GitConfiguration").path("SourceActionName").asText()).isEqualTo("Source");
        JsonNode push = trigger.path("GitConfiguration").path("Push").get(0);
        assertThat(push.path("Branches").path("Includes").toString()).isEqualTo("[\"main\"]");
        assertThat(new ObjectMapper().convertValue(push.path("FilePaths").path("Includes"), List.class))
                .isEqualTo(Keys.DEFAULTS.get(Keys.SOURCE_FILE_PATHS));
        githubPipeline.resourceCountIs("AWS::CodeCommit::Repository", 0);
        assertThat(githubPipeline.findOutputs("CodeCommitCloneUrlHttp")).isEmpty();
        githubPipeline.hasOutput("SourceRepository", Map.of("Value", "my-org/mlops-pipeline", "Description", Match.anyValue()));
        // Both service prefixes may use the connection (CDK grants the older one), on that connection only.
        List<String> useConnection = new ArrayList<>();
        new ObjectMapper().valueToTree(githubPipeline.findResources("AWS::IAM::Policy")).forEach(policy ->
                policy.path("Properties").path("PolicyDocument").path("Statement").forEach(st -> {
                    if (st.toString().contains("UseConnection")) {
                        assertThat(st.path("Resource").asText()).isEqualTo(CONNECTION_ARN);
                        st.path("Action").forEach(a -> useConnection.add(a.asText()));
                    }
                }));
        assertThat(useConnection).containsExactlyInAnyOrder("codestar-connections:UseConnection", "codeconnections:UseConnection");
        // Dataset uploads still start the pipeline.
        githubPipeline.hasResourceProperties("AWS::Events::Rule", Match.objectLike(Map.of("EventPattern",
                Match.objectLike(Map.of("source", List.of("aws.s3"))))));
    }

    @Test
    void deleteAfterApprovalDeletesTheDevStackRightAfterApproveModel() {
        List<String> names = stageNames(githubPipeline);
        assertThat(names.subList(names.indexOf("ApproveModel"), names.size()))
                .containsExactly("ApproveModel", "DeleteDev", "DeployPrd");
        JsonNode delete = action(githubPipeline, "DeleteDev", "Delete");
        assertThat(delete.path("ActionTypeId").path("Provider").asText()).isEqualTo("CloudFormation");
        assertThat(delete.path("Configuration").path("ActionMode").asText()).isEqualTo("DELETE_ONLY");
        assertThat(delete.path("Configuration").path("StackName").asText()).isEqualTo("mlops-endpoint-dev");
        JsonNode deployDevRole = action(githubPipeline, "DeployDev", "Deploy").path("Configuration").path("RoleArn");
        assertThat(delete.path("Configuration").path("RoleArn")).as("the endpoint deploy role deletes too").isEqualTo(deployDevRole);
    }

    private static JsonNode pipeline(Template t) {
        JsonNode resources = new ObjectMapper().valueToTree(t.toJSON()).path("Resources");
        for (JsonNode r : resources) {
            if (r.path("Type").asText().equals("AWS::CodePipeline::Pipeline")) {
                return r;
            }
        }
        throw new AssertionError("no pipeline");
    }

    private static List<String> stageNames(Template t) {
        List<String> names = new ArrayList<>();
        pipeline(t).path("Properties").path("Stages").forEach(s -> names.add(s.path("Name").asText()));
        return names;
    }

    private static JsonNode action(Template t, String stage, String action) {
        for (JsonNode s : pipeline(t).path("Properties").path("Stages")) {
            for (JsonNode a : s.path("Actions")) {
                if (s.path("Name").asText().equals(stage) && a.path("Name").asText().equals(action)) {
                    return a;
                }
            }
        }
        throw new AssertionError("no action " + stage + "/" + action);
    }
}
