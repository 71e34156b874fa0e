package io.mlops.infra.constructs;

import io.mlops.infra.TestApps;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.lambda.Code;

/** GlueEtlJob, ImageBuild, SageMakerJobRole and SystemTestWorkflow, each with its props, in one small stack. */
class PipelineConstructsTest {
    private static Template template;

    @BeforeAll
    static void synth() {
        Stack stack = ConstructStacks.stack("Constructs");
        PipelineStorage storage = new PipelineStorage(stack, "Storage", PipelineStorageProps.defaults());
        new GlueEtlJob(stack, "Etl", GlueEtlJobProps.builder().jobName("p-etl").entryScript(TestApps.assets().glueScript())
                .storage(storage).numberOfWorkers(3).build());
        ImageBuild build = new ImageBuild(stack, "Build", ImageBuildProps.builder().repositoryName("p/model").storage(storage).build());
        SageMakerJobRole jobs = new SageMakerJobRole(stack, "Jobs", SageMakerJobRoleProps.jobs(storage, build.repository()));
        new SageMakerJobRole(stack, "Hosting", SageMakerJobRoleProps.hosting(storage, build.repository(), "datacapture/prd/"));
        new SystemTestWorkflow(stack, "SystemTest", SystemTestWorkflowProps.of(
                Code.fromAsset(TestApps.assets().systemTestJar().toString()), storage, "p-dev",
                software.amazon.awscdk.services.logs.RetentionDays.ONE_YEAR, software.amazon.awscdk.RemovalPolicy.RETAIN));
        template = Template.fromStack(stack);
    }

    @Test
    void etlJobHasItsPropsAndAnEncryptingSecurityConfiguration() {
        template.hasResourceProperties("AWS::Glue::Job", Match.objectLike(Map.of(
                "Name", "p-etl", "GlueVersion", "5.1", "WorkerType", "G.1X", "NumberOfWorkers", 3, "Timeout", 60,
                "ExecutionProperty", Map.of("MaxConcurrentRuns", 3))));
        template.hasResourceProperties("AWS::Glue::SecurityConfiguration", Map.of("Name", "p-etl-security",
                "EncryptionConfiguration", Match.objectLike(Map.of(
                        "CloudWatchEncryption", Match.objectLike(Map.of("CloudWatchEncryptionMode", "SSE-KMS")),
                        "JobBookmarksEncryption", Match.objectLike(Map.of("JobBookmarksEncryptionMode", "CSE-KMS")),
                        "S3Encryptions", List.of(Match.objectLike(Map.of("S3EncryptionMode", "SSE-KMS")))))));
        template.hasResourceProperties("AWS::IAM::Role", Match.objectLike(Map.of("AssumeRolePolicyDocument",
                Match.objectLike(Map.of("Statement", List.of(Match.objectLike(Map.of(
                        "Principal", Map.of("Service", "glue.amazonaws.com")))))))));
    }

    @Test
    void imageBuildIsPrivilegedWithScannedImmutableRepository() {
        template.hasResourceProperties("AWS::ECR::Repository", Match.objectLike(Map.of("RepositoryName", "p/model",
                "ImageScanningConfiguration", Map.of("ScanOnPush", true), "ImageTagMutability", "IMMUTABLE",
                "EncryptionConfiguration", Match.objectLike(Map.of("EncryptionType", "KMS")))));
        template.hasResourceProperties("AWS::CodeBuild::Project", Match.objectLike(Map.of(
                "Environment", Match.objectLike(Map.of("PrivilegedMode", true, "ComputeType", "BUILD_GENERAL1_MEDIUM")),
                "TimeoutInMinutes", 60,
                "LogsConfig", Match.objectLike(Map.of("CloudWatchLogs", Match.objectLike(Map.of("Status", "ENABLED")))))));
    }

    @Test
    void sageMakerRolesAreScopedToRunPrefixesAndTheRepository() {
        template.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("JobsRole.*"))),
                "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Action", List.of("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                                "ecr:GetDownloadUrlForLayer"),
                                "Resource", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("BuildRepository.*"), "Arn")))),
                        Match.objectLike(Map.of("Action", List.of("s3:AbortMultipartUpload", "s3:PutObject"),
                                "Resource", List.of(
                                        Map.of("Fn::Join", List.of("", List.of(Match.anyValue(), "/runs/*/checkpoints/*"))),
                                        Map.of("Fn::Join", List.of("", List.of(Match.anyValue(), "/runs/*/evaluation/*"))),
                                        Map.of("Fn::Join", List.of("", List.of(Match.anyValue(), "/runs/*/training/*"))))))))))));
        template.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("HostingRole.*"))),
                "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Action", "s3:PutObject",
                                "Resource", Map.of("Fn::Join", List.of("", List.of(Match.anyValue(), "/datacapture/prd/*")))))))))));
    }

    @Test
    void systemTestStateMachineLogsAllEventsAndTraces() {
        template.hasResourceProperties("AWS::StepFunctions::StateMachine", Match.objectLike(Map.of(
                "LoggingConfiguration", Match.objectLike(Map.of("Level", "ALL", "IncludeExecutionData", true)),
                "TracingConfiguration", Map.of("Enabled", true))));
        template.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("SystemTestEndpointTestRole.*"))),
                "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Action", "sagemaker:InvokeEndpoint",
                                "Resource", Map.of("Fn::Join", List.of("", Match.arrayWith(List.of(":endpoint/p-dev"))))))))))));
    }
}
