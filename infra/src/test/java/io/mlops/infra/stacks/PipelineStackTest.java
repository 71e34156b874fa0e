package io.mlops.infra.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlops.infra.TestApps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The pipeline stack as {@code cdk synth} builds it (cdk.json context, both gates passing). */
class PipelineStackTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Template template;
    private static JsonNode stages;
    private static JsonNode root;

    @BeforeAll
    static void synth() {
        template = Template.fromStack(TestApps.gatedStack());
        root = JSON.valueToTree(template.toJSON());
        JsonNode pipelines = resourcesOfType("AWS::CodePipeline::Pipeline");
        assertThat(pipelines).hasSize(1);
        stages = pipelines.get(0).path("Properties").path("Stages");
    }

    private static JsonNode resourcesOfType(String type) {
        List<JsonNode> out = new ArrayList<>();
        root.path("Resources").forEach(r -> {
            if (r.path("Type").asText().equals(type)) {
                out.add(r);
            }
        });
        return JSON.valueToTree(out);
    }

    private static JsonNode action(String stage, String action) {
        for (JsonNode s : stages) {
            if (s.path("Name").asText().equals(stage)) {
                for (JsonNode a : s.path("Actions")) {
                    if (a.path("Name").asText().equals(action)) {
                        return a;
                    }
                }
            }
        }
        throw new AssertionError("no action " + stage + "/" + action);
    }

    private static JsonNode userParameters(String stage, String action) throws Exception {
        return JSON.readTree(action(stage, action).path("Configuration").path("UserParameters").asText());
    }

    @Test
    void pipelineIsV2WithTheStagesInOrder() {
        template.hasResourceProperties("AWS::CodePipeline::Pipeline", Map.of("PipelineType", "V2",
                "ExecutionMode", "SUPERSEDED", "Name", "mlops"));
        List<String> names = new ArrayList<>();
        stages.forEach(s -> names.add(s.path("Name").asText()));
        assertThat(names).containsExactly("Source", "Build", "ETL", "Train", "Evaluate", "DeployDev", "SystemTest",
                "Approve", "ApproveModel", "DeployPrd");
    }

    @Test
    void actionsHaveTheirProvidersRunOrderAndNamespaces() {
        assertThat(action("Source", "Source").path("ActionTypeId").path("Provider").asText()).isEqualTo("CodeCommit");
        assertThat(action("Source", "Source").path("Namespace").asText()).isEqualTo("SourceVariables");
        assertThat(action("Source", "Source").path("OutputArtifacts").get(0).path("Name").asText()).isEqualTo("SourceOutput");
        assertThat(action("Build", "Build").path("ActionTypeId").path("Provider").asText()).isEqualTo("CodeBuild");
        assertThat(action("Build", "Build").path("Namespace").asText()).isEqualTo("BuildVariables");
        assertThat(action("ETL", "Launch").path("RunOrder").asInt()).isEqualTo(1);
        assertThat(action("ETL", "Monitor").path("RunOrder").asInt()).isEqualTo(2);
        assertThat(action("Train", "Launch").path("RunOrder").asInt()).isEqualTo(1);
        assertThat(action("Train", "Monitor").path("RunOrder").asInt()).isEqualTo(2);
        for (String[] a : new String[][] {{"ETL", "Launch", "EtlLaunch"}, {"ETL", "Monitor", "EtlMonitor"},
                {"Train", "Launch", "TrainLaunch"}, {"Train", "Monitor", "TrainMonitor"}, {"Evaluate", "Evaluate", "Evaluate"}}) {
            assertThat(action(a[0], a[1]).path("ActionTypeId").path("Provider").asText()).isEqualTo("Lambda");
            assertThat(action(a[0], a[1]).path("Namespace").asText()).as(a[1]).isEqualTo(a[2]);
        }
        assertThat(action("DeployDev", "Deploy").path("ActionTypeId").path("Provider").asText()).isEqualTo("CloudFormation");
        assertThat(action("SystemTest", "SystemTest").path("ActionTypeId").path("Provider").asText()).isEqualTo("StepFunctions");
        assertThat(action("Approve", "Approve").path("ActionTypeId").path("Category").asText()).isEqualTo("Approval");
        assertThat(action("ApproveModel", "ApproveModel").path("ActionTypeId").path("Provider").asText()).isEqualTo("Lambda");
        assertThat(action("DeployPrd", "Deploy").path("ActionTypeId").path("Provider").asText()).isEqualTo("CloudFormation");
    }

    @Test
    void handlersReceiveOutputsOfEarlierActionsAsVariables() throws Exception {
        assertThat(userParameters("ETL", "Launch")).isEqualTo(JSON.readTree("""
                {"executionId":"#{codepipeline.PipelineExecutionId}","commitId":"#{SourceVariables.CommitId}",
                 "etlJarUri":"#{BuildVariables.ETL_JAR_URI}"}"""));
        assertThat(userParameters("ETL", "Monitor")).isEqualTo(JSON.readTree("""
                {"executionId":"#{codepipeline.PipelineExecutionId}","jobRunId":"#{EtlLaunch.JobRunId}"}"""));
        assertThat(userParameters("Train", "Launch")).isEqualTo(JSON.readTree("""
                {"executionId":"#{codepipeline.PipelineExecutionId}","commitId":"#{SourceVariables.CommitId}",
                 "imageUri":"#{BuildVariables.IMAGE_URI}"}"""));
        assertThat(userParameters("Train", "Monitor")).isEqualTo(JSON.readTree("""
                {"trainingJobName":"#{TrainLaunch.TrainingJobName}"}"""));
        assertThat(userParameters("Evaluate", "Evaluate")).isEqualTo(JSON.readTree("""
                {"executionId":"#{codepipeline.PipelineExecutionId}","commitId":"#{SourceVariables.CommitId}",
                 "imageUri":"#{BuildVariables.IMAGE_URI}","modelDataUrl":"#{TrainMonitor.ModelDataUrl}",
                 "datasetSha256":"#{EtlMonitor.DatasetSha256}"}"""));
        assertThat(userParameters("ApproveModel", "ApproveModel")).isEqualTo(JSON.readTree("""
                {"modelPackageArn":"#{Evaluate.ModelPackageArn}","executionId":"#{codepipeline.PipelineExecutionId}"}"""));
        // Handlers that read config/run-settings.json get the source artifact.
        for (String[] a : new String[][] {{"ETL", "Launch"}, {"Train", "Launch"}, {"Evaluate", "Evaluate"}}) {
            assertThat(action(a[0], a[1]).path("InputArtifacts").get(0).path("Name").asText()).isEqualTo("SourceOutput");
        }
    }

    @Test
    void endpointStacksAreDeployedFromThePublishedTemplatesWithStageParameters() throws Exception {
        JsonNode templatesSource = action("Source", "EndpointTemplates");
        assertThat(templatesSource.path("ActionTypeId").path("Provider").asText()).isEqualTo("S3");
        assertThat(templatesSource.path("Configuration").path("PollForSourceChanges").asBoolean()).isFalse();
        assertThat(templatesSource.path("Configuration").path("S3ObjectKey").asText())
                .matches("pipeline/endpoint-templates/[0-9a-f]{64}\\.zip");
        JsonNode dev = action("DeployDev", "Deploy").path("Configuration");
        assertThat(dev.path("StackName").asText()).isEqualTo("mlops-endpoint-dev");
        assertThat(dev.path("TemplatePath").asText()).isEqualTo("EndpointTemplates::endpoint-dev.template.json");
        assertThat(dev.path("ActionMode").asText()).isEqualTo("REPLACE_ON_FAILURE");
        JsonNode prd = action("DeployPrd", "Deploy").path("Configuration");
        assertThat(prd.path("StackName").asText()).isEqualTo("mlops-endpoint-prd");
        assertThat(prd.path("TemplatePath").asText()).isEqualTo("EndpointTemplates::endpoint-prd.template.json");
        assertThat(prd.path("ActionMode").asText()).isEqualTo("CREATE_UPDATE");
        String devParams = JSON.writeValueAsString(dev.path("ParameterOverrides"));
        assertThat(devParams).contains("\\\"ModelPackageArn\\\":\\\"#{Evaluate.ModelPackageArn}\\\"")
                .contains("\\\"PipelineExecutionId\\\":\\\"#{codepipeline.PipelineExecutionId}\\\"")
                // Serverless DEV (default) has no volume to encrypt: no key parameter (instance mode: DevModeAndSourceTest).
                .contains("ModelExecutionRoleArn").doesNotContain("KmsKeyArn").doesNotContain("DataCaptureS3Uri")
                // ADR 0103: DEV builds its model from the registered package's image and model data.
                .contains("\\\"ModelImageUri\\\":\\\"#{Evaluate.ModelImageUri}\\\"")
                .contains("\\\"ModelDataUrl\\\":\\\"#{Evaluate.ModelDataUrl}\\\"");
        String prdParams = JSON.writeValueAsString(prd.path("ParameterOverrides"));
        assertThat(prdParams).contains("#{Evaluate.ModelPackageArn}").contains("DataCaptureS3Uri")
                .contains("/datacapture/prd/").contains("AlarmTopicArn")
                .doesNotContain("ModelImageUri").doesNotContain("ModelDataUrl");
        // The template zip is uploaded by cdk deploy (no hand step).
        template.hasResourceProperties("Custom::CDKBucketDeployment", Match.objectLike(Map.of(
                "DestinationBucketKeyPrefix", "pipeline/endpoint-templates/", "Extract", false)));
    }

    @Test
    void systemTestRunsTheStateMachineOnTheDevEndpoint() throws Exception {
        JsonNode config = action("SystemTest", "SystemTest").path("Configuration");
        String input = JSON.writeValueAsString(config.path("Input"));
        assertThat(input).contains("\\\"endpointName\\\":\\\"mlops-dev\\\"")
                .contains("/runs/#{codepipeline.PipelineExecutionId}/etl/test/")
                .contains("/runs/#{codepipeline.PipelineExecutionId}/system-test/")
                .contains("\\\"executionId\\\":\\\"#{codepipeline.PipelineExecutionId}\\\"")
                .contains("\\\"minRocAuc\\\":0.75").contains("\\\"maxP99Millis\\\":1000");
        assertThat(config.path("StateMachineArn").path("Ref").asText()).startsWith("SystemTestStateMachine");
    }

    @Test
    void manualApprovalShowsCandidateAndChampionMetrics() {
        JsonNode approve = action("Approve", "Approve").path("Configuration");
        assertThat(approve.path("CustomData").asText()).contains("#{Evaluate.GateValue}").contains("#{Evaluate.ChampionValue}")
                .contains("#{Evaluate.GateThreshold}").contains("#{Evaluate.MetricsSummary}");
        assertThat(approve.has("NotificationArn")).isTrue();
        template.hasResourceProperties("AWS::SNS::Topic", Map.of("KmsMasterKeyId", Match.anyValue()));
        // No e-mail configured in cdk.json: no subscription.
        template.resourceCountIs("AWS::SNS::Subscription", 0);
    }

    @Test
    void pushesToMainAndDatasetUploadsTriggerThePipeline() {
        template.hasResourceProperties("AWS::Events::Rule", Map.of("EventPattern", Match.objectLike(Map.of(
                "source", List.of("aws.codecommit"),
                "detail", Match.objectLike(Map.of("referenceName", List.of("main")))))));
        Map<String, Object> datasetPattern = Map.of(
                "source", List.of("aws.s3"),
                "detail-type", List.of("Object Created"),
                "detail", Map.of(
                        "bucket", Map.of("name", List.of(Map.of("Ref", Match.stringLikeRegexp("StorageData.*")))),
                        "object", Map.of("key", List.of(Map.of("prefix", "datasets/")))));
        template.hasResourceProperties("AWS::Events::Rule", Map.of(
                "EventPattern", datasetPattern,
                "State", "ENABLED",
                "Description", Match.anyValue(),
                "Targets", List.of(Match.objectLike(Map.of("Arn", Match.anyValue(), "RoleArn", Match.anyValue())))));
        template.hasResourceProperties("AWS::S3::Bucket", Map.of("NotificationConfiguration",
                Map.of("EventBridgeConfiguration", Map.of("EventBridgeEnabled", true)),
                "LoggingConfiguration", Map.of("DestinationBucketName", Match.anyValue(), "LogFilePrefix", "data/")));
        template.hasResourceProperties("AWS::CodePipeline::Pipeline", Match.objectLike(Map.of()));
    }

    @Test
    void codeCommitIsSeededWithThisRepositoryAndTheDatasetIsUploaded() {
        template.hasResourceProperties("AWS::CodeCommit::Repository", Map.of(
                "RepositoryName", "mlops",
                "Code", Map.of("BranchName", "main", "S3", Match.objectLike(Map.of("Key", Match.stringLikeRegexp("[0-9a-f]{64}\\.zip"))))));
        template.hasResourceProperties("Custom::CDKBucketDeployment", Match.objectLike(Map.of(
                "DestinationBucketKeyPrefix", "datasets/", "Prune", false)));
    }

    /** The seed is this repository minus build outputs, small enough for CodeCommit's create-time import. */
    @Test
    void seedHoldsTheSourcesWithoutBuildOutputs() throws Exception {
        var stack = TestApps.gatedStack();
        java.nio.file.Path staged = java.nio.file.Path.of(software.amazon.awscdk.Stage.of(stack).getOutdir())
                .resolve(stack.source().seed().getAssetPath());
        List<java.nio.file.Path> files;
        try (var walk = java.nio.file.Files.walk(staged)) {
            files = walk.filter(java.nio.file.Files::isRegularFile).toList();
        }
        List<String> names = files.stream().map(f -> staged.relativize(f).toString()).toList();
        assertThat(names).contains("pom.xml", "cdk.json", "config/run-settings.json", "etl/data/bank-additional.zip",
                "infra/pom.xml", "lambdas/pom.xml");
        // Every module of the root pom: CodeBuild runs the reactor (mvn -pl etl -am) on this seed.
        java.util.regex.Matcher module = java.util.regex.Pattern.compile("<module>([^<]+)</module>")
                .matcher(java.nio.file.Files.readString(io.mlops.infra.TestApps.REPO_ROOT.resolve("pom.xml")));
        while (module.find()) {
            assertThat(names).as("the seed holds module " + module.group(1)).contains(module.group(1) + "/pom.xml");
        }
        assertThat(names).noneMatch(n -> n.startsWith(".git/") || n.contains("/target/") || n.startsWith("node_modules/")
                || n.startsWith("cdk.out/") || n.endsWith(".class"));
        long total = 0;
        for (java.nio.file.Path f : files) {
            long size = java.nio.file.Files.size(f);
            assertThat(size).as(f.toString()).isLessThan(6L * 1024 * 1024);
            total += size;
        }
        assertThat(total).isLessThan(20L * 1024 * 1024);
    }

    @Test
    void outputsWhatAUserNeeds() {
        // docs/contracts/stack-outputs.md (read by system-tests validate-resources)
        for (String output : List.of("ArtifactBucketName", "DataBucketName", "DatasetUploadPath", "EcrRepositoryName",
                "GlueJobName", "SystemTestStateMachineArn", "ModelPackageGroupName", "PipelineName", "PipelineConsoleUrl",
                "CodeCommitCloneUrlHttp", "DevEndpointName", "PrdEndpointName")) {
            template.hasOutput(output, Match.objectLike(Map.of("Value", Match.anyValue())));
        }
        template.hasOutput("DevEndpointName", Map.of("Value", "mlops-dev", "Description", Match.anyValue()));
        template.hasOutput("PrdEndpointName", Map.of("Value", "mlops-prd", "Description", Match.anyValue()));
    }

    /** cfn-lint E6003: CloudFormation takes an output's Description as a literal string only (no Ref, no Fn::Join). */
    @Test
    void everyOutputDescriptionIsALiteralString() {
        for (JsonNode outputs : List.of(root.path("Outputs"),
                JSON.valueToTree(Template.fromStack(TestApps.gatedStack().templates().dev()).toJSON()).path("Outputs"),
                JSON.valueToTree(Template.fromStack(TestApps.gatedStack().templates().prd()).toJSON()).path("Outputs"))) {
            assertThat(outputs.size()).isPositive();
            outputs.fields().forEachRemaining(o -> assertThat(o.getValue().path("Description").isTextual())
                    .as("Description of output " + o.getKey() + ": " + o.getValue().path("Description")).isTrue());
        }
    }

    /**
     * What cfn-lint E3701 checks (acknowledged there as a multi-Region false positive, so asserted here on its
     * own): output artifact names are unique, and every input artifact is the output of an earlier action.
     */
    @Test
    void artifactNamesAreUniqueAndInputsProducedEarlier() {
        java.util.Set<String> produced = new java.util.HashSet<>();
        for (JsonNode stage : stages) {
            java.util.Set<String> producedInStage = new java.util.HashSet<>();
            for (JsonNode a : stage.path("Actions")) {
                for (JsonNode in : a.path("InputArtifacts")) {
                    assertThat(produced).as(stage.path("Name").asText() + "/" + a.path("Name").asText() + " reads "
                            + in.path("Name").asText() + ", which no earlier stage produced").contains(in.path("Name").asText());
                }
                for (JsonNode out : a.path("OutputArtifacts")) {
                    assertThat(produced.contains(out.path("Name").asText()) || !producedInStage.add(out.path("Name").asText()))
                            .as("output artifact " + out.path("Name").asText() + " is produced twice").isFalse();
                }
            }
            produced.addAll(producedInStage);
        }
        assertThat(produced).contains("SourceOutput", "EndpointTemplates");
    }

    @Test
    void rejectsAnUnsupportedRegionBeforeCreatingAnything() {
        JsonNode rule = root.path("Rules").path(io.mlops.infra.config.Regions.RULE_ID);
        assertThat(rule.path("Assertions").get(0).path("Assert").path("Fn::Contains").get(0).size())
                .isEqualTo(io.mlops.infra.config.Regions.SUPPORTED.size());
        assertThat(rule.path("Assertions").get(0).path("Assert").path("Fn::Contains").get(1).path("Ref").asText())
                .isEqualTo("AWS::Region");
        assertThat(rule.path("Assertions").get(0).path("AssertDescription").asText()).contains("not supported");
    }

    @Test
    void buildRunsTheModelContainerBuildspecPrivilegedWithItsEnvironment() {
        template.hasResourceProperties("AWS::CodeBuild::Project", Match.objectLike(Map.of(
                "Source", Map.of("Type", "CODEPIPELINE", "BuildSpec", "model-container/buildspec.yml"),
                "Environment", Match.objectLike(Map.of("PrivilegedMode", true,
                        "EnvironmentVariables", Match.arrayWith(List.of(
                                Match.objectLike(Map.of("Name", "ECR_REPOSITORY_URI")),
                                Match.objectLike(Map.of("Name", "ARTIFACT_BUCKET")),
                                Match.objectLike(Map.of("Name", "AWS_ACCOUNT_ID")))))),
                "EncryptionKey", Match.anyValue())));
        template.hasResourceProperties("AWS::ECR::Repository", Match.objectLike(Map.of(
                "ImageScanningConfiguration", Map.of("ScanOnPush", true),
                "ImageTagMutability", "IMMUTABLE",
                "LifecyclePolicy", Match.objectLike(Map.of("LifecyclePolicyText", Match.stringLikeRegexp(".*untagged.*"))))));
    }

    @Test
    void handlersAreJava21FromTheShadedJarWithExplicitSizingAndTheirEnvironment() {
        Map<String, List<String>> env = Map.of(
                "io.mlops.lambdas.etl.LaunchEtlHandler", List.of("ARTIFACT_BUCKET", "DATA_BUCKET", "DATASET_PREFIX", "GLUE_JOB_NAME"),
                "io.mlops.lambdas.etl.MonitorEtlHandler", List.of("ARTIFACT_BUCKET", "GLUE_JOB_NAME"),
                "io.mlops.lambdas.training.LaunchTrainingHandler",
                List.of("ARTIFACT_BUCKET", "SAGEMAKER_ROLE_ARN", "JOB_NAME_PREFIX", "KMS_KEY_ARN"),
                "io.mlops.lambdas.evaluation.EvaluateHandler",
                List.of("ARTIFACT_BUCKET", "SAGEMAKER_ROLE_ARN", "MODEL_PACKAGE_GROUP", "JOB_NAME_PREFIX", "KMS_KEY_ARN",
                        "INFERENCE_INSTANCE_TYPES"),
                "io.mlops.lambdas.approval.ApproveModelHandler", List.of("MODEL_PACKAGE_GROUP"));
        for (var e : env.entrySet()) {
            Map<String, Object> vars = new java.util.LinkedHashMap<>();
            e.getValue().forEach(v -> vars.put(v, Match.anyValue()));
            vars.put("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1");
            template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                    "Handler", e.getKey(), "Runtime", "java21",
                    "MemorySize", Match.anyValue(), "Timeout", Match.anyValue(),
                    "Environment", Map.of("Variables", Match.exact(vars)),
                    "LoggingConfig", Match.objectLike(Map.of("LogGroup", Match.anyValue()))));
        }
        // The model package's supported instance types are the endpoints' (cdk.json context), not a list in a handler.
        template.hasResourceProperties("AWS::Lambda::Function", Map.of("Handler", "io.mlops.lambdas.evaluation.EvaluateHandler",
                "Environment", Map.of("Variables", Match.objectLike(Map.of("INFERENCE_INSTANCE_TYPES", "ml.t2.medium,ml.m5.large")))));
        template.hasResourceProperties("AWS::Lambda::Function", Map.of("Handler", "io.mlops.lambdas.modelgroup.ModelGroupHandler",
                "Runtime", "java21", "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1")))));
        template.hasResourceProperties("AWS::Lambda::Function", Map.of("Handler",
                "io.mlops.systemtests.endpoint.EndpointTestHandler", "Runtime", "java21"));
        template.allResourcesProperties("AWS::Logs::LogGroup", Map.of("RetentionInDays", 365, "KmsKeyId", Match.anyValue()));
    }

    @Test
    void modelRegistryIsACustomResourceBackedByTheModelGroupHandler() {
        template.hasResourceProperties("Custom::ModelPackageGroup", Match.objectLike(Map.of(
                "GroupName", "mlops-bank-marketing", "PurgeOnDelete", "false", "ServiceToken", Match.anyValue())));
    }

    @Test
    void etlJobIsGlue5ScalaWithItsOwnRoleSecurityConfigurationAndContinuousLogs() {
        template.hasResourceProperties("AWS::Glue::Job", Match.objectLike(Map.of(
                "Name", "mlops-etl", "GlueVersion", "5.1",
                "Command", Match.objectLike(Map.of("Name", "glueetl", "ScriptLocation", Match.anyValue())),
                "DefaultArguments", Match.objectLike(Map.of("--job-language", "scala", "--class", "GlueApp",
                        "--enable-continuous-cloudwatch-log", "true")),
                "SecurityConfiguration", Match.anyValue(),
                "Role", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("EtlJobRole.*"), "Arn")))));
    }
}
