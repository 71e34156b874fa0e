package io.mlops.infra.stacks;

import io.mlops.infra.AssetPaths;
import io.mlops.infra.config.MlopsConfig;
import io.mlops.infra.config.Regions;
import io.mlops.infra.constructs.DeployTimeUploads;
import io.mlops.infra.constructs.EndpointDeployRole;
import io.mlops.infra.constructs.EtlJob;
import io.mlops.infra.constructs.ImageBuild;
import io.mlops.infra.constructs.MlopsPipeline;
import io.mlops.infra.constructs.ModelRegistry;
import io.mlops.infra.constructs.PipelineHandlers;
import io.mlops.infra.constructs.PipelineStorage;
import io.mlops.infra.constructs.SageMakerJobRole;
import io.mlops.infra.constructs.SeededRepository;
import io.mlops.infra.constructs.SystemTestWorkflow;
import java.util.List;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Tags;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.Topic;
import software.constructs.Construct;

/**
 * Everything {@code cdk deploy} creates (the endpoints are created later by the pipeline from the
 * templates in {@link EndpointTemplates}). This stack only composes constructs and publishes outputs.
 */
public final class PipelineStack extends Stack {
    public static final String DATA_CAPTURE_PREFIX = "datacapture/prd/";

    private final PipelineStorage storage;
    private final ModelRegistry registry;
    private final ImageBuild imageBuild;
    private final EtlJob etlJob;
    private final SageMakerJobRole jobRole;
    private final SageMakerJobRole hostingRole;
    private final PipelineHandlers handlers;
    private final SystemTestWorkflow systemTest;
    private final SeededRepository source;
    private final DeployTimeUploads uploads;
    private final EndpointDeployRole deployRole;
    private final Topic approvalTopic;
    private final MlopsPipeline pipeline;
    private final EndpointTemplates templates;

    public PipelineStack(Construct scope, String id, StackProps stackProps, MlopsConfig config, AssetPaths assets,
            EndpointTemplates templates) {
        super(scope, id, stackProps);
        this.templates = templates;
        String project = config.projectName();
        RemovalPolicy removal = config.destroyOnRemoval() ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
        RetentionDays retention = retentionDays(config.logRetentionDays());

        storage = new PipelineStorage(this, "Storage", PipelineStorage.Props.builder().removalPolicy(removal).build());
        Code lambdaCode = Code.fromAsset(assets.lambdaJar().toString());

        registry = new ModelRegistry(this, "ModelRegistry", ModelRegistry.Props.builder()
                .groupName(config.modelPackageGroupName())
                .description("Model " + config.modelName() + " of project " + project + " (MLOps pipeline)")
                .purgeOnDelete(config.destroyOnRemoval())
                .handlerCode(lambdaCode).logKey(storage.key()).logRetention(retention).logRemoval(removal)
                .build());
        imageBuild = new ImageBuild(this, "ImageBuild", ImageBuild.Props.builder()
                .repositoryName(project + "/" + config.modelName())
                .storage(storage).logRetention(retention).removalPolicy(removal)
                .build());
        jobRole = new SageMakerJobRole(this, "SageMakerJobRole", SageMakerJobRole.Props.jobs(storage, imageBuild.repository()));
        hostingRole = new SageMakerJobRole(this, "SageMakerHostingRole",
                SageMakerJobRole.Props.hosting(storage, imageBuild.repository(), DATA_CAPTURE_PREFIX));
        etlJob = new EtlJob(this, "EtlJob", EtlJob.Props.builder()
                .jobName(project + "-etl").entryScript(assets.glueScript()).storage(storage)
                .build());
        handlers = new PipelineHandlers(this, "Handlers", new PipelineHandlers.Props(lambdaCode, storage, etlJob, jobRole,
                registry, project, retention, removal));
        systemTest = new SystemTestWorkflow(this, "SystemTest", SystemTestWorkflow.Props.of(
                Code.fromAsset(assets.systemTestJar().toString()), storage, config.endpointName(config.dev()), retention, removal));
        source = new SeededRepository(this, "Source", new SeededRepository.Props(project,
                "Source of the MLOps pipeline " + project + " (push to " + config.sourceBranch() + " to retrain)",
                assets.repoRoot(), AssetPaths.SEED_EXCLUDES, config.sourceBranch(), removal));
        uploads = new DeployTimeUploads(this, "Uploads", new DeployTimeUploads.Props(storage, assets.datasetDir(),
                AssetPaths.DATASET_FILE, templates.directory(), retention, removal));
        deployRole = new EndpointDeployRole(this, "EndpointDeployRole", new EndpointDeployRole.Props(
                project + "-", hostingRole, storage, registry));
        approvalTopic = Topic.Builder.create(this, "ApprovalTopic")
                .displayName(project + " model approvals and PRD alarms")
                .masterKey(storage.key())
                .enforceSsl(true)
                .build();
        pipeline = new MlopsPipeline(this, "Pipeline", new MlopsPipeline.Props(project, source.repository(),
                config.sourceBranch(), storage, imageBuild, handlers, systemTest.stateMachine(),
                config.endpointName(config.dev()), config.systemTest().minRocAuc(), config.systemTest().maxP99Millis(),
                config.systemTest().maxRows(), approvalTopic,
                config.approvalEmail().isEmpty() ? List.of() : List.of(config.approvalEmail()),
                uploads.templatesKey(), deployRole, hostingRole, config.endpointStackName(config.dev()),
                config.endpointStackName(config.prd()), DATA_CAPTURE_PREFIX));
        // The first run needs the dataset and the templates in place.
        pipeline.getNode().addDependency(uploads);
        // CloudWatch alarms of the PRD endpoint publish to the topic.
        approvalTopic.addToResourcePolicy(software.amazon.awscdk.services.iam.PolicyStatement.Builder.create()
                .sid("AllowCloudWatchAlarms")
                .principals(List.of(new software.amazon.awscdk.services.iam.ServicePrincipal("cloudwatch.amazonaws.com")))
                .actions(List.of("sns:Publish"))
                .resources(List.of(approvalTopic.getTopicArn()))
                .conditions(java.util.Map.of("StringEquals", java.util.Map.of("aws:SourceAccount", getAccount())))
                .build());
        storage.key().grant(new software.amazon.awscdk.services.iam.ServicePrincipal("cloudwatch.amazonaws.com"),
                "kms:Decrypt", "kms:GenerateDataKey");

        Tags.of(this).add(io.mlops.contract.Tags.PROJECT, project);
        Regions.addRule(this);
        // CloudFormation takes an output's Description as a literal string only (cfn-lint E6003): no tokens.
        output("CodeCommitCloneUrlHttp", source.repository().getRepositoryCloneUrlHttp(),
                "git clone URL (HTTPS with the AWS CLI credential helper)");
        output("CodeCommitCloneUrlGrc", source.repository().getRepositoryCloneUrlGrc(), "git clone URL for git-remote-codecommit");
        output("DataBucketName", storage.dataBucket().getBucketName(), "Data bucket");
        output("DatasetUploadPath", "s3://" + storage.dataBucket().getBucketName() + "/datasets/",
                "Upload a dataset .zip here to retrain (aws s3 cp my.zip <path>)");
        output("ArtifactBucketName", storage.artifactBucket().getBucketName(), "Artifact bucket (runs/<execution>/...)");
        output("PipelineConsoleUrl", "https://" + getRegion() + ".console.aws.amazon.com/codesuite/codepipeline/pipelines/"
                + project + "/view?region=" + getRegion(), "Pipeline in the console (approve here)");
        output("DevEndpointName", config.endpointName(config.dev()), "DEV endpoint (created by the pipeline's DeployDev stage)");
        output("PrdEndpointName", config.endpointName(config.prd()), "PRD endpoint (created by the pipeline's DeployPrd stage)");
        output("ModelPackageGroupName", registry.groupName(), "SageMaker model registry group");
        output("EcrRepositoryName", imageBuild.repository().getRepositoryName(), "Model image repository");
        output("GlueJobName", etlJob.jobName(), "Glue ETL job");
        output("SystemTestStateMachineArn", systemTest.stateMachine().getStateMachineArn(), "System-test state machine");
        output("PipelineName", pipeline.pipeline().getPipelineName(), "The CodePipeline");
        output("ApprovalTopicArn", approvalTopic.getTopicArn(), "SNS topic for approval requests and PRD alarms");
    }

    private void output(String id, String value, String description) {
        CfnOutput.Builder.create(this, id).value(value).description(description).build();
    }

    static RetentionDays retentionDays(int days) {
        for (RetentionDays r : RetentionDays.values()) {
            if (r != RetentionDays.INFINITE && r.toString() != null && daysOf(r) == days) {
                return r;
            }
        }
        throw new IllegalArgumentException("no CloudWatch Logs retention of " + days + " days");
    }

    private static int daysOf(RetentionDays r) {
        return switch (r) {
            case ONE_YEAR -> 365;
            case THIRTEEN_MONTHS -> 400;
            case EIGHTEEN_MONTHS -> 545;
            case TWO_YEARS -> 731;
            case THREE_YEARS -> 1096;
            case FIVE_YEARS -> 1827;
            case SIX_YEARS -> 2192;
            case SEVEN_YEARS -> 2557;
            case EIGHT_YEARS -> 2922;
            case NINE_YEARS -> 3288;
            case TEN_YEARS -> 3653;
            default -> -1;
        };
    }

    public PipelineStorage storage() { return storage; }
    public ModelRegistry registry() { return registry; }
    public ImageBuild imageBuild() { return imageBuild; }
    public EtlJob etlJob() { return etlJob; }
    public SageMakerJobRole jobRole() { return jobRole; }
    public SageMakerJobRole hostingRole() { return hostingRole; }
    public PipelineHandlers handlers() { return handlers; }
    public SystemTestWorkflow systemTest() { return systemTest; }
    public SeededRepository source() { return source; }
    public DeployTimeUploads uploads() { return uploads; }
    public EndpointDeployRole deployRole() { return deployRole; }
    public Topic approvalTopic() { return approvalTopic; }
    public MlopsPipeline pipeline() { return pipeline; }
    /** The endpoint stacks (separate app) whose templates this stack publishes. */
    public EndpointTemplates templates() { return templates; }
}
