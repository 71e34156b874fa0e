package io.mlops.systemtests.validate;

import io.mlops.systemtests.aws.AwsClients;
import io.mlops.systemtests.validate.ResourceCheck.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.ecr.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ecr.model.ImageDetail;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.codepipeline.model.PipelineNotFoundException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.sagemaker.model.DescribeEndpointResponse;
import software.amazon.awssdk.services.sagemaker.model.EndpointStatus;
import software.amazon.awssdk.services.sfn.model.StateMachineDoesNotExistException;

/**
 * Checks that a deployed main stack's resources exist and are reachable with the caller's
 * credentials: reads the stack outputs (docs/contracts/stack-outputs.md) with CloudFormation
 * DescribeStacks, then asks each service about its resource.
 */
public final class ResourceValidator {
    /** Output keys of the resources checked, in report order. */
    public static final List<String> CHECKED_OUTPUTS = List.of("ArtifactBucketName", "DataBucketName",
            "EcrRepositoryName", "GlueJobName", "SystemTestStateMachineArn", "ModelPackageGroupName", "PipelineName",
            "DevEndpointName", "PrdEndpointName");
    /** Output keys printed for information. */
    public static final List<String> INFO_OUTPUTS = List.of("DatasetUploadPath", "PipelineConsoleUrl",
            "CodeCommitCloneUrlHttp", "SourceRepository");

    private final AwsClients clients;

    public ResourceValidator(AwsClients clients) {
        this.clients = clients;
    }

    /**
     * @param checks  every check in order (the stack first)
     * @param outputs the stack's outputs (empty when the stack could not be read)
     */
    public record Result(List<ResourceCheck> checks, Map<String, String> outputs) {
        public boolean passed() {
            return checks.stream().noneMatch(ResourceCheck::fails);
        }
    }

    public Result validate(String stackName) {
        List<ResourceCheck> checks = new ArrayList<>();
        Map<String, String> outputs = new LinkedHashMap<>();
        Stack stack;
        try (var cloudFormation = clients.cloudFormation()) {
            stack = cloudFormation.describeStacks(r -> r.stackName(stackName)).stacks().get(0);
        } catch (SdkException e) {
            checks.add(failure("stack", stackName, e, ex -> ex.statusCode() == 400
                    && String.valueOf(message(ex)).contains("does not exist"),
                    "; deploy it with 'npx cdk deploy' or pass the right --stack and --region"));
            return new Result(checks, outputs);
        }
        for (Output output : stack.outputs()) {
            outputs.put(output.outputKey(), output.outputValue());
        }
        checks.add(stackCheck(stack));

        checks.add(check("artifact bucket", outputs, "ArtifactBucketName", true, this::bucket));
        checks.add(check("data bucket", outputs, "DataBucketName", true, this::bucket));
        checks.add(check("ECR image", outputs, "EcrRepositoryName", true, this::image));
        checks.add(check("Glue ETL job", outputs, "GlueJobName", true, this::glueJob));
        checks.add(check("system-test state machine", outputs, "SystemTestStateMachineArn", true, this::stateMachine));
        checks.add(check("model package group", outputs, "ModelPackageGroupName", true, this::modelPackageGroup));
        checks.add(check("pipeline", outputs, "PipelineName", true, this::pipeline));
        checks.add(check("DEV endpoint", outputs, "DevEndpointName", false, this::endpoint));
        checks.add(check("PRD endpoint", outputs, "PrdEndpointName", false, this::endpoint));
        return new Result(checks, outputs);
    }

    private static ResourceCheck stackCheck(Stack stack) {
        String status = stack.stackStatusAsString();
        boolean complete = status.endsWith("_COMPLETE") && !status.equals("ROLLBACK_COMPLETE")
                && !status.equals("DELETE_COMPLETE");
        if (complete) {
            return new ResourceCheck("stack", stack.stackName(), Status.OK, status, true);
        }
        String why = stack.stackStatusReason() == null ? "" : " (" + stack.stackStatusReason() + ")";
        return new ResourceCheck("stack", stack.stackName(), status.endsWith("_IN_PROGRESS") ? Status.NOT_READY
                : Status.ERROR, status + why + "; wait for the deployment or fix it and 'npx cdk deploy' again", true);
    }

    /** Asks the service about {@code name}; the probe returns the check for a found resource. */
    private interface Probe {
        ResourceCheck run(String resource, String name, boolean required);
    }

    private ResourceCheck check(String resource, Map<String, String> outputs, String key, boolean required, Probe probe) {
        String name = outputs.get(key);
        if (name == null || name.isBlank()) {
            return new ResourceCheck(resource, "(output " + key + ")", Status.MISSING, "the stack has no output '" + key
                    + "' (docs/contracts/stack-outputs.md); is the stack from this version? redeploy with 'npx cdk deploy'",
                    true);
        }
        return probe.run(resource, name, required);
    }

    private ResourceCheck bucket(String resource, String name, boolean required) {
        try (var s3 = clients.s3()) {
            s3.headBucket(r -> r.bucket(name));
            return new ResourceCheck(resource, name, Status.OK, "HeadBucket OK", required);
        } catch (SdkException e) {
            return failure(resource, name, e, ex -> ex instanceof NoSuchBucketException || ex.statusCode() == 404, "");
        }
    }

    private ResourceCheck image(String resource, String name, boolean required) {
        try (var ecr = clients.ecr()) {
            DescribeImagesResponse images = ecr.describeImages(r -> r.repositoryName(name).maxResults(100));
            if (images.imageDetails().isEmpty()) {
                return new ResourceCheck(resource, name, Status.MISSING, "the repository exists but holds no image; the "
                        + "pipeline's Build stage pushes it - check the pipeline's first run", required);
            }
            ImageDetail newest = images.imageDetails().stream()
                    .filter(i -> i.imagePushedAt() != null)
                    .max((a, b) -> a.imagePushedAt().compareTo(b.imagePushedAt()))
                    .orElse(images.imageDetails().get(0));
            String tags = newest.imageTags().isEmpty() ? "untagged" : "tag " + String.join(",", newest.imageTags());
            return new ResourceCheck(resource, name, Status.OK, images.imageDetails().size()
                    + (images.nextToken() != null ? "+" : "") + " image(s); newest " + tags
                    + (newest.imagePushedAt() == null ? "" : " pushed " + newest.imagePushedAt()), required);
        } catch (SdkException e) {
            return failure(resource, name, e, ex -> ex instanceof RepositoryNotFoundException, "");
        }
    }

    private ResourceCheck glueJob(String resource, String name, boolean required) {
        try (var glue = clients.glue()) {
            var job = glue.getJob(r -> r.jobName(name)).job();
            return new ResourceCheck(resource, name, Status.OK, "GetJob OK (" + job.glueVersion() + ", "
                    + job.workerTypeAsString() + ")", required);
        } catch (SdkException e) {
            return failure(resource, name, e, ex -> ex instanceof EntityNotFoundException, "");
        }
    }

    private ResourceCheck stateMachine(String resource, String name, boolean required) {
        try (var sfn = clients.stepFunctions()) {
            var machine = sfn.describeStateMachine(r -> r.stateMachineArn(name));
            return new ResourceCheck(resource, name, Status.OK, "status " + machine.statusAsString(), required);
        } catch (SdkException e) {
            return failure(resource, name, e, ex -> ex instanceof StateMachineDoesNotExistException, "");
        }
    }

    private ResourceCheck modelPackageGroup(String resource, String name, boolean required) {
        try (var sageMaker = clients.sageMaker()) {
            var group = sageMaker.describeModelPackageGroup(r -> r.modelPackageGroupName(name));
            return new ResourceCheck(resource, name, Status.OK, "status " + group.modelPackageGroupStatusAsString(), required);
        } catch (SdkException e) {
            return failure(resource, name, e, ResourceValidator::sageMakerNotFound, "");
        }
    }

    private ResourceCheck pipeline(String resource, String name, boolean required) {
        try (var codePipeline = clients.codePipeline()) {
            var pipeline = codePipeline.getPipeline(r -> r.name(name)).pipeline();
            return new ResourceCheck(resource, name, Status.OK, pipeline.stages().size() + " stages, "
                    + pipeline.pipelineTypeAsString(), required);
        } catch (SdkException e) {
            return failure(resource, name, e, ex -> ex instanceof PipelineNotFoundException, "");
        }
    }

    private ResourceCheck endpoint(String resource, String name, boolean required) {
        try (var sageMaker = clients.sageMaker()) {
            DescribeEndpointResponse endpoint = sageMaker.describeEndpoint(r -> r.endpointName(name));
            if (endpoint.endpointStatus() == EndpointStatus.IN_SERVICE) {
                return new ResourceCheck(resource, name, Status.OK, "InService", required);
            }
            String reason = endpoint.failureReason() == null ? "" : ": " + endpoint.failureReason();
            return new ResourceCheck(resource, name, Status.NOT_READY, endpoint.endpointStatusAsString() + reason, required);
        } catch (SdkException e) {
            if (e instanceof AwsServiceException service && sageMakerNotFound(service)) {
                return new ResourceCheck(resource, name, Status.NOT_DEPLOYED, "not deployed yet: the pipeline's "
                        + (resource.startsWith("DEV") ? "DeployDev" : "DeployPrd") + " stage creates it", required);
            }
            return failure(resource, name, e, ex -> false, "");
        }
    }

    /** SageMaker answers a missing resource with a ValidationException "... does not exist / Could not find ...". */
    private static boolean sageMakerNotFound(AwsServiceException e) {
        String text = String.valueOf(message(e)).toLowerCase(Locale.ROOT);
        return e.statusCode() == 400 && (text.contains("does not exist") || text.contains("could not find")
                || text.contains("not found"));
    }

    /** MISSING, DENIED or ERROR for a failed call. */
    private static ResourceCheck failure(String resource, String name, SdkException error,
            Predicate<AwsServiceException> notFound, String hint) {
        if (error instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() == null ? "" : service.awsErrorDetails().errorCode();
            String text = "HTTP " + service.statusCode() + (code == null || code.isEmpty() ? "" : " " + code) + ": "
                    + message(service);
            if (notFound.test(service)) {
                return new ResourceCheck(resource, name, Status.MISSING, text + hint, true);
            }
            if (service.statusCode() == 403 || String.valueOf(code).contains("AccessDenied")
                    || String.valueOf(code).contains("Unauthorized") || String.valueOf(code).contains("AuthorizationError")) {
                return new ResourceCheck(resource, name, Status.DENIED, text
                        + "; the caller's credentials lack permission (see system-tests/README.md for the IAM actions)",
                        true);
            }
            return new ResourceCheck(resource, name, Status.ERROR, text + hint, true);
        }
        String text = error instanceof SdkClientException client
                ? "could not call AWS: " + AwsClients.explain(client)
                : error.toString();
        return new ResourceCheck(resource, name, Status.ERROR, text, true);
    }

    private static String message(AwsServiceException e) {
        if (e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null) {
            return e.awsErrorDetails().errorMessage();
        }
        return e.getMessage();
    }
}
