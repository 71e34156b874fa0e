package io.mlops.systemtests.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.http.RequestMethod;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.mlops.systemtests.testing.AwsFake;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** validate-resources against WireMock standing in for CloudFormation, S3, ECR, Glue, Step Functions, SageMaker, CodePipeline. */
class ValidateResourcesCommandTest {
    @RegisterExtension
    static final AwsFake aws = new AwsFake().withCredentialsInSystemProperties();
    private static final String MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:mlops-system-test";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void passesWhenEveryResourceIsThereAndReportsUndeployedEndpointsWithoutFailing() {
        healthyStack(outputs());

        int status = run();

        assertThat(status).as(err()).isZero();
        String table = out();
        assertThat(table).contains("validate-resources: stack mlops in us-east-1");
        assertThat(table).containsPattern("RESOURCE +NAME +STATUS +DETAIL");
        assertThat(table).containsPattern("stack +mlops +OK +CREATE_COMPLETE");
        assertThat(table).containsPattern("artifact bucket +mlops-artifacts +OK +HeadBucket OK");
        assertThat(table).containsPattern("data bucket +mlops-data +OK");
        assertThat(table).containsPattern("ECR image +mlops-model +OK +2 image\\(s\\); newest tag abc123");
        assertThat(table).containsPattern("Glue ETL job +mlops-etl +OK +GetJob OK \\(4.0, G.1X\\)");
        assertThat(table).containsPattern("system-test state machine +" + MACHINE + " +OK +status ACTIVE");
        assertThat(table).containsPattern("model package group +mlops-models +OK +status Completed");
        assertThat(table).containsPattern("pipeline +mlops-pipeline +OK +2 stages, V2");
        assertThat(table).containsPattern("DEV endpoint +mlops-dev +OK +InService");
        assertThat(table).containsPattern("PRD endpoint +mlops-prd +NOT_DEPLOYED +not deployed yet: the pipeline's DeployPrd");
        assertThat(table).contains("DatasetUploadPath: s3://mlops-data/datasets/");
        assertThat(table).contains("all required resources are present and reachable");

        LoggedRequest describe = aws.requests(RequestMethod.POST).stream()
                .filter(r -> r.getBodyAsString().contains("Action=DescribeStacks")).findFirst().orElseThrow();
        assertThat(describe.getBodyAsString()).contains("StackName=mlops");
        assertThat(describe.getHeader("Authorization")).contains("/us-east-1/cloudformation/aws4_request");
        assertThat(aws.requests(RequestMethod.HEAD)).extracting(LoggedRequest::getUrl)
                .containsExactlyInAnyOrder("/mlops-artifacts", "/mlops-data");
    }

    @Test
    void failsListingAMissingGlueJobAndADeniedEcrRepository() {
        healthyStack(outputs());
        aws.jsonError("AWSGlue.GetJob", 400, "EntityNotFoundException", "Job mlops-etl not found");
        aws.jsonError("AmazonEC2ContainerRegistry_V20150921.DescribeImages", 400, "AccessDeniedException",
                "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ecr:DescribeImages");

        int status = run();

        assertThat(status).isEqualTo(1);
        assertThat(out()).containsPattern("Glue ETL job +mlops-etl +MISSING +HTTP 400 EntityNotFoundException: Job mlops-etl not found");
        assertThat(out()).containsPattern("ECR image +mlops-model +DENIED +HTTP 400 AccessDeniedException: User: .* "
                + "is not authorized to perform: ecr:DescribeImages; the caller's credentials lack permission");
        assertThat(out()).containsPattern("pipeline +mlops-pipeline +OK");
        assertThat(err()).contains("validate-resources: 2 problem(s): ECR image DENIED, Glue ETL job MISSING");
    }

    @Test
    void failsOnAMissingBucketAndADeniedBucket() {
        healthyStack(outputs());
        aws.s3HeadBucket("mlops-artifacts", 404);
        aws.s3HeadBucket("mlops-data", 403);

        assertThat(run()).isEqualTo(1);
        assertThat(out()).containsPattern("artifact bucket +mlops-artifacts +MISSING +HTTP 404");
        assertThat(out()).containsPattern("data bucket +mlops-data +DENIED +HTTP 403");
    }

    @Test
    void failsOnMissingResourcesOfEveryOtherKind() {
        healthyStack(outputs());
        aws.json("AmazonEC2ContainerRegistry_V20150921.DescribeImages", "{\"imageDetails\":[]}");
        aws.jsonError("AWSStepFunctions.DescribeStateMachine", 400, "StateMachineDoesNotExist", "State Machine Does Not Exist");
        aws.jsonError("SageMaker.DescribeModelPackageGroup", 400, "ValidationException",
                "ModelPackageGroup mlops-models does not exist.");
        aws.jsonError("CodePipeline_20150709.GetPipeline", 400, "PipelineNotFoundException", "Pipeline not found");

        assertThat(run()).isEqualTo(1);
        assertThat(out()).containsPattern("ECR image +mlops-model +MISSING +the repository exists but holds no image");
        assertThat(out()).containsPattern("system-test state machine +arn\\S+ +MISSING +HTTP 400 StateMachineDoesNotExist");
        assertThat(out()).containsPattern("model package group +mlops-models +MISSING +HTTP 400 ValidationException");
        assertThat(out()).containsPattern("pipeline +mlops-pipeline +MISSING +HTTP 400 PipelineNotFoundException");
        assertThat(err()).contains("4 problem(s)");
    }

    @Test
    void failsWhenTheStackDoesNotExist() {
        aws.stackError(400, "ValidationError", "Stack with id mlops does not exist");

        assertThat(run()).isEqualTo(1);
        assertThat(out()).containsPattern("stack +mlops +MISSING +HTTP 400 ValidationError: Stack with id mlops does not exist; "
                + "deploy it with 'npx cdk deploy' or pass the right --stack and --region");
        assertThat(aws.requests(RequestMethod.HEAD)).isEmpty();
    }

    @Test
    void failsWhenDescribeStacksIsDenied() {
        aws.stackError(403, "AccessDenied", "User is not authorized to perform: cloudformation:DescribeStacks");

        assertThat(run()).isEqualTo(1);
        assertThat(out()).containsPattern("stack +mlops +DENIED +HTTP 403 AccessDenied");
    }

    @Test
    void failsWhenAnOutputIsMissingFromTheStack() {
        Map<String, String> outputs = outputs();
        outputs.remove("GlueJobName");
        healthyStack(outputs);

        assertThat(run()).isEqualTo(1);
        assertThat(out()).containsPattern("Glue ETL job +\\(output GlueJobName\\) +MISSING +the stack has no output 'GlueJobName'");
    }

    @Test
    void reportsAFailedEndpointAsNotReadyWithoutFailingAndAStackStillDeployingAsAFailure() {
        healthyStack(outputs());
        aws.json("SageMaker.DescribeEndpoint", "mlops-prd", "{\"EndpointName\":\"mlops-prd\",\"EndpointArn\":\"arn:x\","
                + "\"EndpointConfigName\":\"c\",\"EndpointStatus\":\"Failed\",\"FailureReason\":\"image not found\","
                + "\"CreationTime\":1.7E9,\"LastModifiedTime\":1.7E9}");
        assertThat(run()).as(err()).isZero();
        assertThat(out()).containsPattern("PRD endpoint +mlops-prd +NOT_READY +Failed: image not found");

        out.reset();
        aws.stack("mlops", "UPDATE_IN_PROGRESS", outputs());
        assertThat(run()).isEqualTo(1);
        assertThat(out()).containsPattern("stack +mlops +NOT_READY +UPDATE_IN_PROGRESS; wait for the deployment");
    }

    @Test
    void failsWithAUsageErrorWithoutStack() {
        assertThat(ValidateResourcesCommand.run(new String[] {"--region", "us-east-1"}, print(out), print(err))).isEqualTo(2);
        assertThat(err()).contains("--stack NAME is required");
        assertThat(ValidateResourcesCommand.run(new String[] {"--help"}, print(out), print(err))).isZero();
        assertThat(out()).contains("Usage: validate-resources [options]").contains("--stack NAME");
    }

    private static Map<String, String> outputs() {
        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put("ArtifactBucketName", "mlops-artifacts");
        outputs.put("DataBucketName", "mlops-data");
        outputs.put("DatasetUploadPath", "s3://mlops-data/datasets/");
        outputs.put("EcrRepositoryName", "mlops-model");
        outputs.put("GlueJobName", "mlops-etl");
        outputs.put("SystemTestStateMachineArn", MACHINE);
        outputs.put("ModelPackageGroupName", "mlops-models");
        outputs.put("PipelineName", "mlops-pipeline");
        outputs.put("PipelineConsoleUrl", "https://console.aws.amazon.com/codesuite/codepipeline/pipelines/mlops-pipeline/view");
        outputs.put("CodeCommitCloneUrlHttp", "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/mlops");
        outputs.put("DevEndpointName", "mlops-dev");
        outputs.put("PrdEndpointName", "mlops-prd");
        return outputs;
    }

    /** Every resource answers as deployed; the PRD endpoint does not exist yet. */
    private static void healthyStack(Map<String, String> outputs) {
        aws.stack("mlops", "CREATE_COMPLETE", outputs);
        aws.s3HeadBucket("mlops-artifacts", 200);
        aws.s3HeadBucket("mlops-data", 200);
        aws.json("AmazonEC2ContainerRegistry_V20150921.DescribeImages", "{\"imageDetails\":["
                + "{\"repositoryName\":\"mlops-model\",\"imageTags\":[\"old\"],\"imagePushedAt\":1.6E9},"
                + "{\"repositoryName\":\"mlops-model\",\"imageTags\":[\"abc123\"],\"imagePushedAt\":1.7E9}]}");
        aws.json("AWSGlue.GetJob", "{\"Job\":{\"Name\":\"mlops-etl\",\"GlueVersion\":\"4.0\",\"WorkerType\":\"G.1X\"}}");
        aws.json("AWSStepFunctions.DescribeStateMachine", "{\"stateMachineArn\":\"" + MACHINE + "\",\"name\":\"m\","
                + "\"status\":\"ACTIVE\",\"definition\":\"{}\",\"roleArn\":\"arn:aws:iam::123456789012:role/r\","
                + "\"type\":\"STANDARD\",\"creationDate\":1.7E9}");
        aws.json("SageMaker.DescribeModelPackageGroup", "{\"ModelPackageGroupName\":\"mlops-models\","
                + "\"ModelPackageGroupArn\":\"arn:x\",\"CreationTime\":1.7E9,\"CreatedBy\":{},"
                + "\"ModelPackageGroupStatus\":\"Completed\"}");
        aws.json("CodePipeline_20150709.GetPipeline", "{\"pipeline\":{\"name\":\"mlops-pipeline\",\"roleArn\":\"arn:r\","
                + "\"pipelineType\":\"V2\",\"stages\":[{\"name\":\"Source\",\"actions\":[]},{\"name\":\"Build\",\"actions\":[]}]}}");
        aws.json("SageMaker.DescribeEndpoint", "mlops-dev", "{\"EndpointName\":\"mlops-dev\",\"EndpointArn\":\"arn:x\","
                + "\"EndpointConfigName\":\"c\",\"EndpointStatus\":\"InService\",\"CreationTime\":1.7E9,"
                + "\"LastModifiedTime\":1.7E9}");
        aws.jsonError("SageMaker.DescribeEndpoint", "mlops-prd", 400, "ValidationException",
                "Could not find endpoint \"mlops-prd\".");
    }

    private int run() {
        return ValidateResourcesCommand.run(new String[] {"--stack", "mlops", "--region", "us-east-1", "--endpoint-url",
                aws.url().toString()}, print(out), print(err));
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
