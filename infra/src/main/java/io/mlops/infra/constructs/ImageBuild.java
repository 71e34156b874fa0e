package io.mlops.infra.constructs;

import io.mlops.infra.validation.Suppress;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.codebuild.BuildEnvironment;
import software.amazon.awscdk.services.codebuild.BuildEnvironmentVariable;
import software.amazon.awscdk.services.codebuild.BuildSpec;
import software.amazon.awscdk.services.codebuild.Cache;
import software.amazon.awscdk.services.codebuild.CloudWatchLoggingOptions;
import software.amazon.awscdk.services.codebuild.ComputeType;
import software.amazon.awscdk.services.codebuild.LinuxBuildImage;
import software.amazon.awscdk.services.codebuild.LocalCacheMode;
import software.amazon.awscdk.services.codebuild.LoggingOptions;
import software.amazon.awscdk.services.codebuild.PipelineProject;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.RepositoryEncryption;
import software.amazon.awscdk.services.ecr.TagMutability;
import software.amazon.awscdk.services.ecr.TagStatus;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import io.mlops.infra.validation.NagIds;
import software.amazon.awscdk.services.iam.IRole;
import software.constructs.Construct;

/**
 * The model image build: an ECR repository (scan on push, immutable tags, KMS, lifecycle rules)
 * and a privileged CodeBuild project that runs {@code model-container/buildspec.yml} from the
 * source artifact. The buildspec builds the image, tags it with the commit, pushes it, uploads the
 * ETL jar to {@code s3://$ARTIFACT_BUCKET/builds/$COMMIT_ID/etl/etl.jar} and exports
 * {@code IMAGE_URI}, {@code ETL_JAR_URI}, {@code COMMIT_ID}, {@code ETL_SETTINGS_URI}.
 * Environment given to it: {@code ECR_REPOSITORY_URI}, {@code ARTIFACT_BUCKET}, {@code AWS_ACCOUNT_ID}.
 */
public final class ImageBuild extends Construct {


    private final Repository repository;
    private final PipelineProject project;

    public ImageBuild(Construct scope, String id, ImageBuildProps props) {
        super(scope, id);
        PipelineStorage storage = props.storage();
        repository = Repository.Builder.create(this, "Repository")
                .repositoryName(props.repositoryName())
                .imageScanOnPush(true)
                .imageTagMutability(TagMutability.IMMUTABLE)
                .encryption(RepositoryEncryption.KMS)
                .encryptionKey(storage.key())
                .lifecycleRules(List.of(
                        LifecycleRule.builder().rulePriority(1).description("untagged layers after 7 days")
                                .tagStatus(TagStatus.UNTAGGED).maxImageAge(Duration.days(7)).build(),
                        LifecycleRule.builder().rulePriority(2).description("keep the newest images")
                                .tagStatus(TagStatus.ANY).maxImageCount(props.maxImages()).build()))
                .removalPolicy(props.removalPolicy())
                .emptyOnDelete(props.removalPolicy() == RemovalPolicy.DESTROY)
                .build();

        LogGroup logs = LogGroup.Builder.create(this, "Logs")
                .retention(props.logRetention())
                .encryptionKey(storage.key())
                .removalPolicy(props.removalPolicy())
                .build();
        project = PipelineProject.Builder.create(this, "Project")
                .description("Builds the model image and the ETL jar of one commit (" + props.buildspecPath() + ")")
                .buildSpec(BuildSpec.fromSourceFilename(props.buildspecPath()))
                .environment(BuildEnvironment.builder()
                        .buildImage(LinuxBuildImage.STANDARD_7_0)
                        .computeType(props.computeType())
                        .privileged(true)
                        .build())
                .environmentVariables(environment(repository, storage))
                .encryptionKey(storage.key())
                .timeout(props.timeout())
                .cache(Cache.local(LocalCacheMode.DOCKER_LAYER, LocalCacheMode.SOURCE))
                .logging(LoggingOptions.builder()
                        .cloudWatch(CloudWatchLoggingOptions.builder().logGroup(logs).build())
                        .build())
                .build();
        repository.grantPullPush(project);
        // The build script reuses an image already pushed for the commit (tags are immutable).
        repository.grant(project, "ecr:DescribeImages");
        storage.grantBuildsWrite(project);
        IRole projectRole = project.getRole();
        Suppress.nag(projectRole, NagIds.resource("*"),
                "ecr:GetAuthorizationToken supports no resource-level permissions (docker login to ECR).");
        Suppress.nag(projectRole, NagIds.resource(NagIds.arn("logs", "log-group:/aws/codebuild/<" + NagIds.logicalId(project) + ">:*")),
                "CDK's CodeBuild project grants log streams of its default log group; streams are named per build.");
        Suppress.nag(projectRole, NagIds.resource(NagIds.arn("codebuild", "report-group/<" + NagIds.logicalId(project) + ">-*")),
                "CDK's CodeBuild project grants test report groups named after the project.");
        for (String action : List.of("kms:ReEncrypt*", "kms:GenerateDataKey*")) {
            Suppress.nag(projectRole, NagIds.action(action),
                    "CDK's CodeBuild encryptionKey grant: the project encrypts build artifacts and logs with the deployment key.");
        }
        Suppress.nag(project, "AwsSolutions-CB3",
                "Privileged mode is required to run the Docker daemon that builds the model image (docker build/push).");
        Suppress.guard(project, "CT.CODEBUILD.PR.4",
                "Privileged mode is required to run the Docker daemon that builds the model image (docker build/push).");
    }

    private Map<String, BuildEnvironmentVariable> environment(Repository repo, PipelineStorage storage) {
        Map<String, BuildEnvironmentVariable> env = new java.util.LinkedHashMap<>();
        env.put("ECR_REPOSITORY_URI", BuildEnvironmentVariable.builder().value(repo.getRepositoryUri()).build());
        env.put("ARTIFACT_BUCKET", BuildEnvironmentVariable.builder().value(storage.artifactBucket().getBucketName()).build());
        env.put("AWS_ACCOUNT_ID", BuildEnvironmentVariable.builder().value(Stack.of(this).getAccount()).build());
        return env;
    }

    public Repository repository() {
        return repository;
    }

    public PipelineProject project() {
        return project;
    }
}
